"""Constant `scipy.sparse` matrices applied to traced arrays (`tracenp/numpy_api/scipy_sparse.py`):
products either side, `.dot`, a sparse matrix's `*`, and `spsolve`, made in the function or
outside it, give SciPy's values (to the order of the sums) and types; a sparse matrix made
in the function from constants keeps its values; one built from traced values is refused."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.sparse.linalg import spsolve

import tracenp
from test_ops import assert_same

OUTSIDE = sp.random(6, 6, density=0.5, random_state=1, format="csr") + sp.eye(6)
U = np.sin(np.linspace(0.0, 3.0, 6))
X = np.arange(18.0).reshape(3, 6)


def explicit_heat(u, steps=5):
    n = len(u)
    lap = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n))
    for _ in range(steps):
        u = u + 0.2 * (lap @ u)
    return u


def crank_nicolson(u, steps=4, r=0.4):
    n = len(u)
    a = sp.diags([-r, 2 + 2 * r, -r], [-1, 0, 1], shape=(n, n), format="csc")
    b = sp.diags([r, 2 - 2 * r, r], [-1, 0, 1], shape=(n, n), format="csr")
    for _ in range(steps):
        u = spsolve(a, b @ u)
    return u


def products_of_a_matrix_made_outside(u, x):
    return (OUTSIDE.dot(u), x @ OUTSIDE, OUTSIDE * u, sla.spsolve(OUTSIDE.tocsc(), u),
            (OUTSIDE @ x.T).sum(), OUTSIDE.toarray() @ u)


CASES = {"explicit_heat": (explicit_heat, (U,)), "crank_nicolson": (crank_nicolson, (U,)),
         "outside": (products_of_a_matrix_made_outside, (U, X))}


@pytest.mark.parametrize("name", list(CASES))
def test_constant_sparse_matrices_apply_to_traced_arrays(name):
    f, args = CASES[name]
    assert_same(tracenp.jit(f)(*args), f(*args), rtol=1e-12)


def test_a_sparse_matrix_made_in_the_function_keeps_its_values():
    """SciPy's constructors fill NumPy arrays in Cython: made from traced arrays (as NumPy's
    functions give them while tracing) the matrix came out empty."""
    def dense_of_csc(u):
        return sp.diags([-0.4, 2.8, -0.4], [-1, 0, 1], shape=(4, 4), format="csc").toarray() @ u

    assert_same(tracenp.jit(dense_of_csc)(U[:4]), dense_of_csc(U[:4]), rtol=1e-12)


def test_a_sparse_matrix_of_traced_values_is_refused_by_name():
    def scaled(u, k):
        return sp.diags([k, -2 * k, k], [-1, 0, 1], shape=(4, 4)) @ u

    with pytest.raises(tracenp.errors.TracingError):
        tracenp.jit(scaled)(U[:4], np.array(0.5))
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(scaled, fallback=True)(U[:4], np.array(0.5)),
                    scaled(U[:4], np.array(0.5)))
