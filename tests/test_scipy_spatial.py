"""`scipy.spatial.distance` of traced arrays gives SciPy's values, dtypes, shapes, errors and
gradients: `cdist`, `pdist` and `squareform` (routed), the pairwise functions, and
`scipy.spatial.distance_matrix`. Values are compared with SciPy's at rtol 1e-12 for float64
results (`assert_same`: same type, dtype and shape), unless a case says otherwise."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import scipy.spatial as S
import scipy.spatial.distance as D
from scipy.spatial import distance
from scipy.spatial.distance import cdist, pdist, squareform

import tracenp
from tracenp.errors import UnsupportedFunctionError
from test_grad import numeric_grad
from test_ops import assert_same

_R = np.random.default_rng(7)
XA = _R.standard_normal((5, 4))
XB = _R.standard_normal((3, 4))
IA = _R.integers(-1, 3, (6, 4))  # 0s, 1s and other values: the boolean metrics' edge cases
IB = _R.integers(-1, 3, (4, 4))
BA, BB = _R.random((7, 5)) > 0.5, _R.random((4, 5)) > 0.4
PA, PB = _R.random((5, 4)) + 0.05, _R.random((3, 4)) + 0.05  # probabilities, for jensenshannon
W4, W5 = _R.uniform(0.2, 2.0, 4), _R.uniform(0.2, 2.0, 5)

CONTINUOUS = ["euclidean", "sqeuclidean", "cityblock", "chebyshev", "minkowski", "seuclidean",
              "mahalanobis", "cosine", "correlation", "braycurtis", "canberra"]
BOOLEAN = ["hamming", "jaccard", "dice", "rogerstanimoto", "russellrao", "yule", "sokalsneath"]
WEIGHTED = ["euclidean", "sqeuclidean", "cityblock", "chebyshev", "minkowski", "cosine",
            "correlation", "braycurtis", "canberra"] + BOOLEAN


def scipys(fn, *args):
    """SciPy's result, or the exception it raises."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except Exception as e:  # noqa: BLE001 - the oracle's error is the expected one
            return None, e


def check(fn, *args, rtol=1e-12):
    """`jit(fn)` gives SciPy's value (rtol for float64), or raises SciPy's exception type."""
    want, error = scipys(fn, *args)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if error is not None:  # SciPy's type, and its message where it is Python's
            with pytest.raises(type(error)) as raised:
                tracenp.jit(fn)(*args)
            if "_wrap()" not in str(error) and "incompatible function" not in str(error):
                assert str(raised.value).startswith(str(error)), (raised.value, error)
            return
        got = tracenp.jit(fn)(*args)
    assert_same(got, want, rtol=rtol)


def _cdist_cases():
    for name in CONTINUOUS + BOOLEAN:
        for label, a, b in [("f64", XA, XB), ("f32", XA.astype(np.float32),
                                               XB.astype(np.float32)),
                            ("int", IA, IB), ("bool", BA, BB), ("one_row", XA[:1], XB[:1])]:
            if name == "mahalanobis" and label in ("bool", "one_row"):
                continue  # a singular covariance: np.linalg.inv raises, SciPy's and ours
            yield name, label, a, b


@pytest.mark.parametrize("name,label,a,b", list(_cdist_cases()),
                         ids=[f"{n}-{lab}" for n, lab, _, _ in _cdist_cases()])
def test_cdist_and_pdist_of_each_metric_name_are_scipys(name, label, a, b):
    check(lambda x, y: cdist(x, y, name), a, b)
    check(lambda x, y: D.cdist(x, y, metric=name), a, b)
    check(lambda x: pdist(x, name), np.concatenate([a, b]))


@pytest.mark.parametrize("name", ["jensenshannon", "js"])
def test_jensenshannon_by_name_is_scipys_c_loop(name):
    check(lambda x, y: cdist(x, y, name), PA, PB)
    check(lambda x: pdist(x, name), PA)
    negative = np.array([[0.2, -0.1, 0.9], [0.0, 0.0, 0.0], [1.0, 2.0, 0.0]])
    check(lambda x: pdist(x, name), negative)  # inf for a negative value or a zero sum


@pytest.mark.parametrize("alias,canonical", [("euclid", "euclidean"), ("sqe", "sqeuclidean"),
                                             ("cb", "cityblock"), ("cheb", "chebyshev"),
                                             ("pnorm", "minkowski"), ("cos", "cosine"),
                                             ("matching", "hamming"), ("Mahal", "mahalanobis"),
                                             ("CO", "correlation"), ("s", "seuclidean")])
def test_metric_aliases_are_scipys(alias, canonical):
    check(lambda x, y: cdist(x, y, alias), XA, XB)
    check(lambda x: pdist(x, alias), np.concatenate([XA, XB]))


@pytest.mark.parametrize("p", [1, 1.5, 2, 3, 0.5, np.inf])
def test_minkowski_orders_with_and_without_weights(p):
    check(lambda x, y: cdist(x, y, "minkowski", p=p), XA, XB)
    check(lambda x, y, w: cdist(x, y, "minkowski", p=p, w=w), XA, XB, W4)
    check(lambda x: pdist(x, "minkowski", p=p, w=W4), XA)
    check(lambda x, y: cdist(x, y, D.minkowski, p=p, w=W4), XA, XB)


def test_minkowski_order_p_at_or_below_zero():
    """By name SciPy's pybind11 loop takes any p (inf for p = 0); its function refuses."""
    check(lambda x, y: cdist(x, y, "minkowski", p=0), XA, XB)
    check(lambda x: pdist(x, "minkowski", p=-1.0), XA)
    with pytest.raises(ValueError, match="p must be greater than 0"):
        tracenp.jit(lambda x, y: cdist(x, y, D.minkowski, p=0))(XA, XB)
    with pytest.raises(ValueError, match="p must be greater than 0"):
        tracenp.jit(lambda u: D.minkowski(u, XB[0], p=-2))(XA[0])


@pytest.mark.parametrize("name", WEIGHTED)
def test_weighted_metrics_are_scipys(name):
    a, b = (IA, IB) if name in BOOLEAN else (XA, XB)  # no row constant where weighted
    check(lambda x, y, w: cdist(x, y, name, w=w), XA, XB, W4)
    check(lambda x: pdist(x, name, w=W4), a.astype(float))
    if name != "correlation":  # of a constant row: SciPy's rounding noise, or 0 / 0
        check(lambda x, y: cdist(x, y, name, w=W5), BA, BB)
    zeros = W4.copy()
    zeros[1] = 0.0
    check(lambda x, y, w: cdist(x, y, name, w=w), a, b, zeros)


def test_seuclidean_and_mahalanobis_defaults_and_given_parameters():
    X = np.concatenate([XA, XB])
    V = _R.uniform(0.5, 2.0, 4)
    M = _R.standard_normal((4, 4))
    VI = M @ M.T + 4 * np.eye(4)
    check(lambda x, y: cdist(x, y, "seuclidean"), XA, XB)  # var(ddof=1) of both
    check(lambda x, y, v: cdist(x, y, "seuclidean", V=v), XA, XB, V)
    check(lambda x, v: pdist(x, "seuclidean", V=v), X, V)
    check(lambda x, y: cdist(x, y, "mahalanobis"), XA, XB)  # inv(cov) of both
    check(lambda x: pdist(x, "mahalanobis"), X)
    check(lambda x, y, vi: cdist(x, y, "mahalanobis", VI=vi), XA, XB, VI)
    check(lambda x, vi: pdist(x, "mahalanobis", VI=vi), XA[:2], VI)
    check(lambda x, y: cdist(x, y, D.seuclidean, V=V), XA, XB)
    check(lambda x, y: cdist(x, y, D.mahalanobis, VI=VI), XA, XB)
    check(lambda x: pdist(x, D.mahalanobis), X)


def test_other_input_forms():
    """float16 and uint8 rows, lists of traced rows, traced weights of constant rows, and a
    Minkowski order passed as an argument (made static)."""
    check(lambda x, y: cdist(x, y, "sqeuclidean"), (XA * 10).astype(np.float16),
          (XB * 10).astype(np.uint8))
    check(lambda x: pdist(x.astype(np.float16), "cosine"), XA)
    check(lambda x: cdist([x[0], x[1] * 2.0], XB), XA)
    check(lambda w: cdist(XA, XB, "cityblock", w=w), W4)
    check(lambda x, p: cdist(x, XB, "minkowski", p=p), XA, 3.0)
    check(lambda x, p: D.minkowski(x[0], x[1], p), XA, 1.5)
    check(lambda x, p: pdist(x, D.minkowski, p=p, w=W4), XA, 3.0)
    with pytest.raises(UnsupportedFunctionError, match="long|float128"):
        tracenp.jit(lambda x: cdist(x, x))(XA.astype(np.longdouble))


def test_empty_inputs_where_scipy_allows_them():
    check(lambda x, y: cdist(x, y), np.zeros((0, 4)), XB)
    check(lambda x, y: cdist(x, y, "cityblock"), XA, np.zeros((0, 4)))
    check(lambda x: pdist(x), np.zeros((0, 3)))
    check(lambda x: pdist(x, "cosine"), np.zeros((1, 3)))
    for name in ["euclidean", "chebyshev", "cosine", "hamming", "dice", "jaccard", "yule"]:
        check(lambda x, y: cdist(x, y, name), np.zeros((2, 0)), np.zeros((3, 0)))


def test_nan_and_inf_values_follow_scipys_loops():
    A = XA.copy()
    A[1, 2], A[3, 0] = np.nan, np.inf
    for name in ["euclidean", "chebyshev", "cityblock", "canberra", "braycurtis", "cosine",
                 "hamming", "jaccard", "minkowski"]:
        check(lambda x, y: cdist(x, y, name), A, XB)
        check(lambda x: pdist(x, name), A)
    check(lambda x, y: cdist(x, y, "chebyshev", w=W4), A, XB)
    zeros = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    check(lambda x: pdist(x, "canberra"), zeros)  # 0/0 terms count 0


def test_scipys_functions_as_metric_convert_and_validate_as_scipy_does():
    for name in CONTINUOUS + BOOLEAN + ["jensenshannon"]:
        if name in ("seuclidean", "mahalanobis"):
            continue  # with their parameters above
        a, b = (PA, PB) if name == "jensenshannon" else (IA, IB)
        check(lambda x, y: cdist(x, y, getattr(D, name)), a, b)
        check(lambda x: pdist(x, getattr(distance, name)), a)
        check(lambda x, y: cdist(x, y, getattr(D, name)), BA, BB)
        check(lambda x, y: cdist(x, y, "test_" + name), a, b)
    check(lambda x, y: cdist(x, y, D.jensenshannon, base=2.0), PA, PB)
    check(lambda x, y: cdist(x, y, D.correlation, centered=False), XA, XB)
    check(lambda x, y: cdist(x, y, D.hamming, w=W4), IA, IB)


def test_scipys_function_metrics_raise_their_errors_of_values_when_the_function_runs():
    nan_rows = XA.copy()
    nan_rows[0, 0] = np.nan
    f = tracenp.jit(lambda x, y: cdist(x, y, D.euclidean))
    np.testing.assert_allclose(f(XA, XB), cdist(XA, XB), rtol=1e-12)
    with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
        f(nan_rows, XB)
    g = tracenp.jit(lambda x, y: cdist(x, y, D.sokalsneath))
    assert_same(g(BA, BB), cdist(BA, BB, D.sokalsneath), rtol=1e-12)
    with pytest.raises(ValueError, match="Sokal-Sneath dissimilarity is not defined"):
        g(np.zeros((2, 3), bool), np.zeros((1, 3), bool))
    check(lambda x, y: cdist(x, y, D.rogerstanimoto, w=np.zeros(5)), BA, BB)
    check(lambda x, y: cdist(x, y, D.chebyshev), np.zeros((2, 0)), np.zeros((1, 0)))
    check(lambda x, y: cdist(x, y, D.chebyshev), nan_rows, XB)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
def test_pairwise_functions_give_scipys_values_and_types(dtype):
    u, v = IA[0].astype(dtype), IA[1].astype(dtype)
    if dtype == np.bool_:
        u, v = BA[0], BA[1]
    rtol = 1e-6 if dtype == np.float32 else 1e-12  # BLAS's float32 nrm2 for euclidean
    for name in ["euclidean", "sqeuclidean", "cityblock", "chebyshev", "minkowski", "cosine",
                 "correlation", "braycurtis", "canberra", "hamming", "jaccard", "dice",
                 "rogerstanimoto", "russellrao", "yule", "sokalsneath"]:
        check(lambda a, b: getattr(D, name)(a, b), u, v, rtol=rtol)
        w = W4 if u.size == 4 else W5
        check(lambda a, b, w: getattr(D, name)(a, b, w=w), u, v, w, rtol=rtol)
    check(lambda a, b: D.minkowski(a, b, 3), u, v, rtol=rtol)
    check(lambda a, b: D.minkowski(a, b, np.inf), u, v, rtol=rtol)


def test_pairwise_functions_with_parameters():
    u, v = XA[0], XA[1]
    V = _R.uniform(0.5, 2.0, 4)
    check(lambda a, b: D.seuclidean(a, b, V), u, v)
    check(lambda a, b, vi: D.mahalanobis(a, b, vi), u, v, np.eye(4) * 2.0)
    check(lambda a, b: D.jensenshannon(a, b), PA[0], PA[1])
    check(lambda a, b: D.jensenshannon(a, b, base=2.0), PA, PB[:1], )
    check(lambda a, b: D.euclidean(a, b), XA[0], np.array([0.0, np.nan, 1.0, 2.0]))


def test_pairwise_functions_errors_of_values_raise_when_the_function_runs():
    f = tracenp.jit(lambda a, b: D.sokalsneath(a, b))
    assert_same(f(BA[0], BA[1]), D.sokalsneath(BA[0], BA[1]), rtol=1e-12)
    with pytest.raises(ValueError, match="Sokal-Sneath"):
        f(np.zeros(3, bool), np.zeros(3, bool))
    g = tracenp.jit(lambda a, b, w: D.jaccard(a, b, w))
    assert_same(g(BA[0], BA[1], W5), D.jaccard(BA[0], BA[1], W5), rtol=1e-12)
    with pytest.raises(ValueError, match="Input weights should be all non-negative"):
        g(BA[0], BA[1], -W5)
    assert_same(tracenp.jit(lambda a, b: D.jaccard(a, b))(np.zeros(3), np.zeros(3)),
                np.float64(0.0))
    assert_same(tracenp.jit(lambda a, b: D.yule(a, b))(BA[0], BA[0]), 0.0)
    with pytest.raises(ValueError, match="Input vector should be 1-D"):
        tracenp.jit(lambda a: D.euclidean(a, a))(XA)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.bool_])
def test_squareform_round_trips_keep_the_dtype(dtype):
    y = pdist(XA).astype(dtype)
    check(lambda v: squareform(v), y)
    check(lambda v: squareform(squareform(v)), y)
    check(lambda v: squareform(v, force="tomatrix", checks=False), y)
    check(lambda x: squareform(pdist(x)), XA)
    check(lambda x: squareform(squareform(pdist(x)), force="tovector"), XA)
    check(lambda v: squareform(v), np.zeros(0, dtype))
    check(lambda m: squareform(m), np.zeros((1, 1), dtype))
    check(lambda v: squareform(v), np.ones(1, dtype))


def test_squareform_checks_shapes_while_tracing_and_values_when_run():
    for bad in [np.ones(4), np.ones((2, 3)), np.ones((2, 2, 2))]:
        check(lambda x: squareform(x), bad)
    check(lambda x: squareform(x, force="tovector"), np.ones(3))
    check(lambda x: squareform(x, force="tomatrix"), np.zeros((3, 3)))
    f = tracenp.jit(lambda m: squareform(m))
    good = squareform(pdist(XA))
    assert_same(f(good), squareform(good))
    asymmetric, diagonal = good.copy(), good.copy()
    asymmetric[0, 1] += 1.0
    diagonal[2, 2] = 1.0
    with pytest.raises(ValueError, match="Distance matrix 'X' must be symmetric."):
        f(asymmetric)
    with pytest.raises(ValueError, match="Distance matrix 'X' diagonal must be zero."):
        f(diagonal)
    unchecked = tracenp.jit(lambda m: squareform(m, checks=False))
    assert_same(unchecked(asymmetric), squareform(asymmetric, checks=False))


def test_input_errors_are_scipys_while_tracing():
    for fn, args in [
        (lambda x, y: cdist(x, y), (XA[0], XB)),
        (lambda x, y: cdist(x, y), (XA, XB[0])),
        (lambda x, y: cdist(x, y), (XA, np.ones((2, 3)))),
        (lambda x: pdist(x), (XA[0],)),
        (lambda x: pdist(x), (XA[None],)),
        (lambda x, y: cdist(x, y, "foo"), (XA, XB)),
        (lambda x, y: cdist(x, y, "test_foo"), (XA, XB)),
        (lambda x, y: cdist(x, y, 3), (XA, XB)),
        (lambda x, y: cdist(x, y, "euclidean", p=3), (XA, XB)),
        (lambda x, y: cdist(x, y, "cosine", p=3), (XA, XB)),
        (lambda x, y: cdist(x, y, "mahalanobis", VI=np.eye(4), w=W4), (XA, XB)),
        (lambda x, y: cdist(x, y, "euclidean", w=np.ones((1, 4))), (XA, XB)),
        (lambda x, y: cdist(x, y, "euclidean", w=np.ones(3)), (XA, XB)),
        (lambda x, y: cdist(x, y, D.hamming, w=np.ones(3)), (XA, XB)),
        (lambda x, y: cdist(x, y, "seuclidean", V=np.ones((4, 4))), (XA, XB)),
        (lambda x, y: cdist(x, y, "seuclidean", V=np.ones(3)), (XA, XB)),
        (lambda x: pdist(x, "mahalanobis"), (XA[:4],)),
        (lambda x, y: cdist(x, y), (XA + 0j, XB)),
        (lambda x, y: cdist(x, y, out=np.zeros((2, 2))), (XA, XB)),
    ]:
        check(fn, *args)


def test_negative_weights_raise_when_the_function_runs():
    f = tracenp.jit(lambda x, y, w: cdist(x, y, "euclidean", w=w))
    assert_same(f(XA, XB, W4), cdist(XA, XB, w=W4), rtol=1e-12)
    with pytest.raises(ValueError, match="Input weights should be all non-negative"):
        f(XA, XB, -W4)
    g = tracenp.jit(lambda x, w: pdist(x, "cosine", w=w))
    with pytest.raises(ValueError, match="Input weights should be all non-negative"):
        g(XA, -W4)


def test_a_gradient_inside_jit_keeps_the_weights_check():
    f = tracenp.jit(tracenp.grad(lambda w: cdist(XA, XB, "euclidean", w=w).sum()))
    np.testing.assert_allclose(
        f(W4), numeric_grad(lambda w: cdist(XA, XB, "euclidean", w=w).sum(), [W4])[0],
        rtol=1e-6)
    with pytest.raises(ValueError, match="Input weights should be all non-negative"):
        f(-W4)


def test_out_is_written_and_checked():
    def into(x, y, o):
        r = cdist(x, y, "sqeuclidean", out=o)
        return r, o

    got, written = tracenp.jit(into)(XA, XB, np.zeros((5, 3)))
    assert_same(got, cdist(XA, XB, "sqeuclidean"), rtol=1e-12)
    assert_same(written, got)
    buf = np.zeros(10)
    tracenp.jit(lambda x, o: pdist(x, "cosine", out=o))(XA, buf)
    np.testing.assert_allclose(buf, pdist(XA, "cosine"), rtol=1e-12)
    with pytest.raises(ValueError, match="wrong out dtype, expected float64"):
        tracenp.jit(lambda x, y, o: cdist(x, y, out=o))(XA, XB, np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="Output array must be double type."):
        tracenp.jit(lambda x, o: pdist(x, "cosine", out=o))(XA, np.zeros(10, np.float32))


def test_a_python_function_metric_and_complex_rows_are_refused_by_name():
    with pytest.raises(UnsupportedFunctionError, match="metric='my_distance'"):
        def my_distance(u, v):
            return np.abs(u - v).sum()

        tracenp.jit(lambda x, y: cdist(x, y, my_distance))(XA, XB)
    with pytest.raises(UnsupportedFunctionError, match="complex128"):
        tracenp.jit(lambda x, y: cdist(x, y, "cosine"))(XA + 0j, XB)
    with pytest.raises(UnsupportedFunctionError, match="VI of shape"):
        tracenp.jit(lambda x, y: cdist(x, y, "mahalanobis", VI=np.eye(3)))(XA, XB)


def test_calls_without_a_traced_argument_are_scipys_own():
    f = tracenp.jit(lambda x: x * cdist(XA, XB, "cosine") + pdist(XB).sum())
    assert_same(f(2.0), 2.0 * cdist(XA, XB, "cosine") + pdist(XB).sum())
    assert D.cdist is cdist and cdist.__module__ == "scipy.spatial.distance"
    assert D.minkowski.__code__.co_filename.endswith("scipy/spatial/distance.py")


def test_the_three_import_forms_are_routed():
    def by_names(x, y):
        return cdist(x, y, "cityblock") + squareform(pdist(np.concatenate([x, y])))[:5, 5:]

    def by_module(x, y):
        return D.cdist(x, y, "cityblock") + distance.cdist(x, y)

    check(by_names, XA, XB)
    check(by_module, XA, XB)


def test_a_function_importing_scipy_spatial_in_its_body_is_routed_on_its_first_call():
    """In a fresh process, and a module that binds no function of scipy.spatial.distance by
    name (whose namespace would then be reachable from the traced functions)."""
    code = textwrap.dedent("""
        import numpy as np, tracenp
        def kernel(x):
            from scipy.spatial.distance import cdist
            return np.exp(-cdist(x, x, "sqeuclidean"))
        x = np.linspace(0, 1, 12).reshape(4, 3)
        got = tracenp.jit(kernel)(x)
        import scipy.spatial.distance as D
        np.testing.assert_allclose(got, np.exp(-D.cdist(x, x, "sqeuclidean")), rtol=1e-13)
        assert D.cdist.__module__ == "scipy.spatial.distance"
        u, v = np.array([1.0, 0.0, 1.0, 2.0]), np.array([0.0, 1.0, 1.0, 0.0])
        for name in ["dice", "rogerstanimoto", "russellrao", "yule", "sokalsneath", "jaccard",
                     "euclidean", "seuclidean", "minkowski", "cosine", "chebyshev"]:
            args = (u, v, np.ones(4)) if name == "seuclidean" else (u, v)
            f = lambda *a: getattr(D, name)(*a)
            got, want = tracenp.jit(f)(*args), f(*args)
            assert type(got) is type(want) and np.allclose(got, want, rtol=1e-13), name
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.strip() == "ok", out.stderr


def rbf(X, Y, ell):
    return np.exp(-cdist(X, Y, "sqeuclidean") / ell).sum()


def stress(Z, target):
    return ((pdist(Z) - target) ** 2).sum()


GRADIENTS = {
    "rbf_kernel": (lambda x: rbf(x, XB, 1.5), XA),
    "rbf_kernel_of_both": (lambda x: rbf(x, x * 0.5 + 1.0, 0.7), XA),
    "mds_stress": (lambda z: stress(z, pdist(XA)), _R.standard_normal((5, 2))),
    "weighted_euclidean": (lambda x: cdist(x, XB, "euclidean", w=W4).sum(), XA),
    "cosine_pdist": (lambda x: pdist(x, "cosine").sum(), XA),
    "correlation": (lambda x: (cdist(x, XB, "correlation") ** 2).sum(), XA),
    "cityblock": (lambda x: cdist(x, XB, "cityblock").sum(), XA),
    "minkowski_3": (lambda x: pdist(x, "minkowski", p=3).sum(), XA),
    "seuclidean_default_v": (lambda x: pdist(x, "seuclidean").sum(), XA),
    "mahalanobis_given": (lambda x: cdist(x, XB, "mahalanobis", VI=np.eye(4) * 2).sum(), XA),
    "squareform_of_pdist": (lambda x: (squareform(pdist(x)) ** 2 @ np.arange(5.0)).sum(), XA),
    "euclidean_function": (lambda x: D.euclidean(x[0], x[1]) + D.cosine(x[2], x[3]), XA),
    "distance_matrix": (lambda x: S.distance_matrix(x, XB).sum(), XA),
    "minkowski_distance": (lambda x: S.minkowski_distance(x, XB[:1], p=3).sum(), XA),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_match_central_differences(name):
    f, x = GRADIENTS[name]
    got = tracenp.grad(f)(x)
    np.testing.assert_allclose(got, numeric_grad(f, [x])[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x), got, rtol=1e-12, atol=1e-14)


def test_distance_matrix_and_minkowski_distance_trace():
    check(lambda x, y: S.distance_matrix(x, y), XA, XB)
    check(lambda x, y: S.distance_matrix(x, y, p=1), XA, XB)
    check(lambda x, y: S.minkowski_distance(x, y), XA, XB[:1])
    check(lambda x, y: S.minkowski_distance_p(x, y, p=np.inf), XA, XB[:1])


# ----------------------------------------------------------------------------- transforms

from scipy.spatial.transform import RigidTransform, Rotation  # noqa: E402

QUATS = _R.standard_normal((5, 4))
ANGLES = _R.uniform(-1.0, 1.0, (5, 3))

TRANSFORMS = {
    "quat_to_matrix": (lambda q: Rotation.from_quat(q).as_matrix(), QUATS[0]),
    "quats_to_euler_degrees": (lambda q: Rotation.from_quat(q).as_euler("zyx", degrees=True),
                               QUATS),
    "euler_to_quat": (lambda e: Rotation.from_euler("xyz", e).as_quat(), ANGLES),
    "rotvec_apply": (lambda e, v: Rotation.from_rotvec(e[0]).apply(v), ANGLES, XA[:, :3]),
    "matrix_to_rotvec": (lambda q: Rotation.from_matrix(
        Rotation.from_quat(q).as_matrix()).as_rotvec(), QUATS),
    "compose_inverse_magnitude": (lambda q, e: ((Rotation.from_quat(q) * Rotation.from_euler(
        "z", e[:, :1])).inv()).magnitude(), QUATS, ANGLES),
    "scalar_first_canonical": (lambda q: Rotation.from_quat(q, scalar_first=True).as_quat(
        canonical=True), QUATS),
    "rigid_transform_apply": (lambda e, v: RigidTransform.from_components(
        v[0], Rotation.from_rotvec(e[1])).apply(v), ANGLES, XA[:, :3]),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_rotations_of_traced_values_are_scipys(name):
    """A `Rotation` made while tracing uses SciPy's array-API backend, whose NumPy calls
    trace (its Cython one reads the arrays' memory and refused traced values)."""
    f, *args = TRANSFORMS[name]
    assert_same(tracenp.jit(f)(*args), f(*args), rtol=1e-12, scale=1e-13)
