"""`scipy.stats.norm`'s functions of traced values give SciPy's values, types and NaNs."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.stats as st
from scipy.stats import norm
from scipy.stats._distn_infrastructure import rv_continuous

import tracenp
from tracenp.errors import ConcretizationError
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


def test_other_distributions_are_scipys_own_and_the_methods_come_back():
    f = tracenp.jit(lambda x: st.expon.cdf(2.0) * x)  # no traced argument: SciPy's run
    assert_same(f(X), st.expon.cdf(2.0) * X)
    with pytest.raises(ConcretizationError):
        tracenp.jit(lambda x: st.expon.cdf(x))(X)
    assert rv_continuous.cdf.__module__ == "scipy.stats._distn_infrastructure"
    assert norm.cdf(0.5) == st.norm.cdf(0.5)


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
