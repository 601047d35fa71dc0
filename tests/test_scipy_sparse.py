"""Constant `scipy.sparse` matrices applied to traced arrays (`tracenp/numpy_api/scipy_sparse.py`):
products either side, `.dot`, a sparse matrix's `*`, and `spsolve`, made in the function or
outside it, give SciPy's values (to the order of the sums) and types; a sparse matrix made
in the function from constants keeps its values; matrices of traced triplets, diagonals,
dense arrays and item writes, and what arithmetic makes of them, give SciPy's values, their
nonzero structure refused by name; `csgraph` of traced adjacencies runs on the host."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.sparse.linalg import spsolve

import tracenp
from test_ops import assert_same
from tracenp.errors import DataDependentShapeError, UnsupportedFunctionError

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


def _lil_assembly(k):
    K = sp.lil_matrix((3, 3))
    K[0, 0] += k[0]
    K[1, 1] += k[1]
    K[0, 1] = k[2]
    return K.toarray()


def _dok_assembly(k):
    K = sp.dok_matrix((3, 3))
    K[0, 0] += k[0]
    K[2, 1] = 5 * k[1]
    return K.tocsr().toarray()


def _csr(e, w):
    return sp.csr_matrix((w, (e[:, 0], e[:, 1])), shape=(4, 4))


EDGES, WEIGHTS, K3 = np.array([[0, 1], [1, 2], [2, 3]]), np.array([1.0, 2.0, 3.0]), U[:3] + 1
# name: (function, arguments): matrices of traced values and what arithmetic makes of them
TRACED = {
    "diags_of_a_traced_scalar": (lambda u, k: sp.diags([k, -2 * k, k], [-1, 0, 1],
                                                       shape=(4, 4)) @ u, (U[:4], np.array(0.5))),
    "diags_bands": (lambda k: sp.diags([-k[1:], 2 * k, -k[1:]], [-1, 0, 1]).toarray(), (K3,)),
    "diags_one_and_csr": (lambda k: (sp.diags(k).toarray(),
                                     sp.diags_array(k, offsets=1, format="csr").toarray()), (K3,)),
    "coo_transposed": (lambda e, w: sp.coo_matrix((w, (e[:, 0], e[:, 1])),
                                                  shape=(4, 4)).T.toarray(), (EDGES, WEIGHTS)),
    "scalar_times": (lambda e, w: ((0.1 * _csr(e, w)).toarray(), (_csr(e, w) / 2).toarray(),
                                   (-_csr(e, w)).toarray()), (EDGES, WEIGHTS)),
    "sparse_products": (lambda e, w: ((_csr(e, w) @ _csr(e, w)).toarray(),
                                      (_csr(e, w).T @ _csr(e, w)).toarray(),
                                      (sp.identity(4, format="csr") @ _csr(e, w)).toarray()),
                        (EDGES, WEIGHTS)),
    "sums_with_constants": (lambda e, w: ((_csr(e, w) + sp.identity(4)).toarray(),
                                          (sp.identity(4, format="csc") - 0.1 * _csr(e, w).T)
                                          .toarray(), _csr(e, w).multiply(2.0).toarray()),
                            (EDGES, WEIGHTS)),
    "katz_by_spsolve": (lambda e, w: spsolve((sp.identity(4, format="csc") -
                                              0.1 * _csr(e, w).T).tocsc(), np.ones(4)),
                        (EDGES, WEIGHTS)),
    "csr_of_a_traced_array": (lambda a: (sp.csr_matrix(a) @ np.ones(4), sp.csc_array(a).sum()),
                              (np.arange(16.0).reshape(4, 4) % 3,)),
    "slices_and_diagonal": (lambda e, w: (_csr(e, w).tocsr()[1:, 1:].toarray(),
                                          _csr(e, w).diagonal(1), _csr(e, w)[0, 1],
                                          _csr(e, w).tocsc()[:, 1].toarray(),
                                          _csr(e, w)[-1].toarray()),
                            (EDGES, WEIGHTS)),
    "spdiags_of_weights": (lambda w: (sp.spdiags(w, 0, 3, 3).toarray(), sp.spdiags(
        np.vstack([w, -w, 2 * w]), [0, -1, 2], 3, 4).toarray()), (K3,)),
    "elementwise_and_counts": (lambda a: (
        sp.csc_matrix(a).getnnz(axis=0), sp.csr_matrix(a).max(axis=0).toarray(),
        sp.csr_matrix(a).log1p().toarray(), sp.csr_matrix(a).power(2).toarray(),
        (sp.csr_matrix(a) > 0).sum(axis=1), sp.csr_matrix(a).max(),
        abs(sp.csr_matrix(-a)).sqrt().toarray()), (np.arange(12.0).reshape(4, 3) % 5,)),
    "lil_assembly": (_lil_assembly, (K3,)),
    "dok_assembly": (_dok_assembly, (K3,)),
}


@pytest.mark.parametrize("name", list(TRACED))
def test_sparse_matrices_of_traced_values(name):
    """Matrices of traced diagonals, triplets, dense arrays and item writes, and their
    transposes, scalings, sums, products, slices and solves: SciPy's values."""
    fn, args = TRACED[name]
    assert_same(tracenp.jit(fn)(*args), fn(*args), rtol=1e-12)


def test_the_structure_of_a_traced_sparse_matrix_is_refused_by_name():
    with pytest.raises(UnsupportedFunctionError, match="nnz"):
        tracenp.jit(lambda k: sp.diags(k).nnz)(K3)
    with pytest.raises(UnsupportedFunctionError, match="row or column"):
        tracenp.jit(lambda k: sp.diags_array(k).tocsr()[0])(K3)


def test_csgraph_of_traced_adjacencies_runs_on_the_host():
    """Shortest paths, the Laplacian and connected components of a dense adjacency or of a
    matrix of traced triplets: SciPy's values, computed when the function runs."""
    import scipy.sparse.csgraph as csgraph

    def graph(a, e, w):
        return (csgraph.shortest_path(a, directed=False), csgraph.laplacian(a, normed=True),
                csgraph.connected_components(a), csgraph.dijkstra(_csr(e, w), indices=0),
                csgraph.laplacian(_csr(e, w) + _csr(e, w).T).toarray())

    a = (np.random.default_rng(3).random((5, 5)) > 0.5) * np.arange(25.0).reshape(5, 5)
    assert_same(tracenp.jit(graph)(a, EDGES, WEIGHTS), graph(a, EDGES, WEIGHTS), rtol=1e-12)


def _from_triplets(y_true, y_pred, k, w):
    n = len(k) + 1
    ones = np.ones(y_true.shape[0], dtype=np.int64)
    cm = sp.coo_matrix((ones, (y_true, y_pred)), shape=(3, 3), dtype=np.int64).toarray()
    rows = np.r_[np.arange(n - 1), np.arange(n - 1), np.arange(1, n), np.arange(1, n)]
    cols = np.r_[np.arange(n - 1), np.arange(1, n), np.arange(n - 1), np.arange(1, n)]
    vals = np.r_[k + 1.0, -k, -k, k]  # a chain of springs, one end held
    K = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    A = sp.coo_array((w, (y_true, y_pred)), shape=(3, 3)).tocsr()
    return (cm, K.toarray(), K @ np.ones(n), K.sum(axis=0), spsolve(K, np.ones(n)),
            A.toarray(), A.dtype == np.float64)


def test_a_matrix_of_traced_triplets_with_its_shape():
    """`coo_matrix((w, (i, j)), shape=...)` of traced triplets (scikit-learn's confusion
    matrix, a finite-element assembly): duplicates summed into the dense matrix, its
    products, sums and `spsolve`; what else would read its arrays is refused by name, and
    without `shape=` its shape is the largest index."""
    r = np.random.default_rng(2)
    for _ in range(2):
        y_true, y_pred = r.integers(0, 3, 12), r.integers(0, 3, 12)
        args = (y_true, y_pred, r.uniform(1, 2, 4), r.random(12))
        assert_same(tracenp.jit(_from_triplets)(*args), _from_triplets(*args), rtol=1e-12)
    with pytest.raises(UnsupportedFunctionError, match="built from traced values"):
        tracenp.jit(lambda w, i: (sp.coo_matrix((w, (i, i)), shape=(3, 3)) * 2.0).data)(
            np.ones(3), np.arange(3))
    with pytest.raises(DataDependentShapeError, match="shape="):
        tracenp.jit(lambda w, i: sp.coo_matrix((w, (i, i))).toarray())(
            np.ones(3), np.arange(3))
