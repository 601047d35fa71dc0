"""`scipy.linalg`'s functions of traced arrays give SciPy's values, dtypes, shapes and result
structure; their gradients match central differences; what tracenp does not trace is refused
by name."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import scipy.linalg as sla
from scipy.linalg import LinAlgError, cho_factor, cho_solve

import tracenp
from tracenp.errors import DataDependentShapeError, UnsupportedFunctionError
from test_grad import numeric_grad
from test_ops import assert_same

_R = np.random.default_rng(23)


def _general(n, m=None, dtype=np.float64):
    """A well-conditioned matrix (diagonally weighted where square)."""
    m = n if m is None else m
    a = _R.standard_normal((n, m))
    if np.dtype(dtype).kind == "c":
        a = a + 1j * _R.standard_normal((n, m))
    if n == m:
        a = a + n * np.eye(n)
    return a.astype(dtype)


def _spd(n, dtype=np.float64):
    x = _general(n, dtype=dtype)
    return (x @ x.conj().T + n * np.eye(n)).astype(dtype)


A = _general(5)
A32 = A.astype(np.float32)
AC = _general(5, dtype=np.complex128)
AC64 = AC.astype(np.complex64)
S = _spd(5)
S32 = S.astype(np.float32)
SC = _spd(5, np.complex128)
TALL = _general(7, 3)
WIDE = _general(3, 6)
B = _R.standard_normal(5)
B2 = _R.standard_normal((5, 2))
BC = B + 1j * _R.standard_normal(5)
BATCH = np.stack([_general(4), _general(4), _general(4)])
SBATCH = np.stack([_spd(4), _spd(4)])
JUNK = S + np.tril(_R.standard_normal((5, 5)), -1) * 10  # a lower triangle SciPy ignores
INTS = _R.integers(-3, 4, (4, 4)) + 8 * np.eye(4, dtype=np.int64)
CYCLE = [1, 2, 3, 4, 0]
LU_A = _general(5)[CYCLE]  # partial pivoting takes the rows back: a 5-cycle, no involution
LU_PIV = sla.lu_factor(LU_A)  # a factorization made outside the traced function


def _fix_signs(v):
    """Eigenvectors with each column's largest entry made positive: the invariant part of a
    vector whose sign LAPACK's drivers choose differently."""
    k = np.argmax(np.abs(v), axis=-2)[..., None, :]
    return v * np.sign(np.take_along_axis(v, k, axis=-2))


CASES = {
    # solve
    "solve": (lambda a, b: sla.solve(a, b), A, B),
    "solve_matrix_rhs_float32": (lambda a, b: sla.solve(a, b), A32, B2.astype(np.float32)),
    "solve_complex": (lambda a, b: sla.solve(a, b), AC, BC),
    "solve_ints": (lambda a, b: sla.solve(a, b), INTS, np.arange(4)),
    "solve_float16_in_float32": (lambda a, b: sla.solve(a, b), A.astype(np.float16),
                                 B.astype(np.float16)),
    "solve_batch_vector_rhs": (lambda a, b: sla.solve(a, b), BATCH, B[:4]),
    "solve_gen_transposed": (lambda a, b: sla.solve(a, b, assume_a="gen", transposed=True),
                             A, B2),
    "solve_sym_reads_upper": (lambda a, b: sla.solve(a, b, assume_a="sym"), JUNK, B),
    "solve_sym_reads_lower": (lambda a, b: sla.solve(a, b, assume_a="symmetric", lower=True),
                              JUNK.T, B),
    "solve_her": (lambda a, b: sla.solve(a, b, assume_a="her", lower=True), SC, BC),
    "solve_pos": (lambda a, b: sla.solve(a, b, assume_a="pos"), JUNK, B2),
    "solve_pos_lower_complex": (lambda a, b: sla.solve(a, b, assume_a="pos", lower=True),
                                SC, BC),
    "solve_diagonal": (lambda a, b: sla.solve(a, b, assume_a="diagonal"), A, B),
    "solve_tridiagonal": (lambda a, b: sla.solve(a, b, assume_a="tridiagonal"), A, B),
    "solve_upper_triangular": (lambda a, b: sla.solve(a, b, assume_a="upper triangular"),
                               A, B),
    "solve_lower_triangular_transposed": (
        lambda a, b: sla.solve(a, b, assume_a="lower triangular", transposed=True), A, B2),
    "solve_banded_structure": (lambda a, b: sla.solve(np.triu(np.tril(a, 1), -1), b,
                                                      assume_a="banded"), A, B),
    # triangular and banded solvers
    "solve_triangular": (lambda a, b: sla.solve_triangular(a, b), A, B),
    "solve_triangular_lower_trans": (
        lambda a, b: sla.solve_triangular(a, b, trans="T", lower=True), A, B2),
    "solve_triangular_unit_conj": (
        lambda a, b: sla.solve_triangular(a, b, trans=2, unit_diagonal=True), AC, BC),
    "solve_triangular_float32": (lambda a, b: sla.solve_triangular(a, b, lower=True, trans=1),
                                 A32, B.astype(np.float32)),
    "solve_triangular_batch": (lambda a, b: sla.solve_triangular(a, b, lower=True),
                               BATCH, B[:4]),
    "solve_banded_tridiagonal": (lambda ab, b: sla.solve_banded((1, 1), ab, b),
                                 _R.standard_normal((3, 5)) + [[0], [6], [0]], B),
    "solve_banded_2_1": (lambda ab, b: sla.solve_banded((2, 1), ab, b),
                         _R.standard_normal((4, 5)) + [[0], [6], [0], [0]], B2),
    # inverses and determinants
    "inv": (lambda a: sla.inv(a), A),
    "inv_complex64": (lambda a: sla.inv(a), AC64),
    "inv_batch": (lambda a: sla.inv(a), BATCH),
    "inv_pos_upper": (lambda a: sla.inv(a, assume_a="pos"), JUNK),
    "inv_sym_lower": (lambda a: sla.inv(a, assume_a="sym", lower=True), JUNK.T),
    "inv_her": (lambda a: sla.inv(a, assume_a="her"), SC),
    "inv_diagonal": (lambda a: sla.inv(a, assume_a="diagonal"), A),
    "inv_triangular": (lambda a: (sla.inv(a, assume_a="upper triangular"),
                                  sla.inv(a, assume_a="lower triangular")), A),
    "det": (lambda a: sla.det(a), A),
    "det_ints_and_batch": (lambda a, b: (sla.det(a), sla.det(b)), INTS, BATCH),
    "det_1x1": (lambda a: sla.det(a[:1, :1]), A32),
    "pinv": (lambda a: sla.pinv(a), TALL),
    "pinv_wide_complex": (lambda a: sla.pinv(a), _general(3, 5, np.complex128)),
    "pinv_tolerances_rank": (lambda a: sla.pinv(a, atol=0.5, rtol=0.1, return_rank=True),
                             np.diag([5.0, 1.0, 0.01]) @ TALL[:3]),
    "pinv_batch_rank": (lambda a: sla.pinv(a, return_rank=True), BATCH),
    # norms
    "norm_vector_is_a_python_float": (lambda x, z: (sla.norm(x), sla.norm(z, 2)), B, BC),
    "norm_matrix": (lambda a: (sla.norm(a), sla.norm(a, 1), sla.norm(a, np.inf),
                               sla.norm(a, 2), sla.norm(a, "nuc"), sla.norm(a, -1)), A),
    "norm_axis_keepdims": (lambda a: (sla.norm(a, axis=0), sla.norm(a, 1, axis=1),
                                      sla.norm(a, keepdims=True)), AC),
    # Cholesky
    "cholesky_upper_default": (lambda a: sla.cholesky(a), JUNK),
    "cholesky_lower": (lambda a: sla.cholesky(a, lower=True), JUNK.T),
    "cholesky_complex_float32": (lambda a, b: (sla.cholesky(a), sla.cholesky(b, lower=True)),
                                 SC, S32),
    "cholesky_batch": (lambda a: sla.cholesky(a), SBATCH),
    "cho_factor": (lambda a: sla.cho_factor(a), JUNK),
    "cho_factor_lower_batch": (lambda a: sla.cho_factor(a, lower=True), SBATCH),
    "cho_solve": (lambda a, b: sla.cho_solve(sla.cho_factor(a), b), S, B),
    "cho_solve_lower_complex": (lambda a, b: sla.cho_solve(sla.cho_factor(a, True), b), SC, BC),
    "cho_solve_batch": (lambda a, b: sla.cho_solve(sla.cho_factor(a), b), SBATCH, B2[:4]),
    # LU
    "lu_factor": (lambda a: sla.lu_factor(a), LU_A),
    "lu_factor_rectangular": (lambda a, b: (sla.lu_factor(a), sla.lu_factor(b)), TALL, WIDE),
    "lu_factor_float32_batch": (lambda a: sla.lu_factor(a), BATCH.astype(np.float32)),
    "lu_solve": (lambda a, b: sla.lu_solve(sla.lu_factor(a), b), LU_A, B),
    "lu_solve_transposed": (lambda a, b: sla.lu_solve(sla.lu_factor(a), b, trans=1), LU_A, B2),
    "lu_solve_conjugate": (lambda a, b: sla.lu_solve(sla.lu_factor(a), b, trans=2),
                           AC[CYCLE], BC),
    "lu_solve_of_a_factorization_made_outside": (lambda b: sla.lu_solve(LU_PIV, b), B2),
    "lu_solve_batch": (lambda a, b: sla.lu_solve(sla.lu_factor(a), b), BATCH[:, ::-1], B[:4]),
    "lu": (lambda a: sla.lu(a), LU_A),
    "lu_rectangular": (lambda a, b: (sla.lu(a), sla.lu(b)), TALL, WIDE),
    "lu_permute_l_p_indices": (lambda a: (sla.lu(a, permute_l=True), sla.lu(a, p_indices=True)),
                               AC),
    "lu_batch": (lambda a: sla.lu(a), BATCH[:, ::-1]),
    # QR and SVD
    "qr": (lambda a, b: (sla.qr(a), sla.qr(b)), TALL, WIDE),
    "qr_economic": (lambda a, b: (sla.qr(a, mode="economic"), sla.qr(b, mode="economic")),
                    TALL, WIDE),
    "qr_r_is_a_1_tuple": (lambda a, b: (sla.qr(a, mode="r"), sla.qr(b, mode="r")), TALL, WIDE),
    "qr_complex_float32": (lambda a, b: (sla.qr(a), sla.qr(b)), AC64, A32),
    "qr_batch_is_a_list": (lambda a: (sla.qr(a), sla.qr(a, mode="r")), BATCH),
    "svd": (lambda a, b: (sla.svd(a), sla.svd(b)), TALL, WIDE),
    "svd_reduced": (lambda a: sla.svd(a, full_matrices=False), TALL),
    "svd_values": (lambda a, b: (sla.svd(a, compute_uv=False), sla.svdvals(b)), AC, A32),
    "svd_batch": (lambda a: sla.svd(a), BATCH),
    # eigenproblems
    "eigh_values": (lambda a: sla.eigh(a, eigvals_only=True), S),
    "eigh_evd_is_numpys_bits": (lambda a: sla.eigh(a, driver="evd"), S),
    "eigh_vectors_up_to_sign": (lambda a: _fix_signs(sla.eigh(a)[1]), S),
    "eigh_upper_triangle": (lambda a: (sla.eigh(a, lower=False)[0],
                                       _fix_signs(sla.eigh(a, lower=False)[1])), JUNK),
    "eigh_complex_float32": (lambda a, b: (sla.eigvalsh(a), sla.eigvalsh(b)), SC, S32),
    "eigh_subset_by_index": (lambda a: (sla.eigh(a, subset_by_index=[1, 3])[0],
                                        _fix_signs(sla.eigh(a, subset_by_index=(1, 3))[1])),
                             S),
    "eigh_batch": (lambda a: (sla.eigh(a)[0], sla.eigvalsh(a)), SBATCH),
    "eigh_generalized": (lambda a, b: (sla.eigh(a, b, eigvals_only=True),
                                       sla.eigh(a, b, lower=False, type=2)[0],
                                       sla.eigvalsh(a, b, type=3)), S, _spd(5)),
    "eig_values_are_complex": (lambda a: sla.eigvals(a), A),
    "eig_of_a_gram_matrix": (lambda x: sla.eig(x.T @ x), TALL),
    "eig_homogeneous": (lambda a: sla.eigvals(a, homogeneous_eigvals=True), AC),
    "eig_batch": (lambda a: sla.eigvals(a), BATCH),
    # least squares
    "lstsq": (lambda a, b: sla.lstsq(a, b), TALL, _R.standard_normal(7)),
    "lstsq_matrix_rhs": (lambda a, b: sla.lstsq(a, b, cond=1e-10), TALL,
                         _R.standard_normal((7, 2))),
    "lstsq_wide_complex": (lambda a, b: sla.lstsq(a, b), _general(3, 5, np.complex128), BC[:3]),
    "lstsq_float32": (lambda a, b: sla.lstsq(a, b), TALL.astype(np.float32),
                      _R.standard_normal(7).astype(np.float32)),
    "lstsq_batch_is_a_list": (lambda a, b: sla.lstsq(a, b), np.stack([TALL, TALL[::-1]]),
                              _R.standard_normal((2, 7, 2))),
    # matrix functions
    "expm": (lambda a: sla.expm(a), A / 5),
    "expm_complex_float32": (lambda a, b: (sla.expm(a), sla.expm(b)), AC / 5, A32 / 5),
    "expm_batch_diagonal_triangular": (
        lambda a: (sla.expm(a), sla.expm(np.diag(np.diagonal(a[0]))), sla.expm(np.triu(a[1]))),
        BATCH / 4),
    "expm_small_and_ints": (lambda a, i: (sla.expm(a[:1, :1]), sla.expm(a[0, :1]),
                                          sla.expm(i // 4)), A, INTS),
    "sqrtm": (lambda a: sla.sqrtm(a), S),
    "sqrtm_complex_float32": (lambda a, b: (sla.sqrtm(a), sla.sqrtm(b)), AC, S32),
    # special matrices
    "toeplitz": (lambda c, r: (sla.toeplitz(c), sla.toeplitz(c, r), sla.toeplitz(c[:2], r)),
                 B, B2[:, 0]),
    "toeplitz_complex_first_row_conjugated": (lambda c: sla.toeplitz(c), BC),
    "circulant": (lambda c: (sla.circulant(c), sla.circulant(np.stack([c, 2 * c]))), B),
    "hankel": (lambda c, r: (sla.hankel(c), sla.hankel(c, r)), B, B2[:3, 1]),
    "block_diag": (lambda a, b: sla.block_diag(a, b, [[1.0]]), A, B2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_scipy_linalg_of_traced_arrays_is_scipys(name):
    fn, *args = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = fn(*args)
        got = tracenp.jit(fn)(*args)
    assert_same(got, want, rtol=1e-10)


SINGLE = {
    "det_complex64_is_complex128": (lambda a: sla.det(a), AC64),
    "det_float32_is_float64": (lambda a: sla.det(a), A32),
    "norm_vector_float32_is_a_python_float": (lambda x: sla.norm(x), B.astype(np.float32)),
    "norm_matrix_float32": (lambda a: (sla.norm(a, 1), sla.norm(a, "fro")), A32),
}


@pytest.mark.parametrize("name", list(SINGLE))
def test_single_precision_values_computed_in_double_agree_to_single_precision(name):
    """SciPy's BLAS nrm2 and its determinant's single precision LU round otherwise than NumPy's
    norm and a double precision LU: the types are SciPy's, the values equal to rtol 1e-6."""
    fn, *args = SINGLE[name]
    want = fn(*args)
    got = tracenp.jit(fn)(*args)
    assert type(got) is type(want)
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert type(g) is type(w) and np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)


@pytest.mark.parametrize("name", ["solve_pos", "lu_solve_transposed", "expm", "eigh_evd_is_"
                                  "numpys_bits", "qr_economic", "cho_solve_batch"])
def test_the_numpy_reference_backend_gives_the_same(name):
    fn, *args = CASES[name]
    with tracenp.config.change_flags(backend="numpy"):
        got = tracenp.jit(fn)(*args)
    assert_same(got, fn(*args), rtol=1e-10)


# ----------------------------------------------------------------------------- gradients


def _check_grad(f, x, rtol=1e-6):
    value, got = tracenp.value_and_grad(f)(x)
    np.testing.assert_allclose(value, f(x), rtol=1e-12)
    want = numeric_grad(f, [x])[0]
    assert got.shape == x.shape and got.dtype == x.dtype
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(1.0, np.abs(want).max()))
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x), got, rtol=1e-10, atol=1e-12)


X_GP = np.linspace(0.0, 3.0, 8)
Y_GP = np.sin(2 * X_GP) + 0.1 * _R.standard_normal(8)


def gp_log_likelihood(params):
    """A Gaussian process's log marginal likelihood: K = s^2 exp(-d^2 / 2l^2) + noise I."""
    log_l, log_s, log_noise = params[0], params[1], params[2]
    d2 = (X_GP[:, None] - X_GP[None, :]) ** 2
    k = np.exp(2 * log_s) * np.exp(-0.5 * d2 / np.exp(2 * log_l)) + \
        np.exp(2 * log_noise) * np.eye(len(X_GP))
    c, low = sla.cho_factor(k, lower=True)
    alpha = sla.cho_solve((c, low), Y_GP)
    return -0.5 * Y_GP @ alpha - np.sum(np.log(np.diag(c))) - 0.5 * len(X_GP) * np.log(2 * np.pi)


def test_the_gradient_of_a_gaussian_process_log_likelihood():
    _check_grad(gp_log_likelihood, np.array([-0.3, 0.2, -1.5]))


def test_the_gradient_of_the_upper_cholesky_gp_likelihood():
    def nll(y):
        c = sla.cholesky(S)  # upper, SciPy's default
        z = sla.solve_triangular(c, y, trans="T")
        return 0.5 * z @ z + np.sum(np.log(np.diag(c)))

    _check_grad(nll, B)


def test_the_gradient_of_a_least_squares_fit_through_qr_and_solve_triangular():
    y = _R.standard_normal(7)

    def loss(x):
        q, r = sla.qr(x, mode="economic")
        beta = sla.solve_triangular(r, q.T @ y)
        return np.sum((x @ beta - y) ** 2) + np.sum(beta ** 2)

    _check_grad(loss, TALL)


@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("unit", [False, True])
def test_the_gradient_of_solve_triangular_reads_its_triangle(trans, lower, unit):
    w = _R.standard_normal((5, 2))
    _check_grad(lambda a: np.sum(sla.solve_triangular(a, B2, trans, lower, unit) * w), A)


def _generator(theta):
    """A continuous-time Markov chain's rate matrix: rates exp(theta), rows summing to 0."""
    n = 3
    off = np.exp(theta).reshape(n, n - 1)
    q = np.zeros((n, n))
    for i in range(n):
        q[i, [j for j in range(n) if j != i]] = off[i]
    return q - np.diag(np.sum(q, axis=1))


def test_the_gradient_of_the_expm_of_a_generator_matrix():
    def log_transition(theta):
        p = sla.expm(_generator(theta) * 0.7)
        return np.log(p[0, 2]) + 0.5 * np.log(p[1, 1])

    _check_grad(log_transition, _R.standard_normal(6) * 0.5)


def test_the_gradient_of_expm_of_a_batch_and_of_its_gradient():
    w = _R.standard_normal((3, 4, 4))
    _check_grad(lambda a: np.sum(sla.expm(a) * w), BATCH / 4)
    _check_grad(lambda a: np.sum(tracenp.grad(lambda b: np.sum(sla.expm(b) * w[0]))(a) ** 2),
                A[:4, :4] / 4, rtol=1e-5)


@pytest.mark.parametrize("trans", [0, 1])
def test_the_gradient_through_lu_factor_and_lu_solve(trans):
    w = _R.standard_normal((5, 5))
    _check_grad(lambda a: np.sum(sla.lu_solve(sla.lu_factor(a), B, trans=trans) * B)
                + np.sum(sla.lu_factor(a)[0] * w), LU_A)
    _check_grad(lambda b: np.sum(sla.lu_solve(sla.lu_factor(LU_A), b, trans=trans) ** 2), B)


def test_the_gradients_of_lu_det_inv_pinv_and_lstsq():
    w = _R.standard_normal((5, 5))
    _check_grad(lambda a: np.sum(sla.lu(a)[1] * w) + np.sum(sla.lu(a)[2] ** 2), LU_A)
    _check_grad(lambda a: sla.det(a) + np.sum(sla.inv(a, assume_a="pos") * w), S)
    _check_grad(lambda a: np.sum(sla.pinv(a, atol=1e-3) * w[:3, :5]), TALL[:5])
    y = _R.standard_normal(7)
    _check_grad(lambda a: np.sum(sla.lstsq(a, y)[0] ** 2) + sla.lstsq(a, y)[1], TALL)


def test_the_gradient_of_a_generalized_eigenproblem():
    _check_grad(lambda x: np.sum(sla.eigh(x @ x.T, S, eigvals_only=True) ** 2), A, rtol=1e-5)


def test_sqrtm_has_no_gradient_and_says_so():
    with pytest.raises(NotImplementedError, match="scipy.linalg.sqrtm"):
        tracenp.grad(lambda a: np.sum(sla.sqrtm(a)))(S)


# ----------------------------------------------------------------------------- how it is called

SOLVE_WITH = cho_solve  # a module global bound by name, as `from scipy.linalg import ...`


def _by_names(a, b):
    return cho_solve(cho_factor(a), b) + SOLVE_WITH((sla.cholesky(a), False), b)


def _importing_in_the_body(a, b):
    from scipy import linalg

    return linalg.solve(a, b, assume_a="pos") - linalg.inv(a) @ b


def test_names_bound_by_import_and_the_module_namespace_are_routed():
    assert_same(tracenp.jit(_by_names)(S, B), _by_names(S, B), rtol=1e-10)
    assert_same(tracenp.jit(_importing_in_the_body)(S, B), _importing_in_the_body(S, B),
                rtol=1e-10)
    assert cho_solve.__module__ == "scipy.linalg._decomp_cholesky"
    assert sla.solve.__module__ == "scipy.linalg._basic"


def test_a_call_with_no_traced_argument_is_scipys_own():
    seen = []

    def f(x):
        constant = sla.inv(S)
        seen.append(type(constant))
        return constant @ x

    assert_same(tracenp.jit(f)(B), sla.inv(S) @ B, rtol=1e-12)
    assert seen == [np.ndarray]


def test_a_function_importing_scipy_linalg_in_its_body_is_routed_on_its_first_call():
    code = textwrap.dedent("""
        import sys, numpy as np, tracenp
        assert "scipy.linalg" not in sys.modules
        def f(a, b):
            import scipy.linalg as sla
            return sla.cho_solve(sla.cho_factor(a), b)
        a = np.eye(3) * 4 + 1.0
        b = np.arange(3.0)
        got = tracenp.jit(f)(a, b)
        np.testing.assert_allclose(got, np.linalg.solve(a, b), rtol=1e-13)
        import scipy.linalg
        assert scipy.linalg.cho_solve.__module__ == "scipy.linalg._decomp_cholesky"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.strip() == "ok", out.stderr


# ----------------------------------------------------------------------------- errors


def test_check_finite_raises_scipys_error_when_the_function_runs():
    f = tracenp.jit(lambda a, b: sla.solve(a, b))
    bad = A.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
        sla.solve(bad, B)
    with pytest.raises(ValueError, match="array must not contain infs or NaNs"):
        f(bad, B)
    assert_same(f(A, B), sla.solve(A, B), rtol=1e-12)
    unchecked = tracenp.jit(lambda x: sla.norm(x, check_finite=False))
    assert np.isnan(unchecked(np.array([1.0, np.nan])))


def test_values_linalg_refuses_raise_linalgerror_when_the_function_runs():
    with pytest.raises(LinAlgError):
        tracenp.jit(lambda a: sla.cholesky(a))(-S)
    with pytest.raises(LinAlgError, match="singular matrix: resolution failed at diagonal 2"):
        tracenp.jit(lambda a, b: sla.solve_triangular(a, b))(np.diag([1.0, 2.0, 0.0]),
                                                              np.ones(3))
    with pytest.raises(LinAlgError):
        tracenp.jit(lambda a, b: sla.solve(a, b))(np.ones((3, 3)), np.ones(3))
    with pytest.raises(LinAlgError, match="complex square root"):
        tracenp.jit(lambda a: sla.sqrtm(a))(np.diag([1.0, -4.0]) + np.eye(2, k=1))


def test_a_singular_lu_solves_to_infinities_as_scipys_getrs():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = sla.lu_solve(sla.lu_factor(singular), np.ones(2))
        got = tracenp.jit(lambda a, b: sla.lu_solve(sla.lu_factor(a), b))(singular, np.ones(2))
    assert_same(got, want)


@pytest.mark.parametrize("call,error,match", [
    (lambda a, b: sla.solve(a, b, assume_a="banana"), ValueError,
     "banana is not a recognized matrix structure"),
    (lambda a, b: sla.solve(a[:, :3], b), ValueError, "Expected square matrix"),
    (lambda a, b: sla.solve(a, b[:3]), ValueError, "incompatible shapes"),
    (lambda a, b: sla.solve(a + 1j, b, transposed=True), NotImplementedError, "complex"),
    (lambda a, b: sla.solve_triangular(a, b[:2]), ValueError, "are incompatible"),
    (lambda a, b: sla.inv(b), ValueError, "Expected at least ndim=2"),
    (lambda a, b: sla.det(a[:2]), ValueError, "must be square"),
    (lambda a, b: sla.cholesky(a[:3]), ValueError, "expected to be square"),
    (lambda a, b: sla.qr(a, mode="thin"), ValueError, "Mode argument"),
    (lambda a, b: sla.svd(a, lapack_driver="gesvdx"), ValueError, "lapack_driver must be"),
    (lambda a, b: sla.eigh(a, driver="evq"), ValueError, "is unknown"),
    (lambda a, b: sla.eigh(a, subset_by_index=[3, 9]), ValueError, "indices are not valid"),
    (lambda a, b: sla.lstsq(a, b[:3]), ValueError, "Shape mismatch"),
    (lambda a, b: sla.expm(b), LinAlgError, "at least two-dimensional"),
    (lambda a, b: sla.pinv(a, atol=-1.0), ValueError, "must be positive"),
])
def test_argument_errors_are_scipys(call, error, match):
    with pytest.raises(error, match=match):
        call(S, B)
    with pytest.raises(error, match=match):
        tracenp.jit(call)(S, B)


def test_generalized_and_left_eigenproblems_run_on_the_host():
    """`eigvals(A, B)` and a stochastic matrix's left eigenvectors: SciPy's own, on the host;
    the eigenvectors complex, as the traced `eig`'s (SciPy's are real where every eigenvalue
    is)."""
    P = np.array([[0.5, 0.3, 0.2], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]])
    f = tracenp.jit(lambda p, b: (sla.eigvals(p, b), sla.eig(p, left=True, right=False)))
    for scale in (1.0, 0.5):
        got, want = f(P * scale, np.diag([1.0, 2.0, 3.0])), (
            sla.eigvals(P * scale, np.diag([1.0, 2.0, 3.0])),
            sla.eig(P * scale, left=True, right=False))
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        for g, w in zip(got[1], want[1]):
            assert g.dtype == np.complex128
            np.testing.assert_allclose(g, w, rtol=1e-12)
    cycle = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])  # complex spectrum
    for g, w in zip(f(cycle, np.eye(3))[1], sla.eig(cycle, left=True, right=False)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call,error", [
    (lambda a, b: sla.qr(a, pivoting=True), UnsupportedFunctionError),
    (lambda a, b: sla.qr(a, mode="raw"), UnsupportedFunctionError),
    (lambda a, b: sla.svd(a, lapack_driver="gesvd"), UnsupportedFunctionError),
    (lambda a, b: sla.eigh(a, subset_by_value=(0, 10)), DataDependentShapeError),
    (lambda a, b: sla.lstsq(a, b, lapack_driver="gelsy"), UnsupportedFunctionError),
    (lambda a, b: sla.solve(a[:1, :1], b), UnsupportedFunctionError),
])
def test_what_tracenp_does_not_trace_is_refused_by_name(call, error):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(S, B)  # SciPy answers these
    with pytest.raises(error, match="scipy.linalg"):
        tracenp.jit(call)(S, B)


def test_sqrtm_deprecated_arguments_warn_and_disp_false_returns_the_error_estimate():
    def f(a):
        return sla.sqrtm(a, disp=False)

    with pytest.warns(DeprecationWarning, match="disp"):
        want = f(S)
    with pytest.warns(DeprecationWarning, match="disp"):
        got = tracenp.jit(f)(S)
    assert_same(got[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(got[1], want[1], atol=1e-12)


def test_solve_triangular_inside_try_except_linalgerror_is_refused_by_name():
    """Its LinAlgError is raised when the compiled function runs, where the traced code's
    `except` clause cannot catch it: refused by name, as `np.linalg.solve` is, and run in
    NumPy under `fallback=True`."""
    def guarded(a, b):
        try:
            return sla.solve_triangular(a, b, check_finite=False)
        except np.linalg.LinAlgError:
            return b

    a = np.triu(np.random.default_rng(3).standard_normal((3, 3))) + 3 * np.eye(3)
    b = np.ones(3)
    with pytest.raises(tracenp.ConcretizationError, match="scipy.linalg.solve_triangular"):
        tracenp.jit(guarded)(a, b)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(guarded, fallback=True)(a, b)
    np.testing.assert_allclose(got, guarded(a, b), rtol=1e-14)


def test_jit_of_a_scipy_function_itself_traces_its_route():
    """`tracenp.jit(scipy.linalg.expm)`: the jitted function is SciPy's own object, whose
    Python met traced values (`x.flags`); a trace calls its route, as for a call inside."""
    a = np.random.default_rng(4).standard_normal((4, 4)) * 0.3
    np.testing.assert_allclose(tracenp.jit(sla.expm)(a), sla.expm(a), rtol=1e-12)
    np.testing.assert_allclose(tracenp.jit(sla.cho_factor)(a @ a.T + 4 * np.eye(4))[0],
                               sla.cho_factor(a @ a.T + 4 * np.eye(4))[0], rtol=1e-12)
