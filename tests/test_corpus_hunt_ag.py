"""Corpus, hunt AG: NumPy code from small quantum-circuit simulators, hand-written wavelets,
control-systems course code and sensitivity-analysis / design-of-experiments libraries,
written the way those sources write it.

Quantum circuits as teaching simulators and blog posts write them (gates as 2x2/4x4 complex
arrays, full operators by `np.kron` chains and `functools.reduce`, single- and two-qubit gates
applied by reshaping the state to `(2,)*n` with `np.tensordot`/`np.einsum` and `np.moveaxis`
or a transpose and its `np.argsort` inverse, CNOT by bit arithmetic on indices and by a loop,
probabilities `np.abs(state)**2`, expectations by `np.vdot(state, op @ state).real`, Ising
Hamiltonians, density matrices, partial traces by reshape and `einsum`, purity, entropies,
fidelity, Bloch vectors, QFT matrices and circuits, Grover iterations, Trotter steps, a
variational ansatz, measurement collapse from given draws and shots from a seeded generator,
depolarizing Kraus maps); wavelets without PyWavelets (Haar and Daubechies-4 analysis and
synthesis by `np.convolve` with `[::2]`, periodic DWT by index arithmetic and `np.add.at`,
multi-level decompositions and packets in loops, lifting with even/odd slices (Haar, LeGall
5/3, D4, integer S transform), soft and garrote thresholds, VisuShrink with the MAD of the
finest band, SURE risks, 2-D Haar by rows then columns and by quadrants, the cascade
algorithm); control systems without python-control (state-space simulation loops
`x = A @ x + B @ u`, discretization by a truncated exponential series, by zero-order hold
through a block matrix, Euler and Tustin, step and impulse responses, discrete LQR by
iterating the Riccati equation, Kalman filters, controllability matrices by `np.hstack` of
powers and their rank, Gramians and Lyapunov equations, Ackermann's formula checked with
`np.linalg.eigvals`, PID loops over arrays with saturation and anti-windup, frequency
responses by `np.polyval` on `1j*w` and by solves, Bode magnitude/phase with `np.unwrap`,
margins, Routh arrays, condensed MPC, RK4); sensitivity analysis and design of experiments as
SALib and pyDOE write them (Saltelli cross-sampling from given base samples, SALib's output
separation, first-order, total and second-order Sobol indices with bootstrap confidence from
given resamples, Morris trajectories and elementary effects with `mu`, `mu_star`, `sigma`,
Latin hypercubes from permutations passed in as int arrays, from the seeded global generator
and from a generator, centred and maximin variants, full factorials by loops, `np.meshgrid`
and `np.indices`, two-level fractional factorials by column products, Box-Behnken,
central-composite and Plackett-Burman designs, main and interaction effects, Ishigami,
Sobol-G and Morris test functions, eFAST curves and spectra, SRC, PRCC and DGSM).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Python scalars that drive `range(n)` or shapes are
steered static; the forms whose Python depends on the data (a settling time read into an
`if`, SALib's constant-output guard, a Riccati iteration with a tolerance `break`, transfer
functions multiplied with `np.polymul`, `np.roots`, `np.real_if_close`) raise a named error
and run eagerly under `fallback=True`. Python int arguments used as Python values (`[I2] * n`,
`"I" * k`, `format(i, f"0{n}b")`, `str(k)` as a key, `axes=(1, target)`) are marked `_Xfail`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _Xfail, _names


def _state(s, n):
    """A normalized random complex state of `n` qubits."""
    r = np.random.default_rng(s + 100)
    psi = r.standard_normal(2 ** n) + 1j * r.standard_normal(2 ** n)
    return psi / np.linalg.norm(psi)


def _unitary(s, k=1):
    """A random `2**k`-dimensional unitary, by QR of a complex Gaussian matrix."""
    r = np.random.default_rng(s + 200)
    d = 2 ** k
    q, rr = np.linalg.qr(r.standard_normal((d, d)) + 1j * r.standard_normal((d, d)))
    return q * (np.diag(rr) / np.abs(np.diag(rr)))


def _u(s, *shape):
    return np.random.default_rng(s + 300).random(shape)


# ------------------------------------------------------------------------ quantum circuits

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
H = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2)
CNOT = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex)
P0 = np.array([[1, 0], [0, 0]], dtype=complex)
P1 = np.array([[0, 0], [0, 1]], dtype=complex)


def rx(theta):
    return np.array([[np.cos(theta / 2), -1j * np.sin(theta / 2)],
                     [-1j * np.sin(theta / 2), np.cos(theta / 2)]])


def ry(theta):
    return np.array([[np.cos(theta / 2), -np.sin(theta / 2)],
                     [np.sin(theta / 2), np.cos(theta / 2)]], dtype=complex)


def rz(theta):
    return np.array([[np.exp(-1j * theta / 2), 0], [0, np.exp(1j * theta / 2)]])


def full_operator(gate, target, n):
    """The 2**n operator of a one-qubit gate, by a kron chain with identities."""
    ops = [I2] * n
    ops[target] = gate
    return functools.reduce(np.kron, ops)


def apply_full(state, gate, target):
    n = int(np.log2(state.shape[0]))
    return full_operator(gate, target, n) @ state


def apply_full_n(state, gate, target, n):
    """The same with the qubit count passed in, as most simulators' `apply_gate` take it."""
    return full_operator(gate, target, n) @ state


def basis_state(index, n):
    """|index> from its bit string, as simulators label basis states."""
    bits = format(index, f"0{n}b")
    psi = np.zeros(2 ** n, dtype=complex)
    psi[int(bits, 2)] = 1
    return psi


def z_on_qubit(state, k, n):
    """<Z_k> from a Pauli string written by string repetition, 'IIZI'."""
    label = "I" * k + "Z" + "I" * (n - k - 1)
    return pauli_string_expectation(state, label)


def apply_kron_loop(state, gate, target):
    """The kron chain written as a loop from a 1x1 start, as blog posts write it."""
    n = int(np.log2(len(state)))
    op = np.array([[1.0 + 0j]])
    for q in range(n):
        op = np.kron(op, gate if q == target else np.eye(2))
    return op.dot(state)


def apply_tensordot(state, gate, target):
    """Reshape to (2,)*n, contract the gate's column index with the target axis, move back."""
    n = state.size.bit_length() - 1
    psi = state.reshape((2,) * n)
    psi = np.tensordot(gate, psi, axes=([1], [target]))
    psi = np.moveaxis(psi, 0, target)
    return psi.reshape(-1)


def apply_tensordot_pair_axes(state, gate, target):
    """The same contraction with `axes=(1, target)`, ints rather than lists."""
    n = int(np.log2(state.size))
    psi = np.tensordot(gate, state.reshape((2,) * n), axes=(1, target))
    return np.moveaxis(psi, 0, target).ravel()


def apply_by_transpose(state, gate, target):
    """Bring the target axis first with a permutation, multiply, undo it with argsort."""
    n = int(np.log2(state.size))
    perm = [target] + [i for i in range(n) if i != target]
    psi = state.reshape((2,) * n).transpose(perm).reshape(2, -1)
    psi = gate @ psi
    inv = np.argsort(perm)
    return psi.reshape((2,) * n).transpose(inv).reshape(-1)


def apply_einsum_1q(state, gate, target):
    n = int(np.log2(state.size))
    psi = state.reshape([2] * n)
    letters = "abcdefghij"[:n]
    out = letters.replace(letters[target], "z")
    spec = "z" + letters[target] + "," + letters + "->" + out
    return np.einsum(spec, gate, psi).reshape(2 ** n)


def apply_two_qubit(state, gate, q0, q1):
    """A 4x4 gate as a (2,2,2,2) tensor contracted with two axes of the state."""
    n = int(np.log2(state.size))
    psi = state.reshape((2,) * n)
    g = gate.reshape(2, 2, 2, 2)
    psi = np.tensordot(g, psi, axes=([2, 3], [q0, q1]))
    psi = np.moveaxis(psi, [0, 1], [q0, q1])
    return psi.reshape(-1)


def cnot_by_index(state, control, target):
    """CNOT as a permutation of basis indices: flip the target bit where the control is 1."""
    n = int(np.log2(len(state)))
    idx = np.arange(2 ** n)
    cbit = (idx >> (n - 1 - control)) & 1
    flipped = idx ^ (cbit << (n - 1 - target))
    return state[flipped]


def cnot_by_loop(state, control, target):
    """The same permutation by a Python loop over basis states writing a copy."""
    n = int(np.log2(len(state)))
    new = np.zeros_like(state)
    for i in range(2 ** n):
        bits = format(i, "0{}b".format(n))
        if bits[control] == "1":
            j = i ^ (1 << (n - 1 - target))
        else:
            j = i
        new[j] = state[i]
    return new


def cnot_full_matrix(n, control, target):
    """CNOT as |0><0| (x) I + |1><1| (x) X kron chains."""
    a = [I2] * n
    b = [I2] * n
    a[control] = P0
    b[control] = P1
    b[target] = X
    return functools.reduce(np.kron, a) + functools.reduce(np.kron, b)


def apply_cnot_matrix(state, control, target):
    n = int(np.log2(state.size))
    return cnot_full_matrix(n, control, target) @ state


def cnot_moveaxis(state, control, target):
    """Cirq-style: view the state as a tensor, flip the target slice where the control is 1."""
    n = int(np.log2(state.size))
    psi = state.reshape((2,) * n).copy()
    psi = np.moveaxis(psi, [control, target], [0, 1])
    psi[1] = psi[1][::-1].copy()
    psi = np.moveaxis(psi, [0, 1], [control, target])
    return psi.reshape(-1)


def controlled_phase(state, control, target, phi):
    n = int(np.log2(state.size))
    idx = np.arange(state.size)
    both = ((idx >> (n - 1 - control)) & 1) & ((idx >> (n - 1 - target)) & 1)
    return state * np.where(both == 1, np.exp(1j * phi), 1.0)


def marginal_probs(state, qubit):
    n = int(np.log2(state.size))
    p = np.abs(state.reshape([2] * n)) ** 2
    axes = tuple(i for i in range(n) if i != qubit)
    return p.sum(axis=axes)


def expectation(state, op):
    return np.vdot(state, op @ state).real


def expectation_z_all(state):
    """<Z_q> for every qubit, from probabilities and the bit pattern of each index."""
    n = int(np.log2(state.size))
    p = np.abs(state) ** 2
    bits = (np.arange(state.size)[:, None] >> np.arange(n - 1, -1, -1)) & 1
    return p @ (1 - 2 * bits)


def zz_correlator(state, i, j):
    n = int(np.log2(state.size))
    op = full_operator(Z, i, n) @ full_operator(Z, j, n)
    return np.real(np.conj(state) @ op @ state)


def ising_hamiltonian(n, J, h):
    """H = -J sum Z_i Z_{i+1} - h sum X_i, built by kron chains."""
    dim = 2 ** n
    ham = np.zeros((dim, dim), dtype=complex)
    for i in range(n - 1):
        ops = [I2] * n
        ops[i] = Z
        ops[i + 1] = Z
        ham -= J * functools.reduce(np.kron, ops)
    for i in range(n):
        ham -= h * full_operator(X, i, n)
    return ham


def ising_energy(state, J, h):
    n = int(np.log2(state.size))
    return np.vdot(state, ising_hamiltonian(n, J, h) @ state).real


def density_matrix(state):
    return np.outer(state, state.conj())


def partial_trace_first(state, k):
    """Reduced density matrix of the first k qubits by reshaping psi to (2**k, rest)."""
    n = int(np.log2(state.size))
    psi = state.reshape(2 ** k, 2 ** (n - k))
    return psi @ psi.conj().T


def partial_trace_einsum(rho, nA):
    """Trace out subsystem B of rho on A (x) B by reshape to (dA, dB, dA, dB) and einsum."""
    d = rho.shape[0]
    dA = 2 ** nA
    dB = d // dA
    return np.einsum("ijkj->ik", rho.reshape(dA, dB, dA, dB))


def partial_trace_b_trace(rho, nA):
    d = rho.shape[0]
    dA = 2 ** nA
    return np.trace(rho.reshape(dA, d // dA, dA, d // dA), axis1=0, axis2=2)


def purity(rho):
    return np.trace(rho @ rho).real


def von_neumann_entropy(rho):
    evals = np.linalg.eigvalsh(rho)
    evals = evals[evals > 1e-12]
    return -np.sum(evals * np.log2(evals))


def entanglement_entropy(state, k):
    """Entropy of the first k qubits from the Schmidt coefficients (SVD of the reshaped state)."""
    s = np.linalg.svd(state.reshape(2 ** k, -1), compute_uv=False)
    p = s ** 2
    p = np.clip(p, 1e-15, 1)
    return -np.sum(p * np.log2(p))


def state_fidelity(psi, phi):
    return np.abs(np.vdot(psi, phi)) ** 2


def bloch_vector(state):
    rho = np.outer(state, np.conj(state))
    return np.array([np.trace(rho @ P).real for P in (X, Y, Z)])


def bloch_from_amplitudes(a):
    """Bloch angles of a one-qubit state with the global phase removed."""
    alpha, beta = a[..., 0], a[..., 1]
    phase = np.exp(-1j * np.angle(alpha))
    alpha, beta = alpha * phase, beta * phase
    theta = 2 * np.arccos(np.clip(alpha.real, -1, 1))
    phi = np.angle(beta)
    return np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)],
                    axis=-1)


def qft_matrix(n):
    N = 2 ** n
    omega = np.exp(2j * np.pi / N)
    j, k = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    return omega ** (j * k) / np.sqrt(N)


def apply_qft(state):
    n = int(np.log2(len(state)))
    return qft_matrix(n) @ state


def qft_circuit(state):
    """QFT as Hadamards and controlled phases, then the bit-reversal swap, by tensor ops."""
    n = int(np.log2(state.size))
    for j in range(n):
        state = apply_tensordot(state, H, j)
        for k in range(j + 1, n):
            state = controlled_phase(state, k, j, np.pi / 2 ** (k - j))
    psi = state.reshape((2,) * n)
    return psi.transpose(tuple(range(n))[::-1]).reshape(-1)


def hadamard_all(n):
    """The uniform superposition as H^{(x)n} applied to |0...0>."""
    psi = np.zeros(2 ** n, dtype=np.complex128)
    psi[0] = 1
    Hn = functools.reduce(np.kron, [H] * n)
    return Hn @ psi


def grover(marked, n_iter):
    """Grover search with the oracle as a sign flip and diffusion as 2|s><s| - I."""
    N = marked.shape[0]
    s = np.ones(N, dtype=complex) / np.sqrt(N)
    psi = s.copy()
    oracle = np.where(marked, -1.0, 1.0)
    for _ in range(n_iter):
        psi = oracle * psi
        psi = 2 * s * np.vdot(s, psi) - psi
    return np.abs(psi) ** 2


def ghz_circuit(n):
    psi = np.zeros(2 ** n, dtype=complex)
    psi[0] = 1.0
    psi = apply_tensordot(psi, H, 0)
    for q in range(n - 1):
        psi = cnot_by_index(psi, q, q + 1)
    return psi


def variational_layer(state, thetas):
    """One hardware-efficient layer: RZ RY on each qubit, then a CNOT ladder."""
    n = int(np.log2(state.size))
    for q in range(n):
        state = apply_tensordot(state, rz(0.5 * thetas[q]) @ ry(thetas[q]), q)
    for q in range(n - 1):
        state = apply_two_qubit(state, CNOT, q, q + 1)
    return state


def vqe_energy(thetas, n_layers):
    n = thetas.shape[1]
    psi = np.zeros(2 ** n, dtype=complex)
    psi[0] = 1
    for layer in range(n_layers):
        psi = variational_layer(psi, thetas[layer])
    return ising_energy(psi, 1.0, 0.5)


def measure_collapse(state, qubit, u):
    """Projective measurement of one qubit from a given uniform draw."""
    n = int(np.log2(state.size))
    psi = state.reshape((2,) * n)
    p0 = np.sum(np.abs(np.take(psi, 0, axis=qubit)) ** 2)
    outcome = int(u > p0)
    mask = np.zeros((2,) * n)
    sl = [slice(None)] * n
    sl[qubit] = outcome
    mask[tuple(sl)] = 1
    psi = psi * mask
    return outcome, (psi / np.linalg.norm(psi)).reshape(-1)


def sample_counts(state, u):
    """Shots from given uniforms by searchsorted into the cumulative distribution."""
    p = np.abs(state) ** 2
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    outcomes = np.searchsorted(cdf, u)
    return np.bincount(outcomes, minlength=state.size)


def measure_shots(state, shots, seed):
    """Shots by `rng.choice` over basis indices with the Born probabilities, then counts."""
    rng = np.random.default_rng(seed)
    p = np.abs(state) ** 2
    outcomes = rng.choice(len(state), size=shots, p=p / p.sum())
    return np.bincount(outcomes, minlength=len(state))


def measure_multinomial(state, shots, seed):
    """The same counts drawn at once, as qiskit's basic simulators do."""
    rng = np.random.default_rng(seed)
    p = np.abs(state) ** 2
    return rng.multinomial(shots, p / p.sum())


def kraus_depolarize(rho, p):
    """Single-qubit depolarizing channel on every qubit, by Kraus operators."""
    n = int(np.log2(rho.shape[0]))
    ks = [np.sqrt(1 - 3 * p / 4) * I2, np.sqrt(p / 4) * X, np.sqrt(p / 4) * Y, np.sqrt(p / 4) * Z]
    for q in range(n):
        new = np.zeros_like(rho)
        for K in ks:
            Kf = full_operator(K, q, n)
            new += Kf @ rho @ Kf.conj().T
        rho = new
    return rho


def time_evolve(state, ham, t):
    """exp(-iHt) |psi> via the eigendecomposition of the Hermitian Hamiltonian."""
    w, v = np.linalg.eigh(ham)
    return v @ (np.exp(-1j * w * t) * (v.conj().T @ state))


def trotter_step(state, J, h, dt, steps):
    n = int(np.log2(state.size))
    idx = np.arange(state.size)
    bits = (idx[:, None] >> np.arange(n - 1, -1, -1)) & 1
    z = 1 - 2 * bits
    zz = np.sum(z[:, :-1] * z[:, 1:], axis=1)
    diag = np.exp(1j * J * dt * zz)
    rxg = rx(-2 * h * dt)
    for _ in range(steps):
        state = diag * state
        for q in range(n):
            state = apply_tensordot(state, rxg, q)
    return state


def pauli_string_expectation(state, paulis):
    """<P1 (x) P2 (x) ...> for a string such as 'XZIY'."""
    table = {"I": I2, "X": X, "Y": Y, "Z": Z}
    op = functools.reduce(np.kron, [table[c] for c in paulis])
    return np.vdot(state, op.dot(state)).real


def batch_apply(states, gate, target):
    """A batch of states (b, 2**n): einsum on the reshaped (b, 2, ..., 2) tensor."""
    b, d = states.shape
    n = int(np.log2(d))
    psi = states.reshape((b,) + (2,) * n)
    psi = np.moveaxis(psi, target + 1, -1)
    psi = np.einsum("...j,ij->...i", psi, gate)
    psi = np.moveaxis(psi, -1, target + 1)
    return psi.reshape(b, d)


QUANTUM = {
    "apply_full_kron_reduce": (apply_full, {}, lambda s, n: (_state(s, n), H, 1)),
    "apply_kron_loop": (apply_kron_loop, {}, lambda s, n: (_state(s, n), _unitary(s), 2)),
    "apply_tensordot": (apply_tensordot, {}, lambda s, n: (_state(s, n), _unitary(s), 1)),
    "apply_tensordot_pair_axes": (apply_tensordot_pair_axes, {},
                                  lambda s, n: (_state(s, n), _unitary(s), 1)),
    "apply_by_transpose": (apply_by_transpose, {}, lambda s, n: (_state(s, n), _unitary(s), 2)),
    "apply_einsum_1q": (apply_einsum_1q, {}, lambda s, n: (_state(s, n), _unitary(s), 2)),
    "apply_two_qubit_cnot": (apply_two_qubit, {}, lambda s, n: (_state(s, n), CNOT, 0, 2)),
    "apply_two_qubit_random": (apply_two_qubit, {}, lambda s, n: (_state(s, n), _unitary(s, 2),
                                                                   3, 1)),
    "cnot_by_index": (cnot_by_index, {}, lambda s, n: (_state(s, n), 0, n - 1)),
    "cnot_by_loop": (cnot_by_loop, {}, lambda s, n: (_state(s, n), 1, 2)),
    "apply_cnot_matrix": (apply_cnot_matrix, {}, lambda s, n: (_state(s, n), 2, 0)),
    "cnot_moveaxis": (cnot_moveaxis, {}, lambda s, n: (_state(s, n), 1, 3)),
    "controlled_phase": (controlled_phase, {}, lambda s, n: (_state(s, n), 0, 1, 0.7 * s)),
    "marginal_probs": (marginal_probs, {}, lambda s, n: (_state(s, n), 2)),
    "expectation_x": (expectation, {}, lambda s, n: (_state(s, n), full_operator(X, 1, n))),
    "expectation_z_all": (expectation_z_all, {}, lambda s, n: (_state(s, n),)),
    "zz_correlator": (zz_correlator, {}, lambda s, n: (_state(s, n), 0, 3)),
    "ising_energy": (ising_energy, {}, lambda s, n: (_state(s, n), 1.0, 0.3 * s)),
    "partial_trace_first": (partial_trace_first, {}, lambda s, n: (_state(s, n), 2)),
    "partial_trace_einsum": (partial_trace_einsum, {}, lambda s, n: (
        density_matrix(_state(s, n)), 1)),
    "partial_trace_b_trace": (partial_trace_b_trace, {}, lambda s, n: (
        density_matrix(_state(s, n)), 2)),
    "purity_reduced": (lambda psi: purity(partial_trace_first(psi, 2)), {},
                       lambda s, n: (_state(s, n),)),
    "von_neumann_entropy": (von_neumann_entropy, {}, lambda s, n: (
        partial_trace_first(_state(s, n), 2),)),
    "entanglement_entropy": (entanglement_entropy, {}, lambda s, n: (_state(s, n), 2)),
    "state_fidelity": (state_fidelity, {}, lambda s, n: (_state(s, n), _state(s + 5, n))),
    "bloch_vector": (bloch_vector, {}, lambda s, n: (_state(s, 1),)),
    "bloch_from_amplitudes": (bloch_from_amplitudes, {}, lambda s, n: (
        np.stack([_state(s + k, 1) for k in range(n)]),)),
    "apply_qft": (apply_qft, {}, lambda s, n: (_state(s, n),)),
    "qft_circuit": (qft_circuit, {}, lambda s, n: (_state(s, n),)),
    "hadamard_all": (hadamard_all, {}, lambda s, n: (n,)),
    "grover": (grover, {}, lambda s, n: (np.arange(2 ** n) == (s + 3), 2)),
    "ghz_circuit": (ghz_circuit, {}, lambda s, n: (n,)),
    "vqe_energy": (vqe_energy, {}, lambda s, n: (_f(2, n, seed=s), 2)),
    "measure_collapse": (measure_collapse, {}, lambda s, n: (_state(s, n), 1, _u(s)[()])),
    "sample_counts": (sample_counts, {}, lambda s, n: (_state(s, n), _u(s, 50))),
    "measure_shots": (measure_shots, {}, lambda s, n: (_state(s, n), 100, 7)),
    "measure_multinomial": (measure_multinomial, {}, lambda s, n: (_state(s, n), 100, 7)),
    "kraus_depolarize": (kraus_depolarize, {}, lambda s, n: (
        density_matrix(_state(s, n // 2)), 0.1)),
    "time_evolve": (time_evolve, {}, lambda s, n: (_state(s, n), ising_hamiltonian(n, 1.0, 0.4),
                                                   0.3)),
    "trotter_step": (trotter_step, {}, lambda s, n: (_state(s, n), 1.0, 0.5, 0.05, 3)),
    "pauli_string_expectation": (pauli_string_expectation, {}, lambda s, n: (
        _state(s, n), "XZIY" + "Z" * (n - 4))),
    "full_operator_n_arg": (apply_full_n, {}, lambda s, n: (_state(s, n), _unitary(s), 1, n)),
    "z_on_qubit_string_rep": (z_on_qubit, {}, lambda s, n: (_state(s, n), 2, n)),
    "cnot_full_matrix_n_arg": (cnot_full_matrix, {}, lambda s, n: (n, 0, 2)),
    "batch_apply": (batch_apply, {}, lambda s, n: (
        np.stack([_state(s + k, n) for k in range(3)]), _unitary(s), 1)),
}


def test_a_basis_state_from_the_bit_string_of_python_ints():
    """`format(index, f"0{n}b")`: the text of Python int arguments is their value, so jit
    makes them static (it formatted the tracer and raised ValueError)."""
    check_steered(basis_state, lambda s: (s + 2, 3 + s))


@pytest.mark.parametrize("name", _names(QUANTUM))
def test_quantum(name):
    check_like_numpy(*QUANTUM[name])


# --------------------------------------------------------------------------------- wavelets

SQ2 = np.sqrt(2.0)
_D4 = np.array([1 + np.sqrt(3), 3 + np.sqrt(3), 3 - np.sqrt(3), 1 - np.sqrt(3)]) / (4 * SQ2)
DB4_LO = _D4
DB4_HI = _D4[::-1] * np.array([1, -1, 1, -1])


def haar_step(x):
    """One level of the orthonormal Haar transform on pairs."""
    a = (x[0::2] + x[1::2]) / np.sqrt(2)
    d = (x[0::2] - x[1::2]) / np.sqrt(2)
    return a, d


def haar_inverse_step(a, d):
    x = np.empty(2 * len(a))
    x[0::2] = (a + d) / np.sqrt(2)
    x[1::2] = (a - d) / np.sqrt(2)
    return x


def haar_multilevel(x, levels):
    coeffs = []
    a = x.copy()
    for _ in range(levels):
        a, d = haar_step(a)
        coeffs.append(d)
    coeffs.append(a)
    return coeffs[::-1]


def haar_reconstruct(coeffs):
    a = coeffs[0]
    for d in coeffs[1:]:
        a = haar_inverse_step(a, d)
    return a


def haar_roundtrip(x, levels):
    return haar_reconstruct(haar_multilevel(x, levels))


def haar_along_axis(x, axis):
    """One Haar level along any axis by index tuples built from `(slice(None),) * axis`."""
    lead = (slice(None),) * axis
    even = x[lead + (slice(0, None, 2),)]
    odd = x[lead + (slice(1, None, 2),)]
    return np.concatenate([(even + odd) / SQ2, (even - odd) / SQ2], axis=axis)


def haar_inplace(x):
    """The classic in-place full Haar decomposition writing into a working copy."""
    out = x.astype(float).copy()
    n = len(out)
    while n > 1:
        half = n // 2
        tmp = np.empty(n)
        tmp[:half] = (out[0:n:2] + out[1:n:2]) / SQ2
        tmp[half:] = (out[0:n:2] - out[1:n:2]) / SQ2
        out[:n] = tmp
        n = half
    return out


def haar_matrix(N):
    """The orthonormal Haar matrix built recursively with np.kron."""
    h = np.array([[1.0]])
    while h.shape[0] < N:
        top = np.kron(h, [1, 1])
        bot = np.kron(np.eye(h.shape[0]), [1, -1])
        h = np.vstack([top, bot])
        h = h / np.linalg.norm(h, axis=1, keepdims=True)
    return h


def haar_by_matrix(x):
    return haar_matrix(x.shape[0]) @ x


def dwt_periodic(x, lo, hi):
    """One periodic DWT level by index arithmetic: a[k] = sum_j lo[j] x[(2k + j) mod N]."""
    N = len(x)
    L = len(lo)
    idx = (2 * np.arange(N // 2)[:, None] + np.arange(L)[None, :]) % N
    return x[idx] @ lo, x[idx] @ hi


def idwt_periodic(a, d, lo, hi):
    N = 2 * len(a)
    L = len(lo)
    x = np.zeros(N)
    for k in range(len(a)):
        for j in range(L):
            x[(2 * k + j) % N] += lo[j] * a[k] + hi[j] * d[k]
    return x


def idwt_periodic_addat(a, d, lo, hi):
    N = 2 * len(a)
    idx = (2 * np.arange(len(a))[:, None] + np.arange(len(lo))[None, :]) % N
    x = np.zeros(N)
    np.add.at(x, idx, lo[None, :] * a[:, None] + hi[None, :] * d[:, None])
    return x


def db4_roundtrip(x):
    a, d = dwt_periodic(x, DB4_LO, DB4_HI)
    return idwt_periodic(a, d, DB4_LO, DB4_HI)


def db4_roundtrip_addat(x):
    a, d = dwt_periodic(x, DB4_LO, DB4_HI)
    return idwt_periodic_addat(a, d, DB4_LO, DB4_HI)


def dwt_convolve(x, lo, hi):
    """Symmetric-padded analysis by np.convolve and [::2] downsampling, as tutorials do."""
    L = len(lo)
    xp = np.pad(x, (L - 1, L - 1), mode="symmetric")
    a = np.convolve(xp, lo[::-1], mode="valid")[1::2]
    d = np.convolve(xp, hi[::-1], mode="valid")[1::2]
    return a, d


def upsample_convolve(a, d, lo, hi):
    """Synthesis: zero-insert, convolve with the filters, trim."""
    up_a = np.zeros(2 * len(a))
    up_a[::2] = a
    up_d = np.zeros(2 * len(d))
    up_d[::2] = d
    y = np.convolve(up_a, lo) + np.convolve(up_d, hi)
    return y[len(lo) - 1: len(lo) - 1 + 2 * len(a)]


def wavedec(x, lo, hi, level):
    coeffs = []
    a = x
    for _ in range(level):
        a, d = dwt_periodic(a, lo, hi)
        coeffs.insert(0, d)
    coeffs.insert(0, a)
    return coeffs


def haar_wavedec_prealloc(x, level):
    """The coefficient list preallocated as `[None] * (level + 1)` and filled from the end."""
    coeffs = [None] * (level + 1)
    a = x
    for i in range(level):
        d = (a[0::2] - a[1::2]) / np.sqrt(2)
        a = (a[0::2] + a[1::2]) / np.sqrt(2)
        coeffs[level - i] = d
    coeffs[0] = a
    return coeffs


def wavedec_concat(x, level):
    return np.concatenate(wavedec(x, DB4_LO, DB4_HI, level))


def waverec_periodic(coeffs, lo, hi):
    a = coeffs[0]
    for d in coeffs[1:]:
        a = idwt_periodic_addat(a, d, lo, hi)
    return a


def db4_multilevel_roundtrip(x, level):
    return waverec_periodic(wavedec(x, DB4_LO, DB4_HI, level), DB4_LO, DB4_HI)


def lifting_haar(x):
    """Haar by lifting: predict odd from even, update even with half the detail."""
    even = x[0::2].astype(float)
    odd = x[1::2].astype(float)
    d = odd - even
    s = even + d / 2
    return s, d


def lifting_haar_inverse(s, d):
    even = s - d / 2
    odd = d + even
    x = np.empty(even.size + odd.size)
    x[0::2] = even
    x[1::2] = odd
    return x


def cdf53_lifting(x):
    """LeGall 5/3 lifting with periodic neighbours by np.roll."""
    even = x[0::2].copy()
    odd = x[1::2].copy()
    odd -= 0.5 * (even + np.roll(even, -1))
    even += 0.25 * (odd + np.roll(odd, 1))
    return even, odd


def cdf53_inverse(even, odd):
    even = even - 0.25 * (odd + np.roll(odd, 1))
    odd = odd + 0.5 * (even + np.roll(even, -1))
    out = np.zeros(2 * len(even))
    out[::2] = even
    out[1::2] = odd
    return out


def d4_lifting(x):
    """Daubechies-4 by lifting (Sweldens): update, predict, update, normalize."""
    s = x[0::2].copy()
    d = x[1::2].copy()
    s = s + np.sqrt(3) * d
    d = d - np.sqrt(3) / 4 * s - (np.sqrt(3) - 2) / 4 * np.roll(s, 1)
    s = s - np.roll(d, -1)
    s = s * (np.sqrt(3) - 1) / np.sqrt(2)
    d = d * (np.sqrt(3) + 1) / np.sqrt(2)
    return s, d


def integer_lifting(x):
    """Integer-to-integer Haar (S transform) with floor division on int arrays."""
    even = x[0::2]
    odd = x[1::2]
    d = odd - even
    s = even + (d >> 1)
    return s, d


def integer_lifting_inverse(s, d):
    even = s - (d >> 1)
    odd = d + even
    out = np.empty(2 * len(s), dtype=s.dtype)
    out[0::2] = even
    out[1::2] = odd
    return out


def soft_threshold(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0)


def garrote_threshold(x, t):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = x - t ** 2 / x
    return np.where(np.abs(x) > t, y, 0.0)


def soft_threshold_inplace(coeffs, t):
    """Threshold every detail band of a coefficient list in place, leaving the approximation."""
    for i in range(1, len(coeffs)):
        c = coeffs[i]
        c[:] = np.sign(c) * np.clip(np.abs(c) - t, 0, None)
    return coeffs


def visushrink(x, level):
    """Universal threshold from the MAD of the finest detail band, soft thresholding."""
    coeffs = wavedec(x, DB4_LO, DB4_HI, level)
    sigma = np.median(np.abs(coeffs[-1])) / 0.6745
    thr = sigma * np.sqrt(2 * np.log(len(x)))
    den = [coeffs[0]] + [soft_threshold(c, thr) for c in coeffs[1:]]
    return waverec_periodic(den, DB4_LO, DB4_HI)


def sureshrink_risk(d, thresholds):
    """Stein's unbiased risk for every candidate threshold, by broadcasting."""
    n = d.size
    a = np.abs(d)[None, :]
    t = thresholds[:, None]
    risk = n - 2 * np.sum(a <= t, axis=1) + np.sum(np.minimum(a, t) ** 2, axis=1)
    return risk / n


def level_energy(coeffs):
    e = np.array([np.sum(c ** 2) for c in coeffs])
    return e / e.sum()


def energy_by_level(x, level):
    return level_energy(haar_multilevel(x, level))


def haar2d_bands(img):
    a = (img[0::2, 0::2] + img[0::2, 1::2] + img[1::2, 0::2] + img[1::2, 1::2]) / 2
    h = (img[0::2, 0::2] + img[0::2, 1::2] - img[1::2, 0::2] - img[1::2, 1::2]) / 2
    v = (img[0::2, 0::2] - img[0::2, 1::2] + img[1::2, 0::2] - img[1::2, 1::2]) / 2
    d = (img[0::2, 0::2] - img[0::2, 1::2] - img[1::2, 0::2] + img[1::2, 1::2]) / 2
    return a, (h, v, d)


def ihaar2d_bands(a, bands):
    h, v, d = bands
    out = np.zeros((2 * a.shape[0], 2 * a.shape[1]))
    out[0::2, 0::2] = (a + h + v + d) / 2
    out[0::2, 1::2] = (a + h - v - d) / 2
    out[1::2, 0::2] = (a - h + v - d) / 2
    out[1::2, 1::2] = (a - h - v + d) / 2
    return out


def haar2d_multilevel_inplace(img, levels):
    """The image-compression form: transform the top-left block in place each level."""
    out = img.astype(np.float64)
    r, c = out.shape
    for _ in range(levels):
        block = out[:r, :c]
        rows = np.concatenate([(block[:, ::2] + block[:, 1::2]) / SQ2,
                               (block[:, ::2] - block[:, 1::2]) / SQ2], axis=1)
        out[:r, :c] = np.concatenate([(rows[::2] + rows[1::2]) / SQ2,
                                      (rows[::2] - rows[1::2]) / SQ2], axis=0)
        r //= 2
        c //= 2
    return out


def haar2d_compress(img, keep):
    """Keep the largest `keep` fraction of coefficients by a quantile threshold."""
    a, bands = haar2d_bands(img)
    allc = np.concatenate([b.ravel() for b in bands])
    thr = np.quantile(np.abs(allc), 1 - keep)
    bands = tuple(np.where(np.abs(b) >= thr, b, 0.0) for b in bands)
    return ihaar2d_bands(a, bands)


def dwt2_convolve_rows_cols(img):
    """2-D DWT by applying the 1-D periodic Daubechies step along rows, then columns."""
    ra, rd = np.apply_along_axis(lambda r: np.concatenate(dwt_periodic(r, DB4_LO, DB4_HI)),
                                 1, img).reshape(img.shape[0], 2, -1).transpose(1, 0, 2)
    rows = np.concatenate([ra, rd], axis=1)
    return np.apply_along_axis(lambda c: np.concatenate(dwt_periodic(c, DB4_LO, DB4_HI)),
                               0, rows)


def wavelet_packet(x, level):
    """Full binary-tree packet decomposition, a list of nodes per level."""
    nodes = [x]
    for _ in range(level):
        new = []
        for node in nodes:
            a, d = haar_step(node)
            new.extend([a, d])
        nodes = new
    return np.stack(nodes)


def cascade_scaling(lo, iterations):
    """The cascade algorithm: repeatedly upsample and convolve with sqrt(2) * lo."""
    phi = np.array([1.0])
    for _ in range(iterations):
        up = np.zeros(2 * len(phi) - 1)
        up[::2] = phi
        phi = np.sqrt(2) * np.convolve(up, lo)
    return phi


WAVELETS = {
    "haar_multilevel": (haar_multilevel, {}, lambda s, n: (_f(4 * n, seed=s), 2)),
    "haar_roundtrip": (haar_roundtrip, {}, lambda s, n: (_f(8 * n, seed=s), 3)),
    "haar_along_axis": (haar_along_axis, {}, lambda s, n: (_f(3, 2 * n, 4, seed=s), 1)),
    "haar_inplace_while": (haar_inplace, {}, lambda s, n: (_f(2 ** n, seed=s),)),
    "haar_inplace_int": (haar_inplace, {}, lambda s, n: (_i(50, 2 ** n, seed=s),)),
    "haar_by_matrix": (haar_by_matrix, {}, lambda s, n: (_f(2 ** n, seed=s),)),
    "db4_roundtrip_loop": (db4_roundtrip, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "db4_roundtrip_addat": (db4_roundtrip_addat, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "dwt_convolve_db4": (dwt_convolve, {}, lambda s, n: (_f(2 * n, seed=s), DB4_LO, DB4_HI)),
    "upsample_convolve": (upsample_convolve, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), DB4_LO, DB4_HI)),
    "haar_wavedec_prealloc": (haar_wavedec_prealloc, {}, lambda s, n: (_f(4 * n, seed=s), 2)),
    "wavedec_concat": (wavedec_concat, {}, lambda s, n: (_f(4 * n, seed=s), 2)),
    "db4_multilevel_roundtrip": (db4_multilevel_roundtrip, {}, lambda s, n: (
        _f(8 * n, seed=s), 3)),
    "lifting_haar_roundtrip": (lambda x: lifting_haar_inverse(*lifting_haar(x)), {},
                               lambda s, n: (_f(2 * n, seed=s),)),
    "cdf53_roundtrip": (lambda x: cdf53_inverse(*cdf53_lifting(x)), {},
                        lambda s, n: (_f(2 * n, seed=s),)),
    "d4_lifting": (d4_lifting, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "integer_lifting": (integer_lifting, {}, lambda s, n: (_i(256, 2 * n, seed=s) - 128,)),
    "integer_lifting_roundtrip": (lambda x: integer_lifting_inverse(*integer_lifting(x)), {},
                                  lambda s, n: (_i(256, 2 * n, seed=s).astype(np.int32),)),
    "garrote_threshold": (garrote_threshold, {}, lambda s, n: (_f(n, 5, seed=s), 0.7)),
    "soft_threshold_inplace_list": (soft_threshold_inplace, {}, lambda s, n: (
        [_f(n, seed=s), _f(n, seed=s + 1), _f(2 * n, seed=s + 2)], 0.4)),
    "visushrink": (visushrink, {}, lambda s, n: (
        np.sin(np.linspace(0, 6, 8 * n)) + 0.1 * _f(8 * n, seed=s), 2)),
    "sureshrink_risk": (sureshrink_risk, {}, lambda s, n: (_f(4 * n, seed=s),
                                                           np.linspace(0, 2, 9))),
    "energy_by_level": (energy_by_level, {}, lambda s, n: (_f(8 * n, seed=s), 3)),
    "haar2d_bands": (haar2d_bands, {}, lambda s, n: (_f(2 * n, 6, seed=s),)),
    "haar2d_roundtrip": (lambda im: ihaar2d_bands(*haar2d_bands(im)), {},
                         lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "haar2d_multilevel_inplace": (haar2d_multilevel_inplace, {}, lambda s, n: (
        _i(256, 4 * n, 8, seed=s).astype(np.uint8), 2)),
    "haar2d_compress": (haar2d_compress, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s), 0.25)),
    "dwt2_apply_along_axis": (dwt2_convolve_rows_cols, {}, lambda s, n: (_f(2 * n, 8, seed=s),)),
    "wavelet_packet": (wavelet_packet, {}, lambda s, n: (_f(4 * n, seed=s), 2)),
    "cascade_scaling": (cascade_scaling, {}, lambda s, n: (DB4_LO, n)),
}


@pytest.mark.parametrize("name", _names(WAVELETS))
def test_wavelets(name):
    check_like_numpy(*WAVELETS[name])


# ------------------------------------------------------------------------ control systems


def _stable(s, n):
    """A random stable continuous-time A (eigenvalues shifted left)."""
    A = _f(n, n, seed=s + 400) * 0.5
    return A - (np.abs(np.linalg.eigvals(A)).max() + 0.5) * np.eye(n)


def _schur_stable(s, n):
    """A random discrete-time A with spectral radius 0.9."""
    A = _f(n, n, seed=s + 500)
    return 0.9 * A / np.abs(np.linalg.eigvals(A)).max()


def simulate_ss(A, B, C, D, u, x0):
    """x[k+1] = A x[k] + B u[k], y[k] = C x[k] + D u[k] over the rows of u."""
    T = u.shape[0]
    x = x0.copy()
    ys = np.zeros((T, C.shape[0]))
    xs = np.zeros((T + 1, A.shape[0]))
    xs[0] = x
    for k in range(T):
        ys[k] = C @ x + D @ u[k]
        x = A @ x + B @ u[k]
        xs[k + 1] = x
    return xs, ys


def simulate_ss_column(A, B, C, u):
    """Column-vector form: x is (n, 1), u a row of inputs per step, outputs appended to a list."""
    x = np.zeros((A.shape[0], 1))
    y = []
    for k in range(len(u)):
        x = np.dot(A, x) + np.dot(B, u[k].reshape(-1, 1))
        y.append(np.dot(C, x).item())
    return np.array(y)


def expm_series(M, terms=20):
    """Matrix exponential by a truncated Taylor series."""
    result = np.eye(M.shape[0])
    term = np.eye(M.shape[0])
    for k in range(1, terms):
        term = term @ M / k
        result = result + term
    return result


def expm_scaling_squaring(M, terms=12):
    """Scaling and squaring with a fixed number of squarings, as course notes write it."""
    s = 6
    Ms = M / 2 ** s
    E = np.eye(M.shape[0])
    term = np.eye(M.shape[0])
    for k in range(1, terms):
        term = term.dot(Ms) / k
        E += term
    for _ in range(s):
        E = E @ E
    return E


def c2d_series(A, B, dt):
    """Ad = e^{A dt}, Bd = (sum A^k dt^{k+1}/(k+1)!) B by a shared series."""
    n = A.shape[0]
    Ad = np.eye(n)
    S = np.eye(n) * dt
    term = np.eye(n)
    for k in range(1, 15):
        term = term @ A * dt / k
        Ad = Ad + term
        S = S + term * dt / (k + 1)
    return Ad, S @ B


def c2d_zoh(A, B, dt):
    """Zero-order hold through the exponential of the block matrix [[A, B], [0, 0]]."""
    n, m = B.shape
    M = np.zeros((n + m, n + m))
    M[:n, :n] = A
    M[:n, n:] = B
    E = expm_series(M * dt, terms=25)
    return E[:n, :n], E[:n, n:]


def c2d_euler_tustin(A, B, dt):
    n = A.shape[0]
    I = np.eye(n)
    Ae = I + A * dt
    Be = B * dt
    inv = np.linalg.inv(I - A * dt / 2)
    At = inv @ (I + A * dt / 2)
    Bt = inv @ B * dt
    return Ae, Be, At, Bt


def step_response(A, B, C, D, T):
    x = np.zeros(A.shape[0])
    y = np.empty(T)
    for k in range(T):
        y[k] = (C @ x + D * 1.0).item()
        x = A @ x + B.ravel()
    return y


def impulse_response_markov(A, B, C, T):
    """Markov parameters C A^k B stacked by repeated multiplication."""
    h = np.zeros((T,) + (C.shape[0], B.shape[1]))
    Ak = np.eye(A.shape[0])
    for k in range(T):
        h[k] = C @ Ak @ B
        Ak = Ak @ A
    return h


def step_info(y, t):
    """Final value, overshoot, peak time and 2% settling index from a response array."""
    yf = y[-1]
    overshoot = (y.max() - yf) / abs(yf) * 100
    tp = t[np.argmax(y)]
    outside = np.abs(y - yf) > 0.02 * abs(yf)
    idx = np.where(outside)[0]
    ts = t[idx[-1] + 1] if idx.size and idx[-1] + 1 < len(t) else t[0]
    return yf, overshoot, tp, ts


def step_info_rise(y, t):
    """Rise time 10%-90% by the first indices with argmax of a boolean mask."""
    yf = y[-1]
    i10 = np.argmax(y >= 0.1 * yf)
    i90 = np.argmax(y >= 0.9 * yf)
    return t[i90] - t[i10]


def dlqr(A, B, Q, R, iters=200):
    """Discrete LQR by iterating the Riccati difference equation backwards."""
    P = Q.copy()
    for _ in range(iters):
        K = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
        P = Q + A.T @ P @ A - A.T @ P @ B @ K
    return K, P


def dlqr_inv(A, B, Q, R, N):
    """The finite-horizon form with np.linalg.inv and a list of gains, newest first."""
    P = Q
    gains = []
    for _ in range(N):
        K = np.linalg.inv(R + B.T.dot(P).dot(B)).dot(B.T).dot(P).dot(A)
        P = Q + A.T.dot(P).dot(A - B.dot(K))
        gains.append(K)
    return np.array(gains[::-1])


def dlqr_tolerance(A, B, Q, R, tol=1e-10, max_iter=500):
    """Riccati iteration until the change in P is under a tolerance."""
    P = Q.copy()
    for _ in range(max_iter):
        Pn = A.T @ P @ A - A.T @ P @ B @ np.linalg.inv(R + B.T @ P @ B) @ B.T @ P @ A + Q
        if np.max(np.abs(Pn - P)) < tol:
            P = Pn
            break
        P = Pn
    return P


def lqr_closed_loop_poles(A, B, Q, R):
    K, _ = dlqr(A, B, Q, R, iters=100)
    ev = np.linalg.eigvals(A - B @ K)
    return np.sort(np.abs(ev))


def lqr_cost(A, B, K, Q, R, x0, T):
    x = x0
    J = 0.0
    for _ in range(T):
        u = -K @ x
        J += x @ Q @ x + u @ R @ u
        x = A @ x + B @ u
    return J


def ctrb(A, B):
    n = A.shape[0]
    return np.hstack([np.linalg.matrix_power(A, i) @ B for i in range(n)])


def ctrb_loop(A, B):
    n = A.shape[0]
    C = B
    AB = B
    for _ in range(1, n):
        AB = A @ AB
        C = np.hstack((C, AB))
    return C


def small_gain_bound(A, B, p):
    """A norm bound on the loop gain in the induced p-norm chosen by the caller."""
    return np.linalg.norm(A, p) * np.linalg.norm(B, p)


def is_controllable(A, B):
    return np.linalg.matrix_rank(ctrb(A, B)) == A.shape[0]


def gramian_sum(A, B, T):
    """Finite-horizon controllability Gramian as a sum of A^k B B' A'^k."""
    W = np.zeros_like(A)
    Ak = np.eye(A.shape[0])
    for _ in range(T):
        W += Ak @ B @ B.T @ Ak.T
        Ak = A @ Ak
    return W


def lyapunov_kron(A, Q):
    """Continuous Lyapunov A X + X A' + Q = 0 via the Kronecker-sum linear system."""
    n = A.shape[0]
    I = np.eye(n)
    K = np.kron(I, A) + np.kron(A, I)
    x = np.linalg.solve(K, -Q.reshape(-1, order="F"))
    return x.reshape(n, n, order="F")


def dlyap_iter(A, Q, iters):
    X = Q.copy()
    for _ in range(iters):
        X = A @ X @ A.T + Q
    return X


def ackermann(A, B, poles):
    """Ackermann's formula: K = [0 ... 0 1] ctrb^-1 phi(A), phi from np.poly of the poles."""
    n = A.shape[0]
    coeffs = np.real(np.poly(poles))
    phiA = np.zeros_like(A)
    for c in coeffs:
        phiA = phiA @ A + c * np.eye(n)
    e = np.zeros((1, n))
    e[0, -1] = 1
    K = e @ np.linalg.inv(ctrb(A, B)) @ phiA
    return K, np.sort(np.linalg.eigvals(A - B @ K).real)


def companion_form(num, den):
    """Controllable canonical form from a monic denominator and a numerator of lower degree."""
    den = np.asarray(den, dtype=float)
    den = den / den[0]
    n = len(den) - 1
    A = np.zeros((n, n))
    A[0, :] = -den[1:]
    A[1:, :-1] = np.eye(n - 1)
    B = np.zeros((n, 1))
    B[0, 0] = 1
    C = np.zeros((1, n))
    num = np.asarray(num, dtype=float)
    C[0, n - len(num):] = num
    return A, B, C


def ss2tf_poly(A, B, C):
    """Denominator by np.poly(A), numerator by the characteristic polynomial trick."""
    den = np.poly(A)
    num = np.poly(A - B @ C) - den
    return num, den


def freq_response(num, den, w):
    s = 1j * w
    return np.polyval(num, s) / np.polyval(den, s)


def bode(num, den, w):
    H_ = np.polyval(num, 1j * w) / np.polyval(den, 1j * w)
    mag = 20 * np.log10(np.abs(H_))
    phase = np.unwrap(np.angle(H_)) * 180 / np.pi
    return mag, phase


def gain_crossover(num, den, w):
    """Gain and phase margins by the sign changes of the magnitude and phase curves."""
    mag, phase = bode(num, den, w)
    i = np.argmin(np.abs(mag))
    pm = 180 + phase[i]
    j = np.argmin(np.abs(phase + 180))
    gm = -mag[j]
    return w[i], pm, w[j], gm


def ss_freq_response(A, B, C, D, w):
    """G(jw) = C (jwI - A)^-1 B + D for every frequency, by a loop of solves."""
    n = A.shape[0]
    G = np.empty(len(w), dtype=complex)
    for k, wk in enumerate(w):
        G[k] = (C @ np.linalg.solve(1j * wk * np.eye(n) - A, B) + D)[0, 0]
    return G


def ss_freq_response_batched(A, B, C, w):
    n = A.shape[0]
    M = 1j * w[:, None, None] * np.eye(n) - A
    return (C @ np.linalg.solve(M, B))[:, 0, 0]


def pid_loop(r, Kp, Ki, Kd, dt, a, b):
    """Discrete PID on a first-order plant y[k+1] = a y[k] + b u[k], with saturation."""
    n = len(r)
    y = np.zeros(n + 1)
    u = np.zeros(n)
    integral = 0.0
    prev_err = 0.0
    for k in range(n):
        err = r[k] - y[k]
        integral += err * dt
        deriv = (err - prev_err) / dt
        u[k] = np.clip(Kp * err + Ki * integral + Kd * deriv, -10, 10)
        prev_err = err
        y[k + 1] = a * y[k] + b * u[k]
    return y, u


def pid_velocity_form(e, Kp, Ki, Kd, dt):
    """The incremental PID written over the whole error array with np.diff and np.cumsum."""
    de = np.diff(e, prepend=e[0])
    d2e = np.diff(de, prepend=de[0])
    du = Kp * de + Ki * dt * e + Kd / dt * d2e
    return np.cumsum(du)


def pid_anti_windup(r, Kp, Ki, dt, umax):
    """PI on an integrator plant with back-calculation anti-windup."""
    y = 0.0
    I = 0.0
    out = np.zeros((len(r), 2))
    for k, rk in enumerate(r):
        e = rk - y
        v = Kp * e + I
        u = min(max(v, -umax), umax)
        I += Ki * e * dt + (u - v) * 0.5
        y += u * dt
        out[k] = (y, u)
    return out


def dead_time_sim(u, a, b, delay):
    """A first-order plant behind an input delay kept as a Python list used as a FIFO."""
    buf = [0.0] * delay
    y = np.zeros(len(u))
    yk = 0.0
    for k in range(len(u)):
        buf.append(u[k])
        ud = buf.pop(0)
        yk = a * yk + b * ud
        y[k] = yk
    return y


def routh_array(coeffs):
    """Routh table by the cross-multiplication rule, rows padded with zeros."""
    n = len(coeffs)
    cols = (n + 1) // 2
    R = np.zeros((n, cols))
    R[0, :len(coeffs[0::2])] = coeffs[0::2]
    R[1, :len(coeffs[1::2])] = coeffs[1::2]
    for i in range(2, n):
        for j in range(cols - 1):
            R[i, j] = (R[i - 1, 0] * R[i - 2, j + 1] - R[i - 2, 0] * R[i - 1, j + 1]) / R[i - 1, 0]
    return R


def kalman_filter(A, C, Q, R, y, x0, P0):
    """Predict/update over the measurement rows, storing estimates and covariance traces."""
    x = x0.copy()
    P = P0.copy()
    n = A.shape[0]
    xs = np.zeros((len(y), n))
    tr = np.zeros(len(y))
    for k in range(len(y)):
        x = A @ x
        P = A @ P @ A.T + Q
        S_ = C @ P @ C.T + R
        K = P @ C.T @ np.linalg.inv(S_)
        x = x + K @ (y[k] - C @ x)
        P = (np.eye(n) - K @ C) @ P
        xs[k] = x
        tr[k] = np.trace(P)
    return xs, tr


def mpc_prediction_matrices(A, B, N):
    """Condensed MPC: Sx stacks A^k, Su is block lower-triangular of A^(i-j) B."""
    n, m = B.shape
    Sx = np.zeros((N * n, n))
    Su = np.zeros((N * n, N * m))
    for i in range(N):
        Sx[i * n:(i + 1) * n] = np.linalg.matrix_power(A, i + 1)
        for j in range(i + 1):
            Su[i * n:(i + 1) * n, j * m:(j + 1) * m] = np.linalg.matrix_power(A, i - j) @ B
    return Sx, Su


def mpc_unconstrained(A, B, Q, R, x0, N):
    Sx, Su = mpc_prediction_matrices(A, B, N)
    Qb = np.kron(np.eye(N), Q)
    Rb = np.kron(np.eye(N), R)
    Hm = Su.T @ Qb @ Su + Rb
    f = Su.T @ Qb @ Sx @ x0
    return -np.linalg.solve(Hm, f)


def second_order_response(zeta, wn, t):
    """Underdamped closed-form step response, as the textbooks write it."""
    wd = wn * np.sqrt(1 - zeta ** 2)
    phi = np.arccos(zeta)
    return 1 - np.exp(-zeta * wn * t) / np.sqrt(1 - zeta ** 2) * np.sin(wd * t + phi)


def rk4_simulate(A, B, u, x0, dt):
    """Continuous simulation by RK4 with zero-order-held inputs."""
    f = lambda x, uk: A @ x + B @ uk
    x = x0
    out = [x0]
    for uk in u:
        k1 = f(x, uk)
        k2 = f(x + dt / 2 * k1, uk)
        k3 = f(x + dt / 2 * k2, uk)
        k4 = f(x + dt * k3, uk)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(x)
    return np.array(out)


def lsim_filter(b, a, u):
    """Difference equation a[0] y[n] = sum b[k] u[n-k] - sum a[k] y[n-k], as lfilter does."""
    y = np.zeros_like(u)
    for n in range(len(u)):
        acc = 0.0
        for k in range(len(b)):
            if n - k >= 0:
                acc += b[k] * u[n - k]
        for k in range(1, len(a)):
            if n - k >= 0:
                acc -= a[k] * y[n - k]
        y[n] = acc / a[0]
    return y


def inverted_pendulum_linear(M, m, l, g=9.81):
    A = np.array([[0, 1, 0, 0],
                  [0, 0, -m * g / M, 0],
                  [0, 0, 0, 1],
                  [0, 0, (M + m) * g / (M * l), 0]])
    B = np.array([[0], [1 / M], [0], [-1 / (M * l)]])
    return A, B, np.linalg.eigvals(A).real


CONTROL = {
    "simulate_ss": (simulate_ss, {}, lambda s, n: (
        _schur_stable(s, 3), _f(3, 2, seed=s), _f(1, 3, seed=s + 1), np.zeros((1, 2)),
        _f(n, 2, seed=s + 2), _f(3, seed=s + 3))),
    "simulate_ss_column": (simulate_ss_column, {}, lambda s, n: (
        _schur_stable(s, 3), _f(3, 1, seed=s), _f(1, 3, seed=s + 1), _f(n, seed=s + 2))),
    "expm_series": (expm_series, {}, lambda s, n: (_f(n, n, seed=s) * 0.5,)),
    "expm_scaling_squaring": (expm_scaling_squaring, {}, lambda s, n: (_f(n, n, seed=s),)),
    "c2d_series": (c2d_series, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s), 0.1)),
    "c2d_zoh": (c2d_zoh, {}, lambda s, n: (_stable(s, n), _f(n, 2, seed=s), 0.05)),
    "c2d_euler_tustin": (c2d_euler_tustin, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s),
                                                             0.1)),
    "step_response": (step_response, {}, lambda s, n: (
        _schur_stable(s, 2), _f(2, 1, seed=s), _f(1, 2, seed=s + 1), np.zeros((1, 1)), 4 * n)),
    "impulse_response_markov": (impulse_response_markov, {}, lambda s, n: (
        _schur_stable(s, 3), _f(3, 2, seed=s), _f(2, 3, seed=s + 1), n)),
    "step_info_rise": (step_info_rise, {}, lambda s, n: (
        second_order_response(0.3, 1.0 + s, np.linspace(0, 10, 25 * n)),
        np.linspace(0, 10, 25 * n))),
    "dlqr": (dlqr, {}, lambda s, n: (_schur_stable(s, n) * 1.2, _f(n, 1, seed=s), np.eye(n),
                                     np.eye(1))),
    "dlqr_inv_horizon": (dlqr_inv, {}, lambda s, n: (
        _schur_stable(s, n), _f(n, 2, seed=s), np.eye(n), 0.5 * np.eye(2), 5)),
    "lqr_closed_loop_poles": (lqr_closed_loop_poles, {}, lambda s, n: (
        _schur_stable(s, n) * 1.3, _f(n, 1, seed=s), np.eye(n), np.eye(1))),
    "lqr_cost": (lqr_cost, {}, lambda s, n: (
        _schur_stable(s, 3), _f(3, 1, seed=s), _f(1, 3, seed=s) * 0.1, np.eye(3), np.eye(1),
        _f(3, seed=s + 1), 3 * n)),
    "ctrb_matrix_power": (ctrb, {}, lambda s, n: (_f(n, n, seed=s), _f(n, 1, seed=s + 1))),
    "ctrb_loop_hstack": (ctrb_loop, {}, lambda s, n: (_f(n, n, seed=s), _f(n, 2, seed=s + 1))),
    "small_gain_bound": (small_gain_bound, {}, lambda s, n: (_f(n, n, seed=s),
                                                                  _f(n, n, seed=s + 1), 1)),
    "is_controllable": (is_controllable, {}, lambda s, n: (_f(n, n, seed=s),
                                                           _f(n, 1, seed=s + 1))),
    "gramian_sum": (gramian_sum, {}, lambda s, n: (_schur_stable(s, n), _f(n, 1, seed=s), 10)),
    "lyapunov_kron": (lyapunov_kron, {}, lambda s, n: (_stable(s, n), np.eye(n))),
    "dlyap_iter": (dlyap_iter, {}, lambda s, n: (_schur_stable(s, n), np.eye(n), 30)),
    "ackermann": (ackermann, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, 1, seed=s + 1), -np.arange(1.0, n + 1) * 0.5)),
    "companion_form": (companion_form, {}, lambda s, n: (
        _f(2, seed=s), np.concatenate([[2.0], _f(n, seed=s + 1)]))),
    "ss2tf_poly": (ss2tf_poly, {}, lambda s, n: (_f(n, n, seed=s), _f(n, 1, seed=s),
                                                 _f(1, n, seed=s + 1))),
    "freq_response": (freq_response, {}, lambda s, n: (
        np.array([1.0, 2.0 + s]), np.array([1.0, 3.0, 2.0, 0.5 * s]),
        np.logspace(-2, 2, 10 * n))),
    "bode_unwrap": (bode, {}, lambda s, n: (
        np.array([10.0]), np.array([1.0, 3.0, 3.0, 1.0 + 0.1 * s]), np.logspace(-2, 2, 10 * n))),
    "gain_crossover": (gain_crossover, {}, lambda s, n: (
        np.array([5.0 + s]), np.polymul([1, 1], np.polymul([1, 2], [1, 3])).astype(float),
        np.logspace(-1, 1, 20 * n))),
    "ss_freq_response_loop": (ss_freq_response, {}, lambda s, n: (
        _stable(s, 3), _f(3, 1, seed=s), _f(1, 3, seed=s + 1), np.zeros((1, 1)),
        np.logspace(-1, 1, n))),
    "ss_freq_response_batched": (ss_freq_response_batched, {}, lambda s, n: (
        _stable(s, 3), _f(3, 1, seed=s), _f(1, 3, seed=s + 1), np.logspace(-1, 1, n))),
    "pid_loop": (pid_loop, {}, lambda s, n: (np.ones(5 * n), 2.0, 0.5 * s, 0.1, 0.1, 0.9, 0.2)),
    "pid_velocity_form": (pid_velocity_form, {}, lambda s, n: (_f(5 * n, seed=s), 1.0, 0.3,
                                                               0.05, 0.1)),
    "pid_anti_windup": (pid_anti_windup, {}, lambda s, n: (
        np.where(np.arange(5 * n) > 3, 2.0, 0.0) * s, 3.0, 2.0, 0.1, 1.5)),
    "dead_time_sim": (dead_time_sim, {}, lambda s, n: (_f(3 * n, seed=s), 0.9, 0.1, 3)),
    "routh_array": (routh_array, {}, lambda s, n: (np.concatenate([[1.0], _f(n, positive=True,
                                                                          seed=s) + 1]),)),
    "kalman_filter": (kalman_filter, {}, lambda s, n: (
        np.array([[1.0, 0.1], [0.0, 1.0]]), np.array([[1.0, 0.0]]), 0.01 * np.eye(2),
        np.array([[0.5]]), _f(3 * n, 1, seed=s), np.zeros(2), np.eye(2))),
    "mpc_prediction_matrices": (mpc_prediction_matrices, {}, lambda s, n: (
        _schur_stable(s, 2), _f(2, 1, seed=s), n)),
    "mpc_unconstrained": (mpc_unconstrained, {}, lambda s, n: (
        _schur_stable(s, 3), _f(3, 1, seed=s), np.eye(3), np.eye(1) * 0.1, _f(3, seed=s), n)),
    "rk4_simulate": (rk4_simulate, {}, lambda s, n: (
        _stable(s, 3), _f(3, 1, seed=s), _f(2 * n, 1, seed=s + 1), _f(3, seed=s + 2), 0.05)),
    "lsim_filter": (lsim_filter, {}, lambda s, n: (
        np.array([0.2, 0.1]), np.array([1.0, -0.5, 0.1 * s]), _f(3 * n, seed=s))),
    "inverted_pendulum_linear": (inverted_pendulum_linear, {}, lambda s, n: (
        1.0 + s, 0.1 * n, 0.5)),
}


@pytest.mark.parametrize("name", _names(CONTROL))
def test_control(name):
    check_like_numpy(*CONTROL[name])


# ------------------------------------------------ sensitivity analysis and design of experiments


def ishigami(X, a=7.0, b=0.1):
    return np.sin(X[:, 0]) + a * np.power(np.sin(X[:, 1]), 2) + \
        b * np.power(X[:, 2], 4) * np.sin(X[:, 0])


def sobol_g(X, a):
    """Sobol's G function, SALib's `Sobol_G.evaluate` with a row loop over the factors."""
    Y = np.ones(X.shape[0])
    for j in range(X.shape[1]):
        Y *= (np.abs(4 * X[:, j] - 2) + a[j]) / (1 + a[j])
    return Y


def sobol_g_prod(X, a):
    return np.prod((np.abs(4 * X - 2) + a) / (1 + a), axis=1)


def sobol_g_analytic(a):
    Vi = 1.0 / (3 * (1 + a) ** 2)
    V = np.prod(1 + Vi) - 1
    S1 = Vi / V
    ST = Vi * np.prod(1 + Vi) / (1 + Vi) / V
    return S1, ST


def scale_samples(params, bounds):
    """SALib's `scale_samples`: rescale the unit cube to bounds with np.add/np.multiply out=."""
    b = np.array(bounds)
    lower = b[:, 0]
    upper = b[:, 1]
    np.add(np.multiply(params, (upper - lower), out=params), lower, out=params)
    return params


def ishigami_problem(X, num_vars):
    """A SALib problem dict with `[[-pi, pi]] * num_vars` bounds, used to rescale samples."""
    problem = {"num_vars": num_vars, "bounds": [[-np.pi, np.pi]] * num_vars}
    return ishigami(scale_samples(X.copy(), problem["bounds"]))


def s1_of_factor(S1, k):
    """A factor's index looked up by its SALib name, 'x0', 'x1', ..."""
    names = ["x%d" % j for j in range(S1.shape[0])]
    return S1[names.index(f"x{k}")]


def sobol_g_named(X, k):
    """Sobol-G of one factor whose coefficient comes from a dict keyed by factor name."""
    a = {"x1": 0.0, "x2": 1.0, "x3": 9.0}
    return sobol_g_prod(X, a.get("x" + str(k), 99.0))


def saltelli_sample(base, D, calc_second_order=True):
    """SALib's Saltelli cross-sampling from a base sequence of 2D columns, row by row."""
    N = base.shape[0]
    Dg = D
    step = 2 * Dg + 2 if calc_second_order else Dg + 2
    out = np.zeros([step * N, D])
    index = 0
    for i in range(N):
        for j in range(D):
            out[index, j] = base[i, j]
        index += 1
        for k in range(Dg):
            for j in range(D):
                if j == k:
                    out[index, j] = base[i, j + D]
                else:
                    out[index, j] = base[i, j]
            index += 1
        if calc_second_order:
            for k in range(Dg):
                for j in range(D):
                    if j == k:
                        out[index, j] = base[i, j]
                    else:
                        out[index, j] = base[i, j + D]
                index += 1
        for j in range(D):
            out[index, j] = base[i, j + D]
        index += 1
    return out


def saltelli_vectorized(A, B):
    """The same A, AB_i, B blocks built with np.tile and column assignment."""
    D = A.shape[1]
    AB = np.tile(A, (D, 1, 1))
    for i in range(D):
        AB[i, :, i] = B[:, i]
    return np.concatenate([A[None], AB, B[None]], axis=0).reshape(-1, D, order="F")


def separate_output_values(Y, D, N, calc_second_order):
    """SALib's split of the model outputs into A, B, AB and BA by strided slices."""
    AB = np.zeros((N, D))
    BA = np.zeros((N, D)) if calc_second_order else None
    step = 2 * D + 2 if calc_second_order else D + 2
    A = Y[0:Y.size:step]
    B = Y[(step - 1):Y.size:step]
    for j in range(D):
        AB[:, j] = Y[(j + 1):Y.size:step]
        if calc_second_order:
            BA[:, j] = Y[(j + 1 + D):Y.size:step]
    return A, B, AB, BA


def first_order(A, AB, B):
    """Saltelli 2010 first-order estimator with SALib's guard against constant outputs."""
    y = np.r_[A, B]
    if np.ptp(y) == 0:
        return np.zeros(AB.shape[1])
    return np.mean(B[:, None] * (AB - A[:, None]), axis=0) / np.var(y, axis=0)


def first_order_plain(A, AB, B):
    return np.mean(B[:, None] * (AB - A[:, None]), axis=0) / np.var(np.r_[A, B], axis=0)


def second_order_index(A, ABj, ABk, BAj, B):
    Vjk = np.mean(BAj * ABk - A * B, axis=0) / np.var(np.r_[A, B], axis=0)
    Sj = np.mean(B * (ABj - A), axis=0) / np.var(np.r_[A, B], axis=0)
    Sk = np.mean(B * (ABk - A), axis=0) / np.var(np.r_[A, B], axis=0)
    return Vjk - Sj - Sk


def sobol_analyze(Y, D, r):
    """SALib's `analyze` loop: per-factor indices, bootstrap confidence from given resamples."""
    N = Y.size // (2 * D + 2)
    A, B, AB, BA = separate_output_values(Y, D, N, True)
    S = {"S1": np.zeros(D), "S1_conf": np.zeros(D), "ST": np.zeros(D), "ST_conf": np.zeros(D),
         "S2": np.full((D, D), np.nan)}
    for j in range(D):
        S["S1"][j] = first_order_1d(A, AB[:, j], B)
        S["S1_conf"][j] = 1.96 * first_order_1d(A[r], AB[r, j], B[r]).std(ddof=1)
        S["ST"][j] = total_order_1d(A, AB[:, j], B)
        S["ST_conf"][j] = 1.96 * total_order_1d(A[r], AB[r, j], B[r]).std(ddof=1)
    for j in range(D):
        for k in range(j + 1, D):
            S["S2"][j, k] = second_order_index(A, AB[:, j], AB[:, k], BA[:, j], B)
    return S


def first_order_1d(A, AB, B):
    return np.mean(B * (AB - A), axis=0) / np.var(np.r_[A, B], axis=0)


def total_order_1d(A, AB, B):
    return 0.5 * np.mean((A - AB) ** 2, axis=0) / np.var(np.r_[A, B], axis=0)


def bootstrap_first_order(A, AB, B, r):
    """A[r] with r of shape (N, num_resamples): a 3-D fancy index and a reduction on axis 0."""
    Ar, Br, ABr = A[r], B[r], AB[r]
    return np.mean(Br[..., None] * (ABr - Ar[..., None]), axis=0) / \
        np.var(np.concatenate([Ar, Br]), axis=0)[:, None]


def sobol_pipeline(base, r):
    """Sample, evaluate Ishigami in [-pi, pi]^3, and analyze: the SALib quickstart."""
    X = saltelli_sample(base, 3)
    X = scale_samples(X, [[-np.pi, np.pi]] * 3)
    return sobol_analyze(ishigami(X), 3, r)


def saltelli_2010_estimators(fA, fB, fAB):
    """Both estimators side by side with the total variance from the stacked outputs."""
    f0 = np.mean(np.concatenate([fA, fB]))
    V = np.mean(np.concatenate([fA, fB]) ** 2) - f0 ** 2
    S = np.mean(fB[:, None] * (fAB - fA[:, None]), axis=0) / V
    ST_saltelli = np.mean(fA[:, None] * (fA[:, None] - fAB), axis=0) / V
    ST_jansen = np.mean((fA[:, None] - fAB) ** 2, axis=0) / (2 * V)
    return S, ST_saltelli, ST_jansen


def morris_trajectory(x_star, perm, signs, levels):
    """Campolongo's B* = (J x* + delta/2 ((2B - J) D* + J)) P* for one trajectory."""
    k = x_star.shape[0]
    delta = levels / (2.0 * (levels - 1))
    B = np.tril(np.ones([k + 1, k], dtype=int), -1)
    J = np.ones((k + 1, k))
    D_star = np.diag(signs)
    P_star = np.eye(k)[perm]
    return (J * x_star + (delta / 2.0) * (np.dot((2.0 * B - J), D_star) + J)) @ P_star


def morris_sample(x_stars, perms, signs, levels):
    N = x_stars.shape[0]
    return np.vstack([morris_trajectory(x_stars[i], perms[i], signs[i], levels)
                      for i in range(N)])


def morris_elementary_effects(X, Y, N, k):
    """SALib's EE by the sign of the step between consecutive trajectory points."""
    Xr = X.reshape(N, k + 1, k)
    Yr = Y.reshape(N, k + 1)
    dX = np.diff(Xr, axis=1)
    dY = np.diff(Yr, axis=1)
    factor = np.argmax(np.abs(dX), axis=2)
    step = np.take_along_axis(dX, factor[..., None], axis=2)[..., 0]
    ee = np.zeros((N, k))
    rows = np.repeat(np.arange(N), k)
    ee[rows, factor.ravel()] = (dY / step).ravel()
    return ee


def morris_ee_salib(model_inputs, model_outputs, trajectory_size, delta):
    """SALib's `_compute_elementary_effects`: an up mask from the input differences."""
    num_vars = model_inputs.shape[1]
    num_rows = model_inputs.shape[0]
    num_trajectories = int(num_rows / trajectory_size)
    ee = np.zeros((num_trajectories, num_vars))
    ip_vec = model_inputs.reshape(num_trajectories, trajectory_size, num_vars)
    ip_cha = np.subtract(ip_vec[:, 1:, :], ip_vec[:, 0:-1, :])
    up = (ip_cha > 0)
    lo = (ip_cha < 0)
    op_vec = model_outputs.reshape(num_trajectories, trajectory_size)
    result_up = np.zeros((num_trajectories, num_vars))
    result_lo = np.zeros((num_trajectories, num_vars))
    for t in range(num_trajectories):
        for v in range(num_vars):
            result_up[t, v] = (op_vec[t, 1:] * up[t, :, v]).sum() - \
                (op_vec[t, :-1] * up[t, :, v]).sum()
            result_lo[t, v] = (op_vec[t, 1:] * lo[t, :, v]).sum() - \
                (op_vec[t, :-1] * lo[t, :, v]).sum()
    ee = result_up - result_lo
    np.divide(ee, delta, out=ee)
    return ee


def morris_statistics(ee):
    mu = np.average(ee, 0)
    mu_star = np.average(np.abs(ee), 0)
    sigma = np.std(ee, axis=0, ddof=1)
    return {"mu": mu, "mu_star": mu_star, "sigma": sigma,
            "ratio": sigma / mu_star}


def morris_mu_star_conf(ee, resample_index):
    """Bootstrap of mu_star from given resample rows, SALib's `compute_mu_star_confidence`."""
    ee_resampled = ee[resample_index]
    mu_star_resampled = np.average(np.abs(ee_resampled), axis=1)
    return 1.96 * mu_star_resampled.std(ddof=1, axis=0)


def morris_ranking(mu_star, names):
    order = np.argsort(-mu_star)
    return [names[i] for i in order.tolist()]


def morris_func(X, beta0=0.0):
    """Morris 1991 test function on the first five factors with fixed coefficients."""
    w = 2 * (X - 0.5)
    w[:, 2] = 2 * (1.1 * X[:, 2] / (X[:, 2] + 0.1) - 0.5)
    bi = np.array([20.0, -10.0, 5.0, 3.0, -2.0])
    bij = np.triu(np.full((5, 5), -15.0), 1)
    y = beta0 + w[:, :5] @ bi
    y += np.einsum("ni,ij,nj->n", w[:, :5], bij, w[:, :5])
    return y


def lhs_classic(u, perms):
    """pyDOE's `_lhsclassic`: stratified uniforms, then each column permuted."""
    n, d = u.shape
    cut = np.linspace(0, 1, n + 1)
    a = cut[:n]
    b = cut[1:n + 1]
    rdpoints = np.zeros_like(u)
    for j in range(d):
        rdpoints[:, j] = u[:, j] * (b - a) + a
    H = np.zeros_like(rdpoints)
    for j in range(d):
        order = perms[j]
        H[:, j] = rdpoints[order, j]
    return H


def lhs_global_seed(n, d, seed):
    """pyDOE's `lhs` as it was called: the global generator seeded, `rand`, `permutation`."""
    np.random.seed(seed)
    cut = np.linspace(0, 1, n + 1)
    u = np.random.rand(n, d)
    a, b = cut[:n], cut[1:n + 1]
    rdpoints = u * (b - a)[:, None] + a[:, None]
    H = np.zeros_like(rdpoints)
    for j in range(d):
        order = np.random.permutation(range(n))
        H[:, j] = rdpoints[order, j]
    return H


def lhs_generator(n, d, seed):
    """scipy.stats.qmc's form: one generator, a permutation per column plus a jitter."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, d))
    H = np.zeros((n, d))
    for j in range(d):
        H[:, j] = (rng.permutation(n) + u[:, j]) / n
    return H


def lhs_centered(perms):
    """pyDOE's `_lhscentered`: the midpoints of the strata, permuted per column."""
    d, n = perms.shape
    cut = np.linspace(0, 1, n + 1)
    _center = (cut[:n] + cut[1:n + 1]) / 2
    H = np.zeros((n, d))
    for j in range(d):
        H[:, j] = _center[perms[j]]
    return H


def lhs_vectorized(u, perms):
    """scipy-qmc style: (perm + u) / n with the permutations as an int array."""
    n = u.shape[0]
    return (perms.T + u) / n


def pdist_min(H):
    """pyDOE's `_pdist` by a double loop into a condensed vector, then its minimum."""
    m = H.shape[0]
    d = np.zeros(m * (m - 1) // 2)
    c = 0
    for i in range(m - 1):
        for j in range(i + 1, m):
            d[c] = np.sqrt(np.sum((H[j] - H[i]) ** 2))
            c += 1
    return d.min(), d


def lhs_maximin_argmax(us, perms):
    """Pick the best of several candidate designs by the largest minimum distance."""
    cands = np.stack([lhs_classic(us[k], perms[k]) for k in range(us.shape[0])])
    diff = cands[:, :, None, :] - cands[:, None, :, :]
    dist = np.sqrt((diff ** 2).sum(-1))
    n = cands.shape[1]
    dist[:, np.arange(n), np.arange(n)] = np.inf
    best = np.argmax(dist.min(axis=(1, 2)))
    return cands[best]


def fullfact(levels):
    """pyDOE's `fullfact` with its np.tile/np.repeat loop over factors."""
    n = len(levels)
    nb_lines = np.prod(levels)
    H = np.zeros((nb_lines, n))
    level_repeat = 1
    range_repeat = np.prod(levels)
    for i in range(n):
        range_repeat //= levels[i]
        lvl = []
        for j in range(levels[i]):
            lvl += [j] * level_repeat
        rng = lvl * range_repeat
        level_repeat *= levels[i]
        H[:, i] = rng
    return H


def fullfact_meshgrid(levels):
    grids = np.meshgrid(*[np.arange(l) for l in levels], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def fullfact_indices(levels):
    return np.indices(levels).reshape(len(levels), -1).T


def ff2n(n):
    return 2 * fullfact([2] * n) - 1


def fracfact(gen):
    """pyDOE's `fracfact` for generators like 'a b c ab ac': base columns by ff2n, products."""
    parts = gen.split()
    base = [p for p in parts if len(p) == 1]
    H0 = ff2n(len(base))
    col = {b: H0[:, i] for i, b in enumerate(base)}
    H = np.zeros((H0.shape[0], len(parts)))
    for k, p in enumerate(parts):
        H[:, k] = np.prod([col[c] for c in p], axis=0)
    return H


def bbdesign(n, center=1):
    """Box-Behnken: every pair of factors at +-1 with the rest at 0, then centre points."""
    H_fact = ff2n(2)
    Index = 0
    nb_lines = int((0.5 * n * (n - 1)) * H_fact.shape[0])
    H = np.zeros((nb_lines, n))
    for i in range(n - 1):
        for j in range(i + 1, n):
            Index = Index + 1
            H[max([0, (Index - 1) * H_fact.shape[0]]):Index * H_fact.shape[0], i] = H_fact[:, 0]
            H[max([0, (Index - 1) * H_fact.shape[0]]):Index * H_fact.shape[0], j] = H_fact[:, 1]
    return np.vstack((H, np.zeros((center, n))))


def ccdesign(n, alpha):
    """Central composite: factorial corners, axial star points at +-alpha, one centre."""
    corners = ff2n(n)
    star = np.zeros((2 * n, n))
    for i in range(n):
        star[2 * i, i] = -alpha
        star[2 * i + 1, i] = alpha
    return np.r_[corners, star, np.zeros((1, n))]


def hadamard(n):
    """Sylvester's construction by repeated np.block, as scipy.linalg.hadamard does."""
    H_ = np.array([[1]], dtype=int)
    for _ in range(int(np.log2(n))):
        H_ = np.block([[H_, H_], [H_, -H_]])
    return H_


def plackett_burman_2level(n):
    H_ = hadamard(n)
    return H_[:, 1:]


def main_effects(design, y):
    """Two-level main effects: mean response at +1 minus mean at -1, per column."""
    plus = design > 0
    return (y @ plus) / plus.sum(0) - (y @ ~plus) / (~plus).sum(0)


def interaction_effects(design, y):
    k = design.shape[1]
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            col = design[:, i] * design[:, j]
            out[i, j] = y[col > 0].mean() - y[col < 0].mean()
    return out


def fast_sample(omega, N):
    """eFAST search curves x = 1/2 + arcsin(sin(omega s + phi)) / pi for each factor."""
    s = (2 * np.pi / N) * np.arange(N)
    D = omega.shape[0]
    X = np.zeros((D * N, D))
    for i in range(D):
        om = np.roll(omega, i)
        idx = np.arange(i * N, (i + 1) * N)
        X[idx, :] = 0.5 + np.arcsin(np.sin(np.outer(s, om) + 0.1 * i)) / np.pi
    return X


def fast_analyze(Y, N, M, omega0):
    """eFAST first-order index from the FFT spectrum at harmonics of the base frequency."""
    f = np.fft.fft(Y)
    Sp = np.power(np.absolute(f[np.arange(1, int((N + 1) / 2))]) / N, 2)
    V = 2 * np.sum(Sp)
    D1 = 2 * np.sum(Sp[np.arange(1, M + 1) * int(omega0) - 1])
    return D1 / V


def efast_frequencies(M, D, N):
    omega = np.zeros(D)
    omega[0] = np.floor((N - 1) / (2 * M))
    m = np.floor(omega[0] / (2 * M))
    if m >= (D - 1):
        omega[1:] = np.floor(np.linspace(1, m, D - 1))
    else:
        omega[1:] = np.arange(D - 1) % m + 1
    return omega


def src_regression(X, y):
    """Standardized regression coefficients by lstsq on the z-scored inputs."""
    Xs = (X - X.mean(0)) / X.std(0)
    ys = (y - y.mean()) / y.std()
    beta, *_ = np.linalg.lstsq(np.c_[np.ones(len(ys)), Xs], ys, rcond=None)
    return beta[1:], beta[1:] ** 2


def prcc(X, y):
    """Partial rank correlation: ranks by argsort().argsort(), residuals, corrcoef."""
    n, k = X.shape
    R = X.argsort(0).argsort(0).astype(float)
    ry = y.argsort().argsort().astype(float)
    out = np.zeros(k)
    for j in range(k):
        others = np.c_[np.ones(n), np.delete(R, j, axis=1)]
        bx = np.linalg.lstsq(others, R[:, j], rcond=None)[0]
        by = np.linalg.lstsq(others, ry, rcond=None)[0]
        out[j] = np.corrcoef(R[:, j] - others @ bx, ry - others @ by)[0, 1]
    return out


def dgsm(Y_base, Y_perturbed, delta):
    """Derivative-based measures: finite differences per factor, squared mean scaled."""
    d = (Y_perturbed - Y_base[:, None]) / delta
    vi = np.mean(d ** 2, axis=0)
    return vi, vi / (np.pi ** 2) / np.var(Y_base)


def sobol_sequence_direction(n_points, dims, V):
    """Gray-code Sobol points from given direction integers, as SALib's `sobol_sequence`."""
    L = V.shape[1]
    X = np.zeros(dims, dtype=np.int64)
    out = np.zeros((n_points, dims))
    for i in range(1, n_points):
        c = 1
        value = i - 1
        while value & 1:
            value >>= 1
            c += 1
        X ^= V[:, c - 1]
        out[i] = X / 2.0 ** L
    return out


SENSITIVITY = {
    "ishigami": (ishigami, {}, lambda s, n: (np.pi * (2 * _u(s, n, 3) - 1),)),
    "sobol_g_loop": (sobol_g, {}, lambda s, n: (_u(s, n, 4), np.array([0.0, 1.0, 4.5, 9.0]))),
    "sobol_g_prod": (sobol_g_prod, {}, lambda s, n: (_u(s, n, 4), np.array([0.0, 1, 4.5, 99]))),
    "sobol_g_analytic": (sobol_g_analytic, {}, lambda s, n: (np.arange(n) * 1.5,)),
    "scale_samples_out": (scale_samples, {}, lambda s, n: (
        _u(s, n, 2), [[-np.pi, np.pi], [0.0, 10.0]])),
    "ishigami_problem_bounds": (ishigami_problem, {}, lambda s, n: (_u(s, n, 3), 3)),
    "s1_of_factor": (s1_of_factor, {}, lambda s, n: (_f(n, seed=s), 2)),
    "sobol_g_named": (sobol_g_named, {}, lambda s, n: (_u(s, n, 1), 2)),
    "saltelli_sample": (saltelli_sample, {}, lambda s, n: (_u(s, n, 6), 3)),
    "saltelli_vectorized": (saltelli_vectorized, {}, lambda s, n: (_u(s, n, 3),
                                                                   _u(s + 1, n, 3))),
    "separate_output_values": (separate_output_values, {}, lambda s, n: (
        _f(8 * n, seed=s), 3, n, True)),
    "first_order_plain": (first_order_plain, {}, lambda s, n: (
        _f(n, seed=s), _f(n, 3, seed=s + 1), _f(n, seed=s + 2))),
    "sobol_analyze_dict": (sobol_analyze, {}, lambda s, n: (_f(8 * n, seed=s), 3,
                                                            _i(n, n, 5, seed=s))),
    "bootstrap_first_order": (bootstrap_first_order, {}, lambda s, n: (
        _f(n, seed=s), _f(n, 3, seed=s + 1), _f(n, seed=s + 2), _i(n, n, 7, seed=s))),
    "sobol_pipeline_ishigami": (sobol_pipeline, {}, lambda s, n: (_u(s, 4 * n, 6),
                                                                  _i(4 * n, 4 * n, 5, seed=s))),
    "saltelli_2010_estimators": (saltelli_2010_estimators, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _f(n, 4, seed=s + 2))),
    "morris_sample": (morris_sample, {}, lambda s, n: (
        _i(2, 3, n, seed=s) / 3.0, np.stack([np.random.default_rng(s + k).permutation(n)
                                             for k in range(3)]),
        np.where(_i(2, 3, n, seed=s + 1) > 0, 1.0, -1.0), 4)),
    "morris_elementary_effects": (
        lambda x0, pm, sg, y: morris_elementary_effects(morris_sample(x0, pm, sg, 4), y, 3,
                                                        x0.shape[1]), {},
        lambda s, n: (_i(2, 3, n, seed=s) / 3.0,
                      np.stack([np.random.default_rng(s + k).permutation(n) for k in range(3)]),
                      np.where(_i(2, 3, n, seed=s + 1) > 0, 1.0, -1.0),
                      _f(3 * (n + 1), seed=s))),
    "morris_ee_salib": (
        lambda x0, pm, sg, y: morris_ee_salib(morris_sample(x0, pm, sg, 4), y, x0.shape[1] + 1,
                                              2 / 3), {},
        lambda s, n: (_i(2, 3, n, seed=s) / 3.0,
                      np.stack([np.random.default_rng(s + k).permutation(n) for k in range(3)]),
                      np.where(_i(2, 3, n, seed=s + 1) > 0, 1.0, -1.0),
                      _f(3 * (n + 1), seed=s))),
    "morris_statistics": (morris_statistics, {}, lambda s, n: (_f(n, 3, seed=s) + 0.5,)),
    "morris_mu_star_conf": (morris_mu_star_conf, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(n, 10, n, seed=s))),
    "morris_func": (morris_func, {}, lambda s, n: (_u(s, n, 6),)),
    "lhs_classic": (lhs_classic, {}, lambda s, n: (
        _u(s, n, 3), np.stack([np.random.default_rng(s + k).permutation(n) for k in range(3)]))),
    "lhs_global_seed": (lhs_global_seed, {}, lambda s, n: (n, 3, 7)),
    "lhs_generator": (lhs_generator, {}, lambda s, n: (n, 3, 7)),
    "lhs_centered": (lhs_centered, {}, lambda s, n: (
        np.stack([np.random.default_rng(s + k).permutation(n) for k in range(2)]),)),
    "lhs_vectorized": (lhs_vectorized, {}, lambda s, n: (
        _u(s, n, 3), np.stack([np.random.default_rng(s + k).permutation(n) for k in range(3)]))),
    "pdist_min": (pdist_min, {}, lambda s, n: (_u(s, n, 2),)),
    "lhs_maximin_argmax": (lhs_maximin_argmax, {}, lambda s, n: (
        _u(s, 4, n, 2), np.stack([[np.random.default_rng(10 * s + 2 * k + j).permutation(n)
                                   for j in range(2)] for k in range(4)]))),
    "fullfact": (fullfact, {}, lambda s, n: ([2, n, 3],)),
    "fullfact_meshgrid": (fullfact_meshgrid, {}, lambda s, n: ([n, 2, 3],)),
    "fullfact_indices": (fullfact_indices, {}, lambda s, n: ((3, n),)),
    "ff2n": (ff2n, {}, lambda s, n: (n - 1,)),
    "fracfact": (fracfact, {}, lambda s, n: ("a b c ab ac bc abc"[:2 * n + 1],)),
    "bbdesign": (bbdesign, {}, lambda s, n: (n - 1, n // 2)),
    "ccdesign": (ccdesign, {}, lambda s, n: (n - 2, np.sqrt(2.0) * s)),
    "plackett_burman": (plackett_burman_2level, {}, lambda s, n: (2 ** (n - 2),)),
    "main_effects": (main_effects, {}, lambda s, n: (ff2n(3), _f(8, seed=s + n))),
    "interaction_effects": (interaction_effects, {}, lambda s, n: (ff2n(n - 1),
                                                                   _f(2 ** (n - 1), seed=s))),
    "fast_sample": (fast_sample, {}, lambda s, n: (np.array([11.0, 1.0, 2.0]), 16 * n + 1)),
    "fast_analyze": (fast_analyze, {}, lambda s, n: (_f(16 * n + 1, seed=s), 16 * n + 1, 4, 2)),
    "efast_frequencies": (efast_frequencies, {}, lambda s, n: (4, 3, 65 * n)),
    "src_regression": (src_regression, {}, lambda s, n: (_f(5 * n, 3, seed=s),
                                                        _f(5 * n, seed=s + 1))),
    "prcc": (prcc, {}, lambda s, n: (_f(5 * n, 3, seed=s), _f(5 * n, seed=s + 1))),
    "dgsm": (dgsm, {}, lambda s, n: (_f(n, seed=s), _f(n, 3, seed=s + 1), 1e-3)),
    "sobol_sequence_direction": (sobol_sequence_direction, {}, lambda s, n: (
        2 * n, 2, np.array([[2 ** (9 - j) for j in range(10)],
                            [(3 * 2 ** (9 - j)) % 1024 | 2 ** (9 - j) for j in range(10)]]))),
}


@pytest.mark.parametrize("name", _names(SENSITIVITY))
def test_sensitivity(name):
    check_like_numpy(*SENSITIVITY[name])


# ---------------------------------------------------------- steered scalars and refused forms


def step_response_ct(A, B, C, T, dt):
    """Forward-Euler step response with the step count from the horizon and the time step."""
    steps = int(T / dt)
    x = np.zeros(A.shape[0])
    y = np.zeros(steps)
    for k in range(steps):
        x = x + dt * (A @ x + B[:, 0])
        y[k] = C[0] @ x
    return y


def ziegler_nichols(Ku, Tu, kind="PID"):
    """Ziegler-Nichols gains from the ultimate gain and period, a dict per rule."""
    rules = {"P": (0.5, np.inf, 0.0), "PI": (0.45, Tu / 1.2, 0.0), "PID": (0.6, Tu / 2, Tu / 8)}
    kp, Ti, Td = rules[kind]
    Kp = kp * Ku
    return np.array([Kp, Kp / Ti, Kp * Td])


def sobol_g_levels(X, n_important):
    """Sobol-G with the first n factors important (a = 0) and the rest not (a = 99)."""
    a = np.array([0.0] * n_important + [99.0] * (X.shape[1] - n_important))
    return sobol_g_prod(X, a)


STEERED = {
    "expm_series_terms": (expm_series, lambda s: (_f(3, 3, seed=s) * 0.5, 8 + 4 * s)),
    "trotter_steps": (trotter_step, lambda s: (_state(s, 3), 1.0, 0.5, 0.1, s + 1)),
    "dlyap_iter": (dlyap_iter, lambda s: (_schur_stable(s, 3), np.eye(3), 10 * s)),
    "cascade_scaling": (cascade_scaling, lambda s: (DB4_LO, s + 2)),
    "haar_multilevel_levels": (haar_multilevel, lambda s: (_f(16, seed=s), s + 1)),
    "step_response_ct": (step_response_ct, lambda s: (
        _stable(s, 2), _f(2, 1, seed=s), _f(1, 2, seed=s + 1), 1.0 * s, 0.05)),
    "ziegler_nichols": (ziegler_nichols, lambda s: (2.0 * s, 1.5)),
    "sobol_g_levels": (sobol_g_levels, lambda s: (_u(s, 10, 5), s + 1)),
    "grover_iterations": (grover, lambda s: (np.arange(16) == 5, s + 1)),
    "hadamard_all": (hadamard_all, lambda s: (s + 2,)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_steered(name):
    check_steered(*STEERED[name])


def feedback_tf(num_g, den_g, num_h, den_h):
    """Closed loop G / (1 + G H) by polynomial products; np.polymul trims leading zeros."""
    num = np.polymul(num_g, den_h)
    den = np.polyadd(np.polymul(den_g, den_h), np.polymul(num_g, num_h))
    return num, den


def closed_loop_poles(num, den, K):
    """Root locus point: the roots of den + K num, as many as the nonzero leading terms allow."""
    return np.roots(np.polyadd(den, K * num))


def expectation_real_if_close(rho, op):
    """The quantum-info habit of dropping a zero imaginary part by its values."""
    return np.real_if_close(np.trace(rho @ op))


def significant_schmidt(state):
    """The Schmidt coefficients of a 2 | n-2 cut that are above a cut-off."""
    s = np.linalg.svd(state.reshape(4, -1), compute_uv=False)
    return s[s > 0.3]


def runs_above_target(design, y, target):
    return design[y > target]


REFUSED = {
    # the settling index read back into Python for an `if`
    "step_info": (tracenp.errors.DataDependentShapeError, step_info, lambda s: (
        second_order_response(0.2 + 0.1 * s, 2.0, np.linspace(0, 10, 100)),
        np.linspace(0, 10, 100))),
    # SALib's constant-output guard branches on np.ptp of the outputs
    "first_order_ptp_guard": (tracenp.ConcretizationError, first_order, lambda s: (
        _f(6, seed=s), _f(6, 3, seed=s + 1), _f(6, seed=s + 2))),
    # a Riccati iteration that breaks when P stops changing
    "dlqr_tolerance": (tracenp.ConcretizationError, dlqr_tolerance, lambda s: (
        _schur_stable(s, 3), _f(3, 1, seed=s), np.eye(3), np.eye(1))),
    # factor names reordered by a traced argsort into a Python list
    "morris_ranking": (tracenp.ConcretizationError, morris_ranking, lambda s: (
        _f(5, seed=s) ** 2, ["x%d" % i for i in range(5)])),
    # the Schmidt coefficients above a cut-off, returned as they are
    "significant_schmidt": (tracenp.errors.DataDependentShapeError, significant_schmidt,
                            lambda s: (_state(s, 4),)),
    # transfer-function algebra: the result's length depends on leading zeros
    "feedback_tf": (tracenp.errors.DataDependentShapeError, feedback_tf, lambda s: (
        np.array([1.0, s]), np.array([1.0, 3.0, 2.0]), np.array([1.0]), np.array([0.1, 1.0]))),
    "closed_loop_poles": (tracenp.errors.DataDependentShapeError, closed_loop_poles, lambda s: (
        np.array([1.0, 2.0]), np.array([1.0, 3.0, 2.0 + s]), 0.5)),
    # real or complex by the values
    "expectation_real_if_close": (tracenp.UnsupportedFunctionError, expectation_real_if_close,
                                  lambda s: (density_matrix(_state(s, 2)),
                                             full_operator(Z, 0, 2))),
    # the runs of a design whose response beats a target, returned as a design
    "runs_above_target": (tracenp.errors.DataDependentShapeError, runs_above_target,
                          lambda s: (ff2n(3), _f(8, seed=s), 0.0)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused(name):
    check_refused(*REFUSED[name])
