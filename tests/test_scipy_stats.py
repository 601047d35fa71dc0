"""`scipy.stats`' distributions and summary statistics of traced values give SciPy's values,
types, NaNs and errors."""

import subprocess
import sys
import textwrap

import warnings

import numpy as np
import pytest
import scipy._lib.array_api_extra as xpx
import scipy.stats as st
from scipy.stats import norm, zscore
from scipy.stats._distn_infrastructure import rv_continuous, rv_discrete

import tracenp
from tracenp.errors import DataDependentShapeError, UnsupportedFunctionError
from test_grad import numeric_grad
from test_ops import assert_same

_R = np.random.default_rng(11)
X = _R.standard_normal(7) * 3
Q = np.array([0.0, 1.0, 1.5, -0.1, 0.3, 0.975, np.nan])
SCALES = np.array([1.0, -1.0, 0.0, 2.0, 3.0, 0.5, np.inf])


def black_scholes(S, K, T, r, sigma, kind="call"):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    if kind == "call":
        return S * norm.cdf(d1) - K * np.exp(-r * T) * norm.cdf(d2)
    return K * np.exp(-r * T) * norm.cdf(-d2) - S * norm.cdf(-d1)


def expected_improvement(mu, sigma, best, xi=0.01):
    imp = mu - best - xi
    z = imp / sigma
    return imp * norm.cdf(z) + sigma * norm.pdf(z)


CASES = {
    "black_scholes": (lambda S: black_scholes(S, 100.0, 0.5, 0.03, 0.2), 100 + X),
    "black_scholes_put_of_a_float": (lambda s: black_scholes(s, 100.0, 0.5, 0.03, 0.2, "put"),
                                     101.5),
    "expected_improvement": (lambda m, s: expected_improvement(m, s, 0.3), X, np.abs(X) + 0.1),
    "pdf_loc_scale": (lambda x: norm.pdf(x, 1.0, 2.0), X),
    "pdf_bad_scales": (lambda x, s: norm.pdf(x, 0, s), X, SCALES),
    "logpdf_edges": (lambda x: norm.logpdf(x, loc=0.5),
                     np.array([-np.inf, 0.0, 1.0, np.nan, np.inf])),
    "tails": (lambda x: (norm.cdf(x), norm.logcdf(x), norm.sf(x), norm.logsf(x)),
              np.linspace(-9.0, 9.0, 13)),
    "quantiles": (lambda q: (norm.ppf(q), norm.isf(q, 1, 3), st.norm.ppf(q, loc=2)), Q),
    "frozen": (lambda x, m, s: norm(m, s).cdf(x) - norm(loc=m).sf(x), X, 1.0, 0.5),
    "traced_loc_and_scale": (lambda x, m, s: norm.pdf(x, m, s), X, X / 2, np.abs(X)),
    "0d_is_a_numpy_scalar": (lambda x: norm.cdf(x.sum() / 10), X),
    "float32_and_ints": (lambda f, i: (norm.cdf(f), norm.pdf(i)), X.astype(np.float32),
                         np.arange(-3, 4)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_normal_functions_of_traced_values_are_scipys(name):
    fn, *args = CASES[name]
    with np.errstate(all="ignore"):
        want = fn(*args)
        got = tracenp.jit(fn)(*args)
    assert_same(got, want, rtol=1e-12)  # the tails: ndtr as tracenp composes it, docs/accuracy


class _Triangular(st.rv_continuous):
    """A distribution with only a density: SciPy integrates it (`_cdfvec`) and solves for its
    quantiles, numerical work on each value that tracenp does not trace."""

    def _pdf(self, x):
        return 2 * x


class _Branching(st.rv_continuous):
    """A density whose Python branches on its shape parameter."""

    def _pdf(self, x, c):
        if np.all(c > 1):
            return c * x ** (c - 1)
        return np.ones_like(x)


TRIANGULAR = _Triangular(a=0.0, b=1.0, name="triangular_pdf_only")


def test_calls_without_traced_arguments_are_scipys_own_and_the_methods_come_back():
    f = tracenp.jit(lambda x: st.expon.cdf(2.0) * x + st.zscore(np.arange(3.0))[0])
    assert_same(f(X), st.expon.cdf(2.0) * X + st.zscore(np.arange(3.0))[0])
    assert rv_continuous.cdf.__module__ == "scipy.stats._distn_infrastructure"
    assert rv_discrete.pmf.__module__ == "scipy.stats._distn_infrastructure"
    assert st.zscore.__module__ == "scipy.stats._stats_py"
    assert xpx.apply_where.__module__ == "scipy._lib.array_api_extra._lib._funcs"
    assert norm.cdf(0.5) == st.norm.cdf(0.5)


@pytest.mark.parametrize("method", ["cdf", "ppf", "sf"])
def test_a_distribution_scipy_integrates_numerically_is_refused_naming_it(method):
    with pytest.raises(UnsupportedFunctionError,
                       match=rf"scipy\.stats\.triangular_pdf_only\.{method} of a traced value "
                             rf"\(SciPy's _Triangular\._(cdf|ppf) needs"):
        tracenp.jit(lambda x: getattr(TRIANGULAR, method)(x))(np.array([0.2, 0.5]))
    assert_same(tracenp.jit(lambda x: TRIANGULAR.pdf(x))(np.array([-0.5, 0.2, 0.5])),
                TRIANGULAR.pdf(np.array([-0.5, 0.2, 0.5])))


def test_a_shape_parameter_the_distribution_branches_on_is_made_static():
    dist, x = _Branching(a=0.0, b=1.0, name="branching"), np.array([0.2, 0.5, 2.0])
    f = tracenp.jit(lambda x, c: dist.pdf(x, c))
    assert_same(f(x, 2.5), dist.pdf(x, 2.5))
    assert_same(f(x, 0.5), dist.pdf(x, 0.5))
    with pytest.raises(UnsupportedFunctionError, match=r"branching\.pdf .*_Branching\._pdf "
                                                       r"needs the truth value"):
        f(x, np.array(2.5))  # an array: not made static


def test_the_gradient_of_a_black_scholes_price_is_its_delta():
    S = 100.0 + X
    delta = tracenp.grad(lambda S: black_scholes(S, 100.0, 0.5, 0.03, 0.2).sum())(S)
    d1 = (np.log(S / 100.0) + (0.03 + 0.5 * 0.2 ** 2) * 0.5) / (0.2 * np.sqrt(0.5))
    np.testing.assert_allclose(delta, norm.cdf(d1), rtol=1e-12)


def test_a_function_importing_scipy_stats_in_its_body_traces_norm_on_its_first_call():
    """The import happens inside the trace: the library is routed as soon as it has loaded
    (`trace._importing`), and NumPy's namespace is its own again after the call."""
    code = textwrap.dedent("""
        import sys, numpy as np, tracenp
        def price(x):
            from scipy.stats import norm
            return norm.cdf(x) * 2.0
        x = np.linspace(-2, 2, 7)
        got = tracenp.jit(price)(x)
        from scipy.stats import norm
        np.testing.assert_allclose(got, norm.cdf(x) * 2.0, rtol=1e-13)
        assert type(norm).cdf.__module__ == "scipy.stats._distn_infrastructure"
        assert np.exp.__class__ is np.ufunc
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.strip() == "ok", out.stderr


# ----------------------------------------------------------------------------- distributions

# name: (shape parameters, one of them invalid in the first place)
CONTINUOUS = {"t": ((3.0,), -1.0), "gamma": ((2.0,), 0.0), "beta": ((2.0, 3.0), -2.0),
              "expon": ((), None), "lognorm": ((0.5,), -0.5), "laplace": ((), None),
              "cauchy": ((), None), "chi2": ((3.0,), 0.0), "invgamma": ((2.0,), -1.0),
              "uniform": ((), None), "logistic": ((), None), "weibull_min": ((1.5,), 0.0),
              "halfnorm": ((), None), "pareto": ((2.0,), -1.0), "gumbel_r": ((), None)}
DISCRETE = {"poisson": ((3.0,), -1.0), "binom": ((10, 0.3), 10.5), "nbinom": ((5, 0.4), -5.0),
            "geom": ((0.3,), 1.5), "bernoulli": ((0.3,), 1.5)}
CONTINUOUS_METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
DISCRETE_METHODS = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
XS = np.array([-1.0, 0.0, 0.2, 0.5, 1.0, 1.5, 4.0, 30.0, np.inf, -np.inf, np.nan])
KS = np.array([-1.0, 0.0, 1.0, 2.5, 3.0, 7.0, 12.0, np.inf, -np.inf, np.nan])
QS = np.array([0.0, 1e-3, 0.1, 0.5, 0.9, 1.0, -0.1, 1.2, np.nan])


def _distribution_cases():
    for name, (shapes, bad) in CONTINUOUS.items():
        for method in CONTINUOUS_METHODS:
            yield pytest.param(name, shapes, bad, method, False, id=f"{name}.{method}")
    for name, (shapes, bad) in DISCRETE.items():
        for method in DISCRETE_METHODS:
            yield pytest.param(name, shapes, bad, method, True, id=f"{name}.{method}")


def _broadcast_parameters(shapes: tuple, bad) -> list:
    """Each shape as 3 values (an invalid one last in the first shape), to broadcast with x."""
    out = []
    for i, a in enumerate(shapes):
        other = a + 2 if isinstance(a, int) else a * 1.5
        out.append(np.array([a, other, bad if i == 0 else a], float))
    return out


@pytest.mark.parametrize("name, shapes, bad, method, discrete", list(_distribution_cases()))
def test_distribution_methods_of_traced_values_are_scipys(name, shapes, bad, method, discrete):
    """x traced (out of the support, at its ends, inf, NaN); then every parameter traced and
    broadcast against x, with an invalid shape and scale among them; then a frozen
    distribution of a traced Python float with a 0-d result: a NumPy float64."""
    dist = getattr(st, name)
    quantile = method in ("ppf", "isf")
    x = QS if quantile else KS if discrete else XS
    loc_scale = {"loc": 1} if discrete else {"loc": 0.1, "scale": 1.5}
    with np.errstate(all="ignore"):
        f = lambda v: getattr(dist, method)(v, *shapes, **loc_scale)
        assert_same(tracenp.jit(f)(x), f(x), rtol=1e-12)

        params = _broadcast_parameters(shapes, bad)
        xb = (x[:4] if quantile else np.round(x[1:5]) if discrete else x[2:6])[:, None]
        locs = [np.array([0.0, 1.0, -1.0])] if discrete else [np.array([0.0, 0.1, -0.2]),
                                                              np.array([1.0, 0.0, 2.0])]
        g = lambda v, *p: getattr(dist, method)(v, *p[len(locs):], *p[:len(locs)])
        assert_same(tracenp.jit(g)(xb, *locs, *params), g(xb, *locs, *params), rtol=1e-12)

        h = lambda v, *p: getattr(dist(*p, **loc_scale), method)(v.sum())
        got = tracenp.jit(h)(xb[:2] / 2, *shapes)
        assert_same(got, h(xb[:2] / 2, *shapes), rtol=1e-12)
    assert type(got) is np.float64


def test_input_dtypes_give_scipys_float64():
    """float32 and integer x, integer shapes (binom's n): SciPy computes in float64."""
    x32 = XS[2:7].astype(np.float32)
    cases = [(lambda x: st.gamma.logpdf(x, 2.0, loc=0.1), x32),
             (lambda x: st.expon.cdf(x, scale=3), x32),
             (lambda k: st.poisson.logpmf(k, 3.0), np.arange(-1, 6)),
             (lambda n: st.binom.pmf(np.arange(7), n, 0.4), np.array([5, 6, 7])[:, None]),
             (lambda q: st.t.ppf(q, 4), np.array([0.1, 0.5], np.float32))]
    for f, x in cases:
        got = tracenp.jit(f)(x)
        assert got.dtype == np.float64
        assert_same(got, f(x), rtol=1e-12)


def test_apply_where_of_traced_values_chooses_by_np_where():
    x = np.array([-1.0, 0.0, 2.0, np.nan])
    f = lambda x: (xpx.apply_where(x > 0, (x,), np.log, fill_value=-7.0),
                   xpx.apply_where(x > 0, (x, 2.0), lambda a, b: a * b, lambda a, b: a - b))
    assert_same(tracenp.jit(f)(x), f(x))


# ----------------------------------------------------------------------------- gradients


_G = np.random.default_rng(5)
POSITIVE = _G.gamma(2.0, 1.5, 25)
UNIT = _G.beta(2.0, 3.0, 25)
COUNTS = _G.poisson(3.0, 25).astype(float)
TRIALS = _G.binomial(10, 0.3, 25)

LIKELIHOODS = {
    "gamma": (lambda a, s: st.gamma.logpdf(POSITIVE, a, scale=s).sum(), (2.2, 1.3)),
    "gamma_of_x": (lambda x, a: st.gamma(a, loc=-0.5).logpdf(x).sum(), (POSITIVE, 2.2)),
    "beta": (lambda a, b: st.beta.logpdf(UNIT, a, b).sum(), (2.1, 3.35)),
    "student_t": (lambda x, m, s: st.t.logpdf(x, 4.0, m, s).sum(), (POSITIVE, 2.0, 1.5)),
    "poisson": (lambda mu: st.poisson.logpmf(COUNTS, mu).sum(), (2.7,)),
    "binomial": (lambda p: st.binom.logpmf(TRIALS, 10, p).sum(), (0.35,)),
    "lognormal": (lambda s, sc: st.lognorm.logpdf(POSITIVE, s, scale=sc).sum(), (0.7, 2.0)),
    "logpdf_outside_the_support_masked": (lambda a, s: np.where(  # log(x < 0): no NaN
        np.isfinite(lp := st.gamma.logpdf(POSITIVE - 2.0, a, scale=s)), lp, 0.0).sum(),
                                          (2.2, 1.4)),
}


@pytest.mark.parametrize("name", list(LIKELIHOODS))
def test_gradients_of_log_likelihoods_match_central_differences(name):
    f, args = LIKELIHOODS[name]
    grads = tracenp.grad(f, argnums=tuple(range(len(args))))(*args)
    for i, g in enumerate(grads):
        assert np.all(np.isfinite(g))
        want = numeric_grad(f, [np.array(a, float) for a in args])[i]
        np.testing.assert_allclose(g, want, rtol=2e-6, atol=1e-6)


# ----------------------------------------------------------------------------- multivariate

ALPHA = np.array([1.5, 2.25, 3.5])
SIMPLEX = np.array([[0.2, 0.1, 0.3], [0.3, 0.6, 0.2], [0.5, 0.3, 0.5]])


def test_dirichlet_of_traced_values_is_scipys():
    cases = [(lambda x, a: st.dirichlet.logpdf(x, a), SIMPLEX[:, 0], ALPHA),
             (lambda x, a: st.dirichlet.logpdf(x, a), SIMPLEX, ALPHA),
             (lambda x, a: st.dirichlet.pdf(x, a), SIMPLEX[:2], ALPHA),
             (lambda x, a: st.dirichlet(a).logpdf(x[:2, 0]), SIMPLEX, ALPHA),
             (lambda a: st.dirichlet.logpdf(SIMPLEX[:, 1], a), ALPHA)]
    for f, *args in cases:
        assert_same(tracenp.jit(f)(*args), f(*args), rtol=1e-12)
    g = tracenp.grad(lambda a: st.dirichlet.logpdf(SIMPLEX, a).sum())(ALPHA)
    np.testing.assert_allclose(
        g, numeric_grad(lambda a: st.dirichlet.logpdf(SIMPLEX, a).sum(), [ALPHA])[0], rtol=1e-6)


@pytest.mark.parametrize("x, alpha, message", [
    (SIMPLEX[:, 0], -ALPHA, "All parameters must be greater than 0"),
    (SIMPLEX[:, 0] - 0.3, ALPHA, "greater than or equal to zero"),
    (SIMPLEX[:, 0] * 3, ALPHA, "smaller or equal one"),
    (np.array([0.0, 0.4, 0.6]), np.array([0.5, 2.0, 3.0]), "greater than zero if its alpha"),
    (SIMPLEX[:, 0] / 2, ALPHA, "must lie within the normal simplex")])
def test_dirichlet_raises_scipys_errors_when_the_function_runs(x, alpha, message):
    f = tracenp.jit(lambda x, a: st.dirichlet.logpdf(x, a))
    with pytest.raises(ValueError, match=message):
        st.dirichlet.logpdf(x, alpha)
    with pytest.raises(ValueError, match=message):
        f(x, alpha)


def test_multivariate_normal_of_traced_values_is_scipys():
    f = lambda x, m: st.multivariate_normal.logpdf(x, m, np.diag([1.0, 2.0, 0.5]))
    assert_same(tracenp.jit(f)(SIMPLEX.T, ALPHA), f(SIMPLEX.T, ALPHA), rtol=1e-12)
    g = tracenp.grad(lambda m: f(SIMPLEX.T, m).sum())(ALPHA)
    np.testing.assert_allclose(g, numeric_grad(lambda m: f(SIMPLEX.T, m).sum(), [ALPHA])[0],
                               rtol=1e-6)


# ----------------------------------------------------------------------------- summary statistics

_S = np.random.default_rng(2)
DATA = _S.standard_normal((5, 6))
WITH_NAN = np.where(np.arange(30).reshape(5, 6) == 8, np.nan, DATA)
TIES = np.round(_S.standard_normal((4, 7)) * 1.5)
PK, QK = _S.uniform(0.1, 1, (5, 6)), _S.uniform(0.1, 1, (5, 6))
COUNTS = _S.integers(3, 40, (3, 4))
GROUPS = _S.integers(0, 3, 30)

STATISTICS = {
    "zscore": (lambda x: st.zscore(x), DATA),
    "zscore_imported_by_name": (lambda x: zscore(x, axis=1), DATA),
    "zscore_ddof_axis_none": (lambda x: st.zscore(x, axis=None, ddof=1), DATA),
    "zscore_float32": (lambda x: st.zscore(x, axis=1), DATA.astype(np.float32)),
    "zscore_ints": (lambda x: st.zscore(x), np.arange(12).reshape(3, 4) ** 2),
    "zscore_constant_column": (lambda x: st.zscore(x), np.ones((3, 2))),
    "zscore_nan_propagate": (lambda x: st.zscore(x), WITH_NAN),
    "zscore_nan_omit": (lambda x: st.zscore(x, ddof=1, nan_policy="omit"), WITH_NAN),
    "zmap": (lambda x, y: st.zmap(x, y, axis=1), DATA[:, :3], DATA[:, 3:]),
    "sem_1d": (lambda x: st.sem(x[0]), DATA),
    "sem_axis1_ddof0": (lambda x: st.sem(x, axis=1, ddof=0), DATA),
    "sem_axis_none_keepdims": (lambda x: st.sem(x, axis=None, keepdims=True), DATA),
    "sem_nan_propagate": (lambda x: st.sem(x), WITH_NAN),
    "sem_nan_omit_axis1": (lambda x: st.sem(x, axis=1, nan_policy="omit"), WITH_NAN),
    "sem_float32": (lambda x: st.sem(x, axis=1), DATA.astype(np.float32)),
    "sem_ints": (lambda x: st.sem(x), np.arange(12).reshape(3, 4) ** 2),
    "sem_one_value": (lambda x: st.sem(x[0, :1]), DATA),
    "entropy": (lambda p: st.entropy(p), PK),
    "entropy_1d_base": (lambda p: st.entropy(p[0], base=2), PK),
    "entropy_relative_axis": (lambda p, q: st.entropy(p, q, axis=1), PK, QK),
    "entropy_keepdims_axis_none": (lambda p, q: st.entropy(p, q, 3.0, axis=None,
                                                           keepdims=True), PK, QK),
    "entropy_float32": (lambda p: st.entropy(p), PK.astype(np.float32)),
    "entropy_ints": (lambda p: st.entropy(p), np.array([1, 2, 3, 0])),
    "entropy_nan_omit": (lambda p: st.entropy(p, nan_policy="omit"), np.abs(WITH_NAN)),
    "entropy_nan_propagate": (lambda p: st.entropy(p), np.abs(WITH_NAN)),
    "pearsonr": (lambda x, y: tuple(st.pearsonr(x, y)), DATA[0], DATA[1]),
    "pearsonr_axis": (lambda x, y: st.pearsonr(x, y, axis=1).statistic, DATA, DATA ** 2),
    "pearsonr_less": (lambda x, y: st.pearsonr(x, y, alternative="less").pvalue, DATA[0],
                      DATA[1]),
    "pearsonr_greater": (lambda x, y: st.pearsonr(x, y, alternative="greater")[1], DATA,
                         DATA ** 3),
    "pearsonr_two_points": (lambda x, y: tuple(st.pearsonr(x, y)), DATA[0, :2], DATA[1, :2]),
    "pearsonr_constant_row": (lambda x, y: st.pearsonr(x, y, axis=1)[0],
                              np.vstack([DATA[:2], np.ones((1, 6))]), DATA[:3]),
    "pearsonr_float32": (lambda x, y: tuple(st.pearsonr(x, y)), DATA[0].astype(np.float32),
                         DATA[1].astype(np.float32)),
    "rankdata_nan_propagate": (lambda x: st.rankdata(x, axis=1), np.where(TIES > 1, np.nan,
                                                                           TIES)),
    "rankdata_nan_omit": (lambda x: st.rankdata(x, axis=1, nan_policy="omit"),
                          np.where(TIES > 1, np.nan, TIES)),
    "linregress": (lambda x, y: st.linregress(x, y), DATA[0], 2 * DATA[0] + DATA[1]),
    "linregress_unpacked": (lambda x, y: tuple(st.linregress(x, y))[:4], DATA[0], DATA[1]),
    "linregress_greater": (lambda x, y: st.linregress(x, y, "greater").pvalue, DATA[0],
                           DATA[1]),
    "linregress_less_intercept_stderr": (lambda x, y: st.linregress(
        x, y, alternative="less").intercept_stderr, DATA[0], DATA[1]),
    "linregress_two_points": (lambda x, y: st.linregress(x, y), DATA[0, :2], DATA[1, :2]),
    "linregress_perfect_fit": (lambda x: st.linregress(x, 3 * x - 1), DATA[0]),
    "linregress_constant_y": (lambda x: st.linregress(x, np.ones_like(x)), DATA[0]),
    "linregress_nan_propagate": (lambda x, y: st.linregress(x, y), DATA[0], WITH_NAN[1]),
    "linregress_ints_float32": (lambda x, y: st.linregress(x, y), np.arange(6),
                                DATA[1].astype(np.float32)),
    "ttest_ind": (lambda a, b: st.ttest_ind(a, b), DATA[0], DATA[1, :4] + 1),
    "ttest_ind_welch_axis1": (lambda a, b: st.ttest_ind(a, b, axis=1, equal_var=False), DATA,
                              DATA ** 2),
    "ttest_ind_broadcast_less": (lambda a, b: st.ttest_ind(a, b, alternative="less"),
                                 DATA, DATA[:3, :1] + 0.5),
    "ttest_ind_axis_none_keepdims": (lambda a, b: st.ttest_ind(a, b, axis=None,
                                                               keepdims=True), DATA, DATA.T),
    "ttest_ind_keepdims_axis0": (lambda a, b: st.ttest_ind(a, b, keepdims=True), DATA,
                                 DATA[:4] - 1),
    "ttest_ind_nan_propagate": (lambda a, b: st.ttest_ind(a, b), WITH_NAN, DATA + 1),
    "ttest_ind_one_each": (lambda a, b: st.ttest_ind(a, b), DATA[0, :1], DATA[1, :1]),
    "ttest_ind_constant": (lambda a, b: st.ttest_ind(a, b, equal_var=False), np.ones(3),
                           np.ones(4)),
    "ttest_ind_float32": (lambda a, b: tuple(st.ttest_ind(a, b)), DATA[0].astype(np.float32),
                          DATA[1].astype(np.float32)),
    "ttest_1samp": (lambda a: st.ttest_1samp(a, 0.3), DATA),
    "ttest_1samp_popmean_per_column": (lambda a: st.ttest_1samp(a, np.arange(5.0)[:, None],
                                                                axis=1), DATA),
    "ttest_1samp_greater_nan": (lambda a: st.ttest_1samp(a, 0.0, alternative="greater")[:2],
                                WITH_NAN),
    "ttest_rel": (lambda a, b: st.ttest_rel(a, b), DATA[:3], DATA[2:]),
    "ttest_ind_of_groups": (lambda x, g: st.ttest_ind(x[g == 0], x[g == 1]), DATA.ravel(),
                            GROUPS),
    "ttest_ind_welch_group_vs_slice": (lambda x, g: st.ttest_ind(
        x[g == 2], x[:7], equal_var=False, alternative="greater"), DATA.ravel(), GROUPS),
    "ttest_ind_empty_group": (lambda x, g: tuple(st.ttest_ind(x[g == 5], x[g == 1])),
                              DATA.ravel(), GROUPS),
    "ttest_1samp_of_a_group": (lambda x, g: st.ttest_1samp(x[g > 0], 0.1), DATA.ravel(),
                               GROUPS),
    "ttest_rel_of_selected_pairs": (lambda a, b: (lambda m: st.ttest_rel(a[m], b[m]))(
        ~np.isnan(a) & ~np.isnan(b)), WITH_NAN.ravel(), DATA.ravel() ** 2),
    "linregress_of_finite_pairs": (lambda x, y: (lambda m: st.linregress(x[m], y[m]))(
        np.isfinite(y)), DATA.ravel(), WITH_NAN.ravel() * 2 + 1),
    "linregress_of_a_group": (lambda x, g: st.linregress(x[g == 1], (x ** 2)[g == 1]).pvalue,
                              DATA.ravel(), GROUPS),
    "skew_kurtosis": (lambda x: (st.skew(x), st.kurtosis(x, axis=1, fisher=False)), DATA),
    "skew_nan_propagate": (lambda x: st.skew(x, axis=1, bias=False), WITH_NAN),
    "describe": (lambda x: tuple(st.describe(x, axis=1))[1:], DATA),
    "moment_variation_gmean": (lambda x: (st.moment(x, 3), st.variation(np.abs(x)),
                                          st.gmean(np.abs(x), axis=1)), DATA),
    "trimmed_and_robust": (lambda x: (st.trim_mean(x, 0.2), st.tmean(x, (-1, 1)),
                                      st.median_abs_deviation(x, axis=1)), DATA),
    "f_oneway_levene_jarque_bera": (lambda x: (tuple(st.f_oneway(x[0], x[1], x[2])),
                                               tuple(st.levene(x[0], x[3])),
                                               tuple(st.jarque_bera(x.ravel()))), DATA),
    "chi2_contingency_yates": (lambda o: st.chi2_contingency(o), COUNTS[:2, :2]),
    "chi2_contingency_uncorrected": (lambda o: st.chi2_contingency(o, False), COUNTS[:2, :2]),
    "chi2_contingency_log_likelihood": (lambda o: st.chi2_contingency(
        o, lambda_="log-likelihood"), COUNTS),
    "chi2_contingency_one_row": (lambda o: st.chi2_contingency(o), COUNTS[:1] * 1.0),
    "chi2_contingency_three_way": (lambda o: tuple(st.chi2_contingency(o))[:3],
                                   COUNTS[:2, :3].reshape(2, 3, 1) + COUNTS[2, :2]),
    "chisquare": (lambda o: st.chisquare(o), COUNTS[0]),
    "chisquare_expected_axis1_ddof": (lambda o, e: st.chisquare(o, e, ddof=1, axis=1),
                                      COUNTS * 1.0, COUNTS.mean(axis=1, keepdims=True)),
    "chisquare_float32": (lambda o: tuple(st.chisquare(o)), COUNTS[1].astype(np.float32)),
    "power_divergence_cressie_read": (lambda o: st.power_divergence(
        o, lambda_="cressie-read", axis=None), COUNTS),
    "power_divergence_neyman": (lambda o: st.power_divergence(o, lambda_=-2), COUNTS),
}
STATISTICS.update({  # samples and quantiles given by keyword
    "skew_kurtosis_by_keyword": (lambda x: (st.skew(a=x), st.kurtosis(a=x, axis=1),
                                            st.variation(a=x)), DATA),
    "gmean_trim_mean_mad_by_keyword": (lambda x: (st.gmean(a=np.abs(x) + 1), st.trim_mean(
        a=x, proportiontocut=0.1), st.median_abs_deviation(x=x), st.circmean(samples=x)),
        DATA),
    "quantiles_by_keyword": (lambda p: (st.norm.ppf(q=p), st.t.ppf(q=0.975, df=p * 10),
                                        st.binom.logpmf(k=3, n=10, p=p), st.norm.isf(q=p),
                                        st.chi2.ppf(q=p, df=3), st.norm.cdf(x=p, loc=1)),
                             np.array([0.2, 0.7])),
})
for _m in ("average", "min", "max", "dense", "ordinal"):
    STATISTICS[f"rankdata_{_m}"] = (lambda x, m=_m: st.rankdata(x, m), TIES)
    STATISTICS[f"rankdata_{_m}_axis"] = (lambda x, m=_m: st.rankdata(x, m, axis=1), TIES)
    STATISTICS[f"rankdata_{_m}_ints"] = (lambda x, m=_m: st.rankdata(x, method=m, axis=0),
                                         TIES.astype(int))


@pytest.mark.parametrize("name", list(STATISTICS))
def test_summary_statistics_of_traced_values_are_scipys(name):
    f, *args = STATISTICS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's about constant inputs and NaN
        want = f(*args)
    assert_same(tracenp.jit(f)(*args), want, rtol=1e-12)


def test_nan_policy_raise_raises_scipys_error_when_the_function_runs():
    for f in (lambda x: st.zscore(x, nan_policy="raise"),
              lambda x: st.linregress(x[0], x[1], nan_policy="raise"),
              lambda x: st.ttest_ind(x[:2], x[2:], axis=None, nan_policy="raise"),
              lambda x: st.ttest_rel(x[:2], x[2:4], nan_policy="raise"),
              lambda x: st.rankdata(x, "min", axis=1, nan_policy="raise"),
              lambda x: st.entropy(np.abs(x), nan_policy="raise")):
        assert_same(tracenp.jit(f)(DATA), f(DATA), rtol=1e-12)
        with pytest.raises(ValueError, match="The input contains nan values"):
            f(WITH_NAN)
        with pytest.raises(ValueError, match="The input contains nan values"):
            tracenp.jit(f)(WITH_NAN)


def test_linregress_and_t_tests_raise_as_scipy_does():
    """A constant x, negative counts, a zero expected count and observed and expected sums
    that disagree raise SciPy's ValueErrors when the compiled function runs; "omit" (the
    counts left depend on the data) and a trimmed test are refused naming the option."""
    f = tracenp.jit(lambda x, y: st.linregress(x, y))
    with pytest.raises(ValueError, match="all x values are identical"):
        f(np.ones(4), DATA[0, :4])
    assert_same(f(DATA[0], DATA[1]), st.linregress(DATA[0], DATA[1]), rtol=1e-12)
    with pytest.raises(ValueError, match="incompatible for broadcasting"):
        f(DATA[0], DATA[1, :4])
    with pytest.raises(UnsupportedFunctionError, match="nan_policy='omit'"):
        tracenp.jit(lambda a, b: st.ttest_ind(a, b, nan_policy="omit"))(DATA[0], DATA[1])
    with pytest.raises(UnsupportedFunctionError, match="trim"):
        tracenp.jit(lambda a, b: st.ttest_ind(a, b, trim=0.2))(DATA[0], DATA[1])
    chi2 = tracenp.jit(lambda o: st.chi2_contingency(o))
    with pytest.raises(ValueError, match="must be nonnegative"):
        chi2(-COUNTS)
    with pytest.raises(ValueError, match="expected frequencies has a zero element"):
        chi2(np.where(np.arange(4) == 1, 0, COUNTS))
    with pytest.raises(ValueError, match="sum of the expected frequencies"):
        tracenp.jit(lambda o: st.chisquare(o, COUNTS[1]))(COUNTS[0])
    regress = tracenp.jit(lambda x, y: st.linregress(x[y > 0], y[y > 0]))
    with pytest.raises(ValueError, match="Inputs must not be empty"):
        regress(DATA[0], -np.abs(DATA[1]))
    with pytest.raises(ValueError, match="all x values are identical"):
        regress(np.ones(6), np.abs(DATA[1]))


def test_what_scipys_lazy_array_path_refuses_is_refused_by_name():
    """SciPy refuses some options for lazy arrays (`skew(..., nan_policy="raise")`): a named
    refusal, so `fallback=True` runs SciPy."""
    x = np.r_[DATA[0], np.nan]
    f = lambda x: st.skew(x, nan_policy="raise")
    with pytest.raises(UnsupportedFunctionError, match="lazy arrays"):
        tracenp.jit(f)(x)
    with pytest.warns(tracenp.TracingFallbackWarning), pytest.raises(ValueError,
                                                                     match="contains nan"):
        tracenp.jit(f, fallback=True)(x)
    assert_same(tracenp.jit(f, fallback=True)(DATA[0]), f(DATA[0]))


def test_integer_ranks_of_data_holding_nan_run_in_scipy_under_fallback():
    """SciPy's ranks are floats with NaN then, integers otherwise: the compiled function's
    integer ranks raise, and `fallback=True` runs SciPy."""
    data = np.where(TIES > 1, np.nan, TIES)
    f = lambda x: st.rankdata(x, "min", axis=1)
    with pytest.raises(DataDependentShapeError, match=r"rankdata\(method='min'\) of data "
                                                      r"holding NaN"):
        tracenp.jit(f)(data)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(f, fallback=True)(data), f(data))


def test_pearsonr_refuses_resampling_by_name():
    with pytest.raises(UnsupportedFunctionError, match=r"scipy\.stats\.pearsonr with a "
                                                       r"`method`"):
        tracenp.jit(lambda x: st.pearsonr(x, x ** 2, method=st.PermutationMethod())[0])(X)
    with pytest.raises(UnsupportedFunctionError, match="confidence interval of scipy.stats"):
        tracenp.jit(lambda x: st.pearsonr(x, x ** 2).confidence_interval(
            method=st.BootstrapMethod()).low)(X)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_pearsonr_confidence_intervals_and_its_returned_result_are_scipys(alternative):
    """Fisher's interval of the traced statistic; returned, the result is SciPy's
    `PearsonRResult` (it was tracenp's own, holding tracers), its interval SciPy's too."""
    def f(x, y):
        r = st.pearsonr(x, y, alternative=alternative)
        return tuple(r.confidence_interval(0.9)), r.correlation, r

    y = X ** 2 + np.arange(X.size)
    got, want = tracenp.jit(f)(X, y), f(X, y)
    assert_same(got[:2], want[:2], rtol=1e-12)
    assert type(got[2]) is type(want[2])
    assert_same(tuple(got[2]), tuple(want[2]), rtol=1e-12)
    assert_same(tuple(got[2].confidence_interval()), tuple(want[2].confidence_interval()),
                rtol=1e-12)


def test_summary_statistics_raise_scipys_errors_on_arguments():
    for f, message in [(lambda x: st.rankdata(x, "mean"), 'unknown method "mean"'),
                       (lambda x: st.zscore(x, nan_policy="drop"), "nan_policy must be"),
                       (lambda x: st.entropy(x, base=-1.0), "`base` must be a positive"),
                       (lambda x: st.pearsonr(x, x, alternative="both"), "`alternative`"),
                       (lambda x: st.pearsonr(x[:1], x[:1]), "length at least 2")]:
        with pytest.raises(ValueError, match=message):
            f(np.abs(X))
        with pytest.raises(ValueError, match=message):
            tracenp.jit(f)(np.abs(X))


def _gmm_densities(X, resp):
    """An EM step's M-step then E-step, as Gaussian-mixture code writes it: the covariances
    just estimated go straight into `multivariate_normal.pdf`."""
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    dens = []
    for k in range(resp.shape[1]):
        d = X - means[k]
        cov = (resp[:, k, None] * d).T @ d / nk[k] + 1e-6 * np.eye(X.shape[1])
        dens.append(st.multivariate_normal.pdf(X, mean=means[k], cov=cov))
        dens.append(st.multivariate_normal(means[k], cov, allow_singular=True).logpdf(X[:3]))
    return dens


def test_multivariate_normal_of_a_traced_covariance():
    """`multivariate_normal` of a covariance computed in the function (`_PSD` traced: eigh,
    SciPy's checks when the function runs), for two data sets."""
    for seed in (3, 4):
        r = np.random.default_rng(seed)
        X, resp = r.normal(size=(30, 3)), r.dirichlet(np.ones(2), 30)
        assert_same(tracenp.jit(_gmm_densities)(X, resp), _gmm_densities(X, resp), rtol=1e-10)


def test_a_traced_covariance_raises_scipys_errors_when_the_function_runs():
    """Not positive semidefinite: SciPy's ValueError; singular: its LinAlgError, and where
    SciPy allows it (its rank and support are values then) DataDependentShapeError, so
    `fallback=True` runs SciPy."""
    x = np.zeros((2, 3))
    f = tracenp.jit(lambda x, c, a: st.multivariate_normal.logpdf(x, cov=c, allow_singular=a),
                    static_argnums=2)
    with pytest.raises(ValueError, match="symmetric positive semidefinite"):
        f(x, -np.eye(3), False)
    singular = np.diag([1.0, 1.0, 0.0])
    with pytest.raises(np.linalg.LinAlgError, match="symmetric positive definite"):
        f(x, singular, False)
    with pytest.raises(DataDependentShapeError, match="singular covariance"):
        f(x, singular, True)
