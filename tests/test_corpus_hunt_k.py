"""Corpus, hunt K: reinforcement learning, operations research, graph algorithms and control.

Reinforcement learning: gridworld/FrozenLake value iteration and policy iteration (Bellman
backups of `P[s, a, s']` tensors by `np.einsum`, `@` and broadcasting, `max(axis=)`/`argmax`),
policy evaluation sweeps, Q-learning/SARSA/expected-SARSA table updates by fancy-index writes,
epsilon-greedy choices from a `Generator` argument, bandits (UCB, Thompson sampling by beta
draws, gradient bandits), TD(lambda) eligibility traces, discounted returns by reversed loops
and `np.cumsum` tricks, GAE advantages, REINFORCE gradients of softmax policies, CartPole,
MountainCar and pendulum physics steps, replay-buffer sampling by index arrays, reward
normalization. Operations research: knapsack and other dynamic programs on arrays, shortest
paths (Floyd-Warshall, Bellman-Ford, Dijkstra by `argmin` of masked distances), simplex pivots,
transportation and assignment heuristics, inventory and queue simulations. Graphs on adjacency
matrices: PageRank with dangling nodes, BFS levels by matrix products, label propagation,
triangles by `np.trace(A @ A @ A)`, centralities, Laplacians and spectral embeddings by
`np.linalg.eigh`, random walks, adjacency from edge lists, clustering coefficients. Control:
LQR by Riccati iteration, state-space simulation, PID loops, Kalman gains, controllability and
observability matrices, `np.linalg.matrix_power`, pole checks by `np.linalg.eigvals`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections import namedtuple
from itertools import permutations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same


def _mdp(seed, n_states, n_actions=3):
    """A random MDP: transitions `P[s, a, s']` (rows sum to one) and rewards `R[s, a]`."""
    r = np.random.default_rng(seed)
    P = r.uniform(0.0, 1.0, (n_states, n_actions, n_states))
    P /= P.sum(axis=-1, keepdims=True)
    return P, r.standard_normal((n_states, n_actions))


def _adjacency(seed, n, p=0.5, directed=False, weighted=False):
    r = np.random.default_rng(seed)
    A = (r.random((n, n)) < p).astype(float)
    np.fill_diagonal(A, 0.0)
    if not directed:
        A = np.triu(A, 1)
        A = A + A.T
    if weighted:
        A = A * np.round(r.uniform(1.0, 9.0, (n, n)))
        if not directed:
            A = np.triu(A, 1)
            A = A + A.T
    return A


def _stochastic(seed, n):
    P = _f(n, n, positive=True, seed=seed)
    return P / P.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- dynamic programming


def value_iteration_einsum(P, R, gamma=0.9, n_iter=30):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        Q = R + gamma * np.einsum("ijk,k->ij", P, V)
        V = np.max(Q, axis=1)
    policy = np.argmax(R + gamma * np.einsum("ijk,k->ij", P, V), axis=1)
    return V, policy


def value_iteration_matmul(P, R, gamma=0.95, n_iter=25):
    n_states, n_actions, _ = P.shape
    V = np.zeros(n_states)
    for it in range(n_iter):
        Q = R + gamma * (P @ V)
        V_new = Q.max(axis=1)
        delta = np.abs(V_new - V).max()
        V = V_new
    return V, Q.argmax(axis=1), delta


def value_iteration_transposed(T, R, gamma=0.9, n_iter=20):
    # T[a, s, s'] layout, rewards R[s] per state, as in the AIMA / MDP toolbox style
    V = np.zeros(T.shape[1])
    for _ in range(n_iter):
        V = R + gamma * np.max(T @ V, axis=0)
    return V


def value_iteration_broadcast(P, R, gamma=0.9, n_iter=20):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        Q = R + gamma * np.sum(P * V[None, None, :], axis=2)
        V = Q.max(1)
    return V


def value_iteration_loop_states(P, R, gamma=0.9, n_iter=10):
    nS, nA = R.shape
    V = np.zeros(nS)
    for _ in range(n_iter):
        V_new = np.zeros(nS)
        for s in range(nS):
            q = np.zeros(nA)
            for a in range(nA):
                q[a] = R[s, a] + gamma * np.dot(P[s, a], V)
            V_new[s] = np.max(q)
        V = V_new
    return V


def value_iteration_gauss_seidel(P, R, gamma=0.9, n_sweeps=8):
    nS = P.shape[0]
    V = np.zeros(nS)
    for _ in range(n_sweeps):
        for s in range(nS):
            V[s] = np.max(R[s] + gamma * P[s] @ V)
    return V


def policy_evaluation_iterative(P, R, policy, gamma=0.9, n_iter=40):
    nS = P.shape[0]
    P_pi = P[np.arange(nS), policy]
    r_pi = R[np.arange(nS), policy]
    V = np.zeros(nS)
    for _ in range(n_iter):
        V = r_pi + gamma * P_pi @ V
    return V


def policy_evaluation_exact(P, R, policy, gamma=0.9):
    nS = P.shape[0]
    P_pi = P[np.arange(nS), policy]
    r_pi = R[np.arange(nS), policy]
    return np.linalg.solve(np.eye(nS) - gamma * P_pi, r_pi)


def policy_evaluation_stochastic(P, R, pi, gamma=0.9):
    # pi[s, a] a stochastic policy
    P_pi = np.einsum("sa,sat->st", pi, P)
    r_pi = np.sum(pi * R, axis=1)
    return np.linalg.inv(np.eye(len(r_pi)) - gamma * P_pi) @ r_pi


def policy_iteration(P, R, gamma=0.9, n_iter=6):
    nS, nA = R.shape
    policy = np.zeros(nS, dtype=int)
    for _ in range(n_iter):
        P_pi = P[np.arange(nS), policy, :]
        r_pi = R[np.arange(nS), policy]
        V = np.linalg.solve(np.eye(nS) - gamma * P_pi, r_pi)
        Q = R + gamma * np.einsum("sat,t->sa", P, V)
        policy = np.argmax(Q, axis=1)
    return policy, V


def q_from_v(P, R, V, gamma=0.99):
    return R + gamma * np.tensordot(P, V, axes=([2], [0]))


def greedy_policy_one_hot(Q):
    pi = np.zeros_like(Q)
    pi[np.arange(Q.shape[0]), np.argmax(Q, axis=1)] = 1.0
    return pi


def softmax_policy(Q, tau=0.5):
    z = Q / tau
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def soft_value_iteration(P, R, gamma=0.9, alpha=0.5, n_iter=20):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        Q = R + gamma * P @ V
        m = Q.max(axis=1)
        V = m + alpha * np.log(np.sum(np.exp((Q - m[:, None]) / alpha), axis=1))
    return V


def gridworld_transitions(n=4, slip=0.1):
    # deterministic grid moves up/right/down/left with a slip probability to stay put
    nS = n * n
    P = np.zeros((nS, 4, nS))
    moves = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])
    for s in range(nS):
        r, c = divmod(s, n)
        for a, (dr, dc) in enumerate(moves):
            nr = min(max(r + dr, 0), n - 1)
            nc = min(max(c + dc, 0), n - 1)
            P[s, a, nr * n + nc] += 1.0 - slip
            P[s, a, s] += slip
    return P


def gridworld_values(rewards, gamma=0.9, n_iter=30):
    n = int(np.sqrt(rewards.size))
    P = gridworld_transitions(n)
    R = rewards.reshape(-1)[:, None] * np.ones(4)
    V = np.zeros(n * n)
    for _ in range(n_iter):
        V = np.max(R + gamma * P @ V, axis=1)
    return V.reshape(n, n)


def gridworld_shift_backup(V, rewards, gamma=0.9):
    # value of each move as shifted copies of the grid, walls clip at the border
    up = np.vstack([V[:1], V[:-1]])
    down = np.vstack([V[1:], V[-1:]])
    left = np.hstack([V[:, :1], V[:, :-1]])
    right = np.hstack([V[:, 1:], V[:, -1:]])
    Q = rewards + gamma * np.stack([up, right, down, left])
    return Q.max(axis=0), Q.argmax(axis=0)


def gridworld_pad_backup(V, rewards, gamma=0.9, n_iter=5):
    for _ in range(n_iter):
        Vp = np.pad(V, 1, mode="edge")
        Q = np.stack([Vp[:-2, 1:-1], Vp[2:, 1:-1], Vp[1:-1, :-2], Vp[1:-1, 2:]])
        V = rewards + gamma * Q.max(axis=0)
    return V


def frozenlake_bellman(P, R, terminal, gamma=0.99, n_iter=30):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        Q = np.sum(P * (R + gamma * V * ~terminal), axis=2)
        V = Q.max(axis=1)
    return V, Q


def finite_horizon_dp(P, R, horizon=5):
    nS, nA = R.shape
    V = np.zeros((horizon + 1, nS))
    pi = np.zeros((horizon, nS), dtype=np.int64)
    for t in range(horizon - 1, -1, -1):
        Q = R + P @ V[t + 1]
        V[t] = Q.max(axis=1)
        pi[t] = Q.argmax(axis=1)
    return V, pi


def bellman_residual(P, R, V, gamma=0.9):
    return np.linalg.norm(np.max(R + gamma * P @ V, axis=1) - V, ord=np.inf)


def successor_representation(P_pi, gamma=0.9):
    return np.linalg.inv(np.eye(P_pi.shape[0]) - gamma * P_pi)


def stationary_distribution_eig(P):
    w, v = np.linalg.eig(P.T)
    i = np.argmin(np.abs(w - 1.0))
    d = np.real(v[:, i])
    return d / d.sum()


def stationary_distribution_lstsq(P):
    n = P.shape[0]
    A = np.vstack([P.T - np.eye(n), np.ones((1, n))])
    b = np.zeros(n + 1)
    b[-1] = 1.0
    return np.linalg.lstsq(A, b, rcond=None)[0]


DP = {
    "value_iteration_einsum": (value_iteration_einsum, {}, lambda s, n: _mdp(s, n)),
    "value_iteration_matmul": (value_iteration_matmul, {}, lambda s, n: _mdp(s, n)),
    "value_iteration_transposed": (value_iteration_transposed, {},
                                   lambda s, n: (_mdp(s, n)[0].transpose(1, 0, 2).copy(), _f(n, seed=s))),
    "value_iteration_broadcast": (value_iteration_broadcast, {}, lambda s, n: _mdp(s, n)),
    "value_iteration_loop_states": (value_iteration_loop_states, {}, lambda s, n: _mdp(s, n)),
    "value_iteration_gauss_seidel": (value_iteration_gauss_seidel, {}, lambda s, n: _mdp(s, n)),
    "policy_evaluation_iterative": (policy_evaluation_iterative, {},
                                    lambda s, n: (*_mdp(s, n), _i(3, n, seed=s))),
    "policy_evaluation_exact": (policy_evaluation_exact, {}, lambda s, n: (*_mdp(s, n), _i(3, n, seed=s))),
    "policy_evaluation_stochastic": (policy_evaluation_stochastic, {},
                                     lambda s, n: (*_mdp(s, n), _stochastic(s, n)[:, :3] / _stochastic(s, n)[:, :3].sum(1, keepdims=True))),
    "policy_iteration": (policy_iteration, {}, lambda s, n: _mdp(s, n)),
    "q_from_v": (q_from_v, {}, lambda s, n: (*_mdp(s, n), _f(n, seed=s))),
    "greedy_policy_one_hot": (greedy_policy_one_hot, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "softmax_policy": (softmax_policy, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "soft_value_iteration": (soft_value_iteration, {}, lambda s, n: _mdp(s, n)),
    "gridworld_values": (gridworld_values, {}, lambda s, n: (_f(n, n, seed=s),)),
    "gridworld_shift_backup": (gridworld_shift_backup, {}, lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "gridworld_pad_backup": (gridworld_pad_backup, {}, lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "frozenlake_bellman": (frozenlake_bellman, {},
                           lambda s, n: (_mdp(s, n)[0], np.eye(n)[n - 1], np.arange(n) % 3 == 2)),
    "finite_horizon_dp": (finite_horizon_dp, {}, lambda s, n: _mdp(s, n)),
    "bellman_residual": (bellman_residual, {}, lambda s, n: (*_mdp(s, n), _f(n, seed=s))),
    "successor_representation": (successor_representation, {}, lambda s, n: (_stochastic(s, n),)),
    "stationary_distribution_eig": (stationary_distribution_eig, {}, lambda s, n: (_stochastic(s, n),)),
    "stationary_distribution_lstsq": (stationary_distribution_lstsq, {}, lambda s, n: (_stochastic(s, n),)),
}


@pytest.mark.parametrize("name", list(DP))
def test_mdp_dynamic_programming_matches_numpy(name):
    check_like_numpy(*DP[name])


# ------------------------------------------------------------------------------ tabular learning


def q_learning_update(Q, s, a, r, s_next, done, alpha=0.1, gamma=0.99):
    target = r + gamma * np.max(Q[s_next]) * (1 - done)
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_learning_episode(Q, states, actions, rewards, alpha=0.5, gamma=0.9):
    for t in range(len(actions)):
        s, a, r, s2 = states[t], actions[t], rewards[t], states[t + 1]
        Q[s, a] = Q[s, a] + alpha * (r + gamma * Q[s2].max() - Q[s, a])
    return Q


def sarsa_episode(Q, states, actions, rewards, alpha=0.1, gamma=0.95):
    for t in range(len(rewards) - 1):
        td = rewards[t] + gamma * Q[states[t + 1], actions[t + 1]] - Q[states[t], actions[t]]
        Q[states[t], actions[t]] += alpha * td
    return Q


def expected_sarsa_update(Q, s, a, r, s2, epsilon=0.1, alpha=0.2, gamma=0.9):
    nA = Q.shape[1]
    probs = np.full(nA, epsilon / nA)
    probs[np.argmax(Q[s2])] += 1.0 - epsilon
    Q[s, a] += alpha * (r + gamma * probs @ Q[s2] - Q[s, a])
    return Q


def double_q_update(Q1, Q2, s, a, r, s2, alpha=0.1, gamma=0.9):
    a_star = np.argmax(Q1[s2])
    Q1[s, a] += alpha * (r + gamma * Q2[s2, a_star] - Q1[s, a])
    return Q1, Q2


def batched_q_update(Q, s, a, r, s2, done, alpha=0.1, gamma=0.99):
    # a batch of transitions at once; duplicates take the last write as NumPy does
    targets = r + gamma * (1.0 - done) * Q[s2].max(axis=1)
    Q[s, a] += alpha * (targets - Q[s, a])
    return Q


def batched_q_update_add_at(Q, s, a, r, s2, alpha=0.1, gamma=0.99):
    td = r + gamma * Q[s2].max(axis=1) - Q[s, a]
    np.add.at(Q, (s, a), alpha * td)
    return Q


def td0_prediction(V, states, rewards, alpha=0.1, gamma=1.0):
    for t in range(len(rewards)):
        V[states[t]] += alpha * (rewards[t] + gamma * V[states[t + 1]] - V[states[t]])
    return V


def td_lambda_traces(V, states, rewards, alpha=0.1, gamma=0.9, lam=0.8):
    e = np.zeros_like(V)
    for t in range(len(rewards)):
        delta = rewards[t] + gamma * V[states[t + 1]] - V[states[t]]
        e *= gamma * lam
        e[states[t]] += 1.0
        V += alpha * delta * e
    return V, e


def td_lambda_replacing(V, states, rewards, alpha=0.1, gamma=0.9, lam=0.8):
    e = np.zeros(len(V))
    for t in range(len(rewards)):
        s, s2 = states[t], states[t + 1]
        delta = rewards[t] + gamma * V[s2] - V[s]
        e = gamma * lam * e
        e[s] = 1.0
        V = V + alpha * delta * e
    return V


def linear_td_features(w, phi, rewards, alpha=0.05, gamma=0.9):
    # semi-gradient TD(0) with linear features phi[t]
    for t in range(len(rewards)):
        delta = rewards[t] + gamma * phi[t + 1] @ w - phi[t] @ w
        w = w + alpha * delta * phi[t]
    return w


def lstd(phi, rewards, gamma=0.9, reg=1e-3):
    X, Xn = phi[:-1], phi[1:]
    A = X.T @ (X - gamma * Xn) + reg * np.eye(phi.shape[1])
    b = X.T @ rewards
    return np.linalg.solve(A, b)


def monte_carlo_first_visit(states, rewards, n_states=4, gamma=0.9):
    G = 0.0
    returns = np.zeros(n_states)
    visits = np.zeros(n_states)
    first = np.full(n_states, len(rewards))
    for t in range(len(rewards)):
        first[states[t]] = min(first[states[t]], t)
    for t in range(len(rewards) - 1, -1, -1):
        G = gamma * G + rewards[t]
        if first[states[t]] == t:
            returns[states[t]] += G
            visits[states[t]] += 1
    return returns, visits


def every_visit_mc(states, returns, n_states=4):
    totals = np.bincount(states, weights=returns, minlength=n_states)
    counts = np.bincount(states, minlength=n_states)
    return np.divide(totals, counts, out=np.zeros(n_states), where=counts > 0)


def dyna_model_update(model_r, model_next, counts, s, a, r, s2):
    counts[s, a] += 1
    model_r[s, a] += (r - model_r[s, a]) / counts[s, a]
    model_next[s, a] = s2
    return model_r, model_next, counts


def count_transitions(states, actions, n_states=4, n_actions=2):
    N = np.zeros((n_states, n_actions, n_states))
    np.add.at(N, (states[:-1], actions, states[1:]), 1)
    totals = N.sum(axis=2, keepdims=True)
    P_hat = np.where(totals > 0, N / np.maximum(totals, 1), 1.0 / n_states)
    return P_hat


def q_table_visit_counts(states, actions, n_states=4, n_actions=3):
    return np.bincount(states * n_actions + actions, minlength=n_states * n_actions).reshape(n_states, n_actions)


def epsilon_schedule(episodes, eps_start=1.0, eps_end=0.05, decay=0.01):
    return eps_end + (eps_start - eps_end) * np.exp(-decay * episodes)


def boltzmann_probs(q, temperature):
    prefs = q / temperature
    prefs -= np.max(prefs)
    p = np.exp(prefs)
    return p / np.sum(p)


def greedy_with_ties_last(Q):
    # argmax over reversed columns, a trick for breaking ties toward the last action
    nA = Q.shape[1]
    return nA - 1 - np.argmax(Q[:, ::-1], axis=1)


TABULAR = {
    "q_learning_update": (q_learning_update, {}, lambda s, n: (_f(n, 3, seed=s), s % n, 1, 2.0, (s + 1) % n, s % 2)),
    "q_learning_episode": (q_learning_episode, {},
                           lambda s, n: (_f(n, 2, seed=s), _i(n, 7, seed=s), _i(2, 6, seed=s + 1), _f(6, seed=s))),
    "sarsa_episode": (sarsa_episode, {},
                      lambda s, n: (_f(n, 2, seed=s), _i(n, 7, seed=s), _i(2, 7, seed=s + 1), _f(7, seed=s))),
    "expected_sarsa_update": (expected_sarsa_update, {},
                              lambda s, n: (_f(n, 3, seed=s), s % n, 2, -1.0, (s + 2) % n)),
    "double_q_update": (double_q_update, {},
                        lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1), 1, 0, 0.5, n - 1)),
    "batched_q_update": (batched_q_update, {},
                         lambda s, n: (_f(n, 3, seed=s), _i(n, 5, seed=s), _i(3, 5, seed=s + 1), _f(5, seed=s),
                                       _i(n, 5, seed=s + 2), _i(2, 5, seed=s + 3).astype(float))),
    "batched_q_update_add_at": (batched_q_update_add_at, {},
                                lambda s, n: (_f(n, 3, seed=s), _i(n, 8, seed=s), _i(3, 8, seed=s + 1),
                                              _f(8, seed=s), _i(n, 8, seed=s + 2))),
    "td0_prediction": (td0_prediction, {}, lambda s, n: (_f(n, seed=s), _i(n, 9, seed=s), _f(8, seed=s))),
    "td_lambda_traces": (td_lambda_traces, {}, lambda s, n: (_f(n, seed=s), _i(n, 9, seed=s), _f(8, seed=s))),
    "td_lambda_replacing": (td_lambda_replacing, {}, lambda s, n: (_f(n, seed=s), _i(n, 9, seed=s), _f(8, seed=s))),
    "linear_td_features": (linear_td_features, {}, lambda s, n: (_f(n, seed=s), _f(7, n, seed=s), _f(6, seed=s))),
    "lstd": (lstd, {}, lambda s, n: (_f(3 * n, n, seed=s), _f(3 * n - 1, seed=s))),
    "every_visit_mc": (every_visit_mc, {}, lambda s, n: (_i(4, 2 * n, seed=s), _f(2 * n, seed=s))),
    "dyna_model_update": (dyna_model_update, {},
                          lambda s, n: (np.zeros((n, 2)), np.zeros((n, 2), dtype=int), _i(3, n, 2, seed=s),
                                        s % n, 1, 0.5 * s, (s + 1) % n)),
    "count_transitions": (count_transitions, {}, lambda s, n: (_i(4, 3 * n + 1, seed=s), _i(2, 3 * n, seed=s + 1))),
    "q_table_visit_counts": (q_table_visit_counts, {}, lambda s, n: (_i(4, 3 * n, seed=s), _i(3, 3 * n, seed=s + 1))),
    "epsilon_schedule": (epsilon_schedule, {}, lambda s, n: (np.arange(n * 10),)),
    "boltzmann_probs": (boltzmann_probs, {}, lambda s, n: (_f(n, seed=s), 0.3 * s)),
    "greedy_with_ties_last": (greedy_with_ties_last, {}, lambda s, n: (_i(3, n, 4, seed=s).astype(float),)),
}


@pytest.mark.parametrize("name", list(TABULAR))
def test_tabular_learning_updates_match_numpy(name):
    check_like_numpy(*TABULAR[name])


# ------------------------------------------------------------------- returns, advantages, gradients


def discounted_returns_loop(rewards, gamma=0.99):
    returns = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def discounted_returns_dones(rewards, dones, gamma=0.99):
    out = np.zeros(len(rewards))
    G = 0
    for t in range(len(rewards) - 1, -1, -1):
        G = rewards[t] + gamma * G * (1 - dones[t])
        out[t] = G
    return out


def discounted_returns_cumsum(rewards, gamma=0.9):
    n = len(rewards)
    discounts = gamma ** np.arange(n)
    return np.cumsum((rewards * discounts)[::-1])[::-1] / discounts


def discounted_returns_matrix(rewards, gamma=0.9):
    n = len(rewards)
    idx = np.arange(n)
    powers = idx[None, :] - idx[:, None]
    M = np.where(powers >= 0, gamma ** np.maximum(powers, 0), 0.0)
    return M @ rewards


def discounted_returns_toeplitz(rewards, gamma=0.95):
    n = rewards.shape[0]
    return np.triu(gamma ** np.subtract.outer(np.arange(n), np.arange(n)).T.clip(0)) @ rewards


def discounted_returns_batch(rewards, gamma=0.99):
    # rewards of shape (time, envs)
    R = np.zeros_like(rewards)
    R[-1] = rewards[-1]
    for t in range(rewards.shape[0] - 2, -1, -1):
        R[t] = rewards[t] + gamma * R[t + 1]
    return R


def n_step_returns(rewards, values, n=3, gamma=0.9):
    T = len(rewards)
    out = np.zeros(T)
    for t in range(T):
        end = min(t + n, T)
        G = sum(gamma ** (k - t) * rewards[k] for k in range(t, end))
        if end < T:
            G += gamma ** (end - t) * values[end]
        out[t] = G
    return out


def gae_advantages(rewards, values, dones, gamma=0.99, lam=0.95):
    T = len(rewards)
    adv = np.zeros(T)
    last = 0.0
    for t in reversed(range(T)):
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * nonterminal - values[t]
        last = delta + gamma * lam * nonterminal * last
        adv[t] = last
    return adv, adv + values[:-1]


def gae_batch(rewards, values, last_values, gamma=0.99, lam=0.95):
    T = rewards.shape[0]
    advantages = np.zeros_like(rewards)
    lastgaelam = 0
    for t in reversed(range(T)):
        next_values = last_values if t == T - 1 else values[t + 1]
        delta = rewards[t] + gamma * next_values - values[t]
        advantages[t] = lastgaelam = delta + gamma * lam * lastgaelam
    return advantages


def normalize_advantages(adv, eps=1e-8):
    return (adv - adv.mean()) / (adv.std() + eps)


def lambda_returns(rewards, values, gamma=0.9, lam=0.7):
    T = len(rewards)
    G = np.zeros(T)
    G[-1] = rewards[-1] + gamma * values[-1]
    for t in range(T - 2, -1, -1):
        G[t] = rewards[t] + gamma * ((1 - lam) * values[t + 1] + lam * G[t + 1])
    return G


def reinforce_softmax_grad(theta, features, actions, returns):
    # linear softmax policy: pi(a|s) = softmax(features[s] @ theta)
    logits = features @ theta
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    onehot = np.eye(theta.shape[1])[actions]
    grad_logp = features[:, :, None] * (onehot - probs)[:, None, :]
    return np.mean(grad_logp * returns[:, None, None], axis=0)


def reinforce_tabular(theta, states, actions, returns, lr=0.1):
    for t in range(len(actions)):
        s, a = states[t], actions[t]
        pi = np.exp(theta[s] - theta[s].max())
        pi /= pi.sum()
        grad = -pi
        grad[a] += 1.0
        theta[s] += lr * returns[t] * grad
    return theta


def log_prob_categorical(logits, actions):
    m = logits.max(axis=-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    return logp[np.arange(len(actions)), actions], -(np.exp(logp) * logp).sum(axis=-1)


def gaussian_policy_logprob(mu, log_std, actions):
    std = np.exp(log_std)
    return np.sum(-0.5 * ((actions - mu) / std) ** 2 - log_std - 0.5 * np.log(2 * np.pi), axis=-1)


def ppo_clip_loss(logp_new, logp_old, adv, clip=0.2):
    ratio = np.exp(logp_new - logp_old)
    clipped = np.clip(ratio, 1 - clip, 1 + clip)
    loss = -np.minimum(ratio * adv, clipped * adv).mean()
    clipfrac = np.mean(np.abs(ratio - 1.0) > clip)
    return loss, clipfrac, np.mean(logp_old - logp_new)


def td_target_dqn(q_next_online, q_next_target, rewards, dones, gamma=0.99):
    best = np.argmax(q_next_online, axis=1)
    q = np.take_along_axis(q_next_target, best[:, None], axis=1).squeeze(1)
    return rewards + gamma * (1 - dones) * q


def huber_td_loss(q_pred, target, delta=1.0):
    err = target - q_pred
    quad = np.minimum(np.abs(err), delta)
    lin = np.abs(err) - quad
    return np.mean(0.5 * quad ** 2 + delta * lin)


def running_reward_normalizer(rewards, gamma=0.99, eps=1e-8):
    # running discounted-return variance as in the baselines VecNormalize
    ret = 0.0
    count, mean, var = 1e-4, 0.0, 1.0
    out = np.empty_like(rewards)
    for t in range(len(rewards)):
        ret = ret * gamma + rewards[t]
        delta = ret - mean
        tot = count + 1
        mean = mean + delta / tot
        var = (var * count + delta ** 2 * count / tot) / tot
        count = tot
        out[t] = np.clip(rewards[t] / np.sqrt(var + eps), -10, 10)
    return out


def running_mean_std_batch(x, mean, var, count):
    batch_mean = x.mean(axis=0)
    batch_var = x.var(axis=0)
    batch_count = x.shape[0]
    delta = batch_mean - mean
    tot = count + batch_count
    new_mean = mean + delta * batch_count / tot
    m2 = var * count + batch_var * batch_count + delta ** 2 * count * batch_count / tot
    return new_mean, m2 / tot, tot


def polyak_update(target, online, tau=0.005):
    for k in target:
        target[k] = (1 - tau) * target[k] + tau * online[k]
    return target


RETURNS = {
    "discounted_returns_loop": (discounted_returns_loop, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "discounted_returns_dones": (discounted_returns_dones, {},
                                 lambda s, n: (_f(2 * n, seed=s), _i(2, 2 * n, seed=s + 1))),
    "discounted_returns_cumsum": (discounted_returns_cumsum, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "discounted_returns_matrix": (discounted_returns_matrix, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "discounted_returns_toeplitz": (discounted_returns_toeplitz, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "discounted_returns_batch": (discounted_returns_batch, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "n_step_returns": (n_step_returns, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, seed=s + 1))),
    "gae_advantages": (gae_advantages, {},
                       lambda s, n: (_f(2 * n, seed=s), _f(2 * n + 1, seed=s + 1), _i(2, 2 * n, seed=s + 2))),
    "gae_batch": (gae_batch, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), _f(3, seed=s + 2))),
    "normalize_advantages": (normalize_advantages, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "lambda_returns": (lambda_returns, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, seed=s + 1))),
    "reinforce_softmax_grad": (reinforce_softmax_grad, {},
                               lambda s, n: (_f(3, 2, seed=s), _f(n, 3, seed=s), _i(2, n, seed=s), _f(n, seed=s + 1))),
    "reinforce_tabular": (reinforce_tabular, {},
                          lambda s, n: (_f(n, 3, seed=s), _i(n, 6, seed=s), _i(3, 6, seed=s + 1), _f(6, seed=s))),
    "log_prob_categorical": (log_prob_categorical, {}, lambda s, n: (_f(n, 4, seed=s) * 3, _i(4, n, seed=s))),
    "gaussian_policy_logprob": (gaussian_policy_logprob, {},
                                lambda s, n: (_f(n, 2, seed=s), _f(2, seed=s) * 0.3, _f(n, 2, seed=s + 1))),
    "ppo_clip_loss": (ppo_clip_loss, {}, lambda s, n: (_f(n, seed=s) * 0.3, _f(n, seed=s + 1) * 0.3, _f(n, seed=s + 2))),
    "td_target_dqn": (td_target_dqn, {},
                      lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), _f(n, seed=s), _i(2, n, seed=s).astype(float))),
    "huber_td_loss": (huber_td_loss, {}, lambda s, n: (_f(n, seed=s), 2 * _f(n, seed=s + 1))),
    "running_reward_normalizer": (running_reward_normalizer, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "running_mean_std_batch": (running_mean_std_batch, {},
                               lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s), _f(3, positive=True, seed=s), 10.0 + s)),
    "polyak_update": (polyak_update, {},
                      lambda s, n: ({"w": _f(n, 2, seed=s), "b": _f(2, seed=s)},
                                    {"w": _f(n, 2, seed=s + 1), "b": _f(2, seed=s + 1)})),
}


@pytest.mark.parametrize("name", list(RETURNS))
def test_returns_advantages_and_policy_gradients_match_numpy(name):
    check_like_numpy(*RETURNS[name])


# ---------------------------------------------------------------- bandits and exploration (rng)


def epsilon_greedy(rng, Q, s, epsilon=0.1):
    if rng.random() < epsilon:
        return rng.integers(Q.shape[1])
    return np.argmax(Q[s])


def epsilon_greedy_vectorized(rng, q_values, epsilon=0.2):
    n_envs, n_actions = q_values.shape
    greedy = q_values.argmax(axis=1)
    random_actions = rng.integers(0, n_actions, size=n_envs)
    explore = rng.random(n_envs) < epsilon
    return np.where(explore, random_actions, greedy)


def epsilon_greedy_probs_choice(rng, q, epsilon=0.1):
    probs = np.ones(len(q)) * epsilon / len(q)
    probs[np.argmax(q)] += 1 - epsilon
    return rng.choice(len(q), p=probs)


def ucb1_bandit(rng, means, n_rounds=30, c=2.0):
    k = len(means)
    counts = np.zeros(k)
    values = np.zeros(k)
    for t in range(k):
        counts[t] = 1
        values[t] = rng.normal(means[t], 1.0)
    for t in range(k, n_rounds):
        ucb = values + np.sqrt(c * np.log(t + 1) / counts)
        a = np.argmax(ucb)
        r = rng.normal(means[a], 1.0)
        counts[a] += 1
        values[a] += (r - values[a]) / counts[a]
    return counts, values


def thompson_bernoulli(rng, probs, n_rounds=25):
    k = len(probs)
    alpha = np.ones(k)
    beta = np.ones(k)
    for _ in range(n_rounds):
        theta = rng.beta(alpha, beta)
        a = np.argmax(theta)
        reward = rng.random() < probs[a]
        alpha[a] += reward
        beta[a] += 1 - reward
    return alpha, beta


def gradient_bandit(rng, means, n_rounds=20, lr=0.1):
    k = len(means)
    H = np.zeros(k)
    baseline = 0.0
    for t in range(1, n_rounds + 1):
        pi = np.exp(H - H.max())
        pi /= pi.sum()
        a = rng.choice(k, p=pi)
        r = rng.normal(means[a])
        baseline += (r - baseline) / t
        one_hot = np.zeros(k)
        one_hot[a] = 1.0
        H += lr * (r - baseline) * (one_hot - pi)
    return H


def epsilon_greedy_bandit_runs(rng, true_means, n_runs=8, n_steps=15, eps=0.1):
    k = true_means.shape[0]
    Q = np.zeros((n_runs, k))
    N = np.zeros((n_runs, k))
    rewards = np.zeros((n_runs, n_steps))
    runs = np.arange(n_runs)
    for t in range(n_steps):
        greedy = np.argmax(Q, axis=1)
        rand = rng.integers(0, k, n_runs)
        a = np.where(rng.random(n_runs) < eps, rand, greedy)
        r = rng.normal(true_means[a], 1.0)
        N[runs, a] += 1
        Q[runs, a] += (r - Q[runs, a]) / N[runs, a]
        rewards[:, t] = r
    return rewards.mean(axis=0), Q


def replay_sample(rng, obs, actions, rewards, batch_size=4):
    idx = rng.integers(0, len(obs) - 1, size=batch_size)
    return obs[idx], actions[idx], rewards[idx], obs[idx + 1]


def replay_sample_no_replace(rng, buffer, batch_size=3):
    idx = rng.choice(len(buffer), size=batch_size, replace=False)
    return buffer[idx]


def prioritized_replay_sample(rng, priorities, alpha=0.6, beta=0.4, batch_size=4):
    p = priorities ** alpha
    p = p / p.sum()
    idx = rng.choice(len(p), size=batch_size, p=p)
    weights = (len(p) * p[idx]) ** (-beta)
    return idx, weights / weights.max()


def cartpole_rollout(rng, state, n_steps=20):
    gravity, masscart, masspole, length = 9.8, 1.0, 0.1, 0.5
    total_mass = masspole + masscart
    polemass_length = masspole * length
    force_mag, tau = 10.0, 0.02
    traj = []
    for _ in range(n_steps):
        x, x_dot, theta, theta_dot = state
        action = rng.integers(2)
        force = force_mag if action == 1 else -force_mag
        costheta, sintheta = np.cos(theta), np.sin(theta)
        temp = (force + polemass_length * theta_dot ** 2 * sintheta) / total_mass
        thetaacc = (gravity * sintheta - costheta * temp) / (
            length * (4.0 / 3.0 - masspole * costheta ** 2 / total_mass))
        xacc = temp - polemass_length * thetaacc * costheta / total_mass
        x = x + tau * x_dot
        x_dot = x_dot + tau * xacc
        theta = theta + tau * theta_dot
        theta_dot = theta_dot + tau * thetaacc
        state = np.array([x, x_dot, theta, theta_dot])
        traj.append(state)
    return np.array(traj)


def random_policy_rewards(rng, n_episodes=6, horizon=10, n_actions=3):
    actions = rng.integers(0, n_actions, size=(n_episodes, horizon))
    rewards = np.where(actions == 1, 1.0, -0.1) + rng.normal(0, 0.1, size=actions.shape)
    discounts = 0.9 ** np.arange(horizon)
    return (rewards * discounts).sum(axis=1)


def q_learning_chain(rng, n_states=5, n_episodes=4, horizon=8, alpha=0.5, gamma=0.9, eps=0.3):
    Q = np.zeros((n_states, 2))
    for _ in range(n_episodes):
        s = 0
        for _ in range(horizon):
            if rng.random() < eps:
                a = rng.integers(2)
            else:
                a = np.argmax(Q[s])
            s2 = min(s + 1, n_states - 1) if a == 1 else max(s - 1, 0)
            r = 1.0 if s2 == n_states - 1 else 0.0
            Q[s, a] += alpha * (r + gamma * Q[s2].max() - Q[s, a])
            s = s2
    return Q


def sample_trajectory(rng, P, policy, start=0, horizon=8):
    states = np.zeros(horizon + 1, dtype=int)
    states[0] = start
    for t in range(horizon):
        s = states[t]
        states[t + 1] = rng.choice(P.shape[2], p=P[s, policy[s]])
    return states


def sample_markov_chain_cdf(rng, P, start=0, n_steps=10):
    cdf = np.cumsum(P, axis=1)
    s = start
    path = [s]
    for u in rng.random(n_steps):
        s = np.searchsorted(cdf[s], u)
        path.append(s)
    return np.array(path)


BANDITS = [
    (epsilon_greedy_vectorized, lambda: (_f(6, 3),)),
    (epsilon_greedy_probs_choice, lambda: (_f(4),)),
    (ucb1_bandit, lambda: (np.array([0.1, 0.5, 0.9]),)),
    (thompson_bernoulli, lambda: (np.array([0.2, 0.5, 0.7]),)),
    (gradient_bandit, lambda: (np.array([0.0, 1.0, -0.5]),)),
    (epsilon_greedy_bandit_runs, lambda: (np.array([0.2, -0.3, 1.0, 0.4]),)),
    (replay_sample, lambda: (_f(10, 2), _i(3, 10), _f(10))),
    (replay_sample_no_replace, lambda: (_f(9, 2),)),
    (prioritized_replay_sample, lambda: (_f(8, positive=True),)),
    (random_policy_rewards, lambda: ()),
    (sample_trajectory, lambda: (_mdp(3, 4)[0], np.array([0, 1, 2, 1]))),
    (sample_markov_chain_cdf, lambda: (_stochastic(2, 4),)),
]


@pytest.mark.parametrize("fn, make", BANDITS, ids=[f.__name__ for f, _ in BANDITS])
def test_exploration_and_bandits_with_a_generator_argument(fn, make):
    """Epsilon-greedy choices, UCB, Thompson sampling, gradient bandits, replay sampling and
    rollouts draw from the generator they are given: NumPy's draws and values over three
    calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(7), np.random.default_rng(7)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *make()), fn(want_rng, *make()))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ------------------------------------------------------------------------------- physics steps


def cartpole_step(state, action, tau=0.02):
    gravity, masscart, masspole, length, force_mag = 9.8, 1.0, 0.1, 0.5, 10.0
    total_mass = masscart + masspole
    x, x_dot, theta, theta_dot = state[..., 0], state[..., 1], state[..., 2], state[..., 3]
    force = np.where(action == 1, force_mag, -force_mag)
    cos, sin = np.cos(theta), np.sin(theta)
    temp = (force + masspole * length * theta_dot ** 2 * sin) / total_mass
    thetaacc = (gravity * sin - cos * temp) / (length * (4.0 / 3.0 - masspole * cos ** 2 / total_mass))
    xacc = temp - masspole * length * thetaacc * cos / total_mass
    new = np.stack([x + tau * x_dot, x_dot + tau * xacc, theta + tau * theta_dot,
                    theta_dot + tau * thetaacc], axis=-1)
    done = (np.abs(new[..., 0]) > 2.4) | (np.abs(new[..., 2]) > 12 * 2 * np.pi / 360)
    return new, done


def cartpole_fixed_actions(state, actions):
    out = []
    for a in actions:
        state, done = cartpole_step(state, a)
        out.append(state)
    return np.array(out)


def mountain_car_step(position, velocity, action):
    velocity = velocity + (action - 1) * 0.001 + np.cos(3 * position) * (-0.0025)
    velocity = np.clip(velocity, -0.07, 0.07)
    position = position + velocity
    position = np.clip(position, -1.2, 0.6)
    velocity = np.where((position == -1.2) & (velocity < 0), 0.0, velocity)
    done = (position >= 0.5) & (velocity >= 0)
    return position, velocity, done, np.full_like(position, -1.0)


def mountain_car_energy_policy(position, velocity, n_steps=30):
    for _ in range(n_steps):
        action = np.where(velocity >= 0, 2, 0)
        position, velocity, done, _ = mountain_car_step(position, velocity, action)
    return position, velocity


def pendulum_step(th, thdot, u, g=10.0, m=1.0, l=1.0, dt=0.05):
    u = np.clip(u, -2.0, 2.0)
    angle_normalize = ((th + np.pi) % (2 * np.pi)) - np.pi
    costs = angle_normalize ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2
    newthdot = thdot + (3 * g / (2 * l) * np.sin(th) + 3.0 / (m * l ** 2) * u) * dt
    newthdot = np.clip(newthdot, -8, 8)
    newth = th + newthdot * dt
    return np.array([np.cos(newth), np.sin(newth), newthdot]), -costs


def acrobot_rk4(s, a, dt=0.2):
    def dsdt(s):
        m1 = m2 = l1 = 1.0
        lc1 = lc2 = 0.5
        I1 = I2 = 1.0
        g = 9.8
        theta1, theta2, dtheta1, dtheta2 = s
        d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * np.cos(theta2)) + I1 + I2
        d2 = m2 * (lc2 ** 2 + l1 * lc2 * np.cos(theta2)) + I2
        phi2 = m2 * lc2 * g * np.cos(theta1 + theta2 - np.pi / 2.0)
        phi1 = (-m2 * l1 * lc2 * dtheta2 ** 2 * np.sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * np.sin(theta2)
                + (m1 * lc1 + m2 * l1) * g * np.cos(theta1 - np.pi / 2) + phi2)
        ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1 ** 2 * np.sin(theta2) - phi2) / (
            m2 * lc2 ** 2 + I2 - d2 ** 2 / d1)
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return np.array([dtheta1, dtheta2, ddtheta1, ddtheta2])

    k1 = dsdt(s)
    k2 = dsdt(s + dt / 2 * k1)
    k3 = dsdt(s + dt / 2 * k2)
    k4 = dsdt(s + dt * k3)
    return s + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)


def tile_coding_features(x, v, n_tilings=4, n_tiles=8):
    # offsets per tiling, index of the active tile in each
    x_s = (x + 1.2) / 1.8 * n_tiles
    v_s = (v + 0.07) / 0.14 * n_tiles
    offsets = np.arange(n_tilings) / n_tilings
    ix = np.floor(x_s[:, None] + offsets).astype(int).clip(0, n_tiles)
    iv = np.floor(v_s[:, None] + offsets).astype(int).clip(0, n_tiles)
    idx = np.arange(n_tilings) * (n_tiles + 1) ** 2 + ix * (n_tiles + 1) + iv
    phi = np.zeros((len(x), n_tilings * (n_tiles + 1) ** 2))
    phi[np.arange(len(x))[:, None], idx] = 1.0
    return phi


def rbf_features(states, centers, sigma=0.5):
    d2 = ((states[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / (2 * sigma ** 2))


def discretize_state(obs, low, high, bins=6):
    ratios = (obs - low) / (high - low)
    idx = np.floor(ratios * bins).astype(int)
    idx = np.clip(idx, 0, bins - 1)
    return np.ravel_multi_index(idx.T, (bins,) * obs.shape[1])


PHYSICS = {
    "cartpole_step": (cartpole_step, {}, lambda s, n: (_f(n, 4, seed=s) * 0.1, _i(2, n, seed=s))),
    "cartpole_fixed_actions": (cartpole_fixed_actions, {},
                               lambda s, n: (_f(4, seed=s) * 0.05, _i(2, n, seed=s))),
    "mountain_car_step": (mountain_car_step, {},
                          lambda s, n: (_f(n, seed=s) * 0.4 - 0.5, _f(n, seed=s + 1) * 0.03, _i(3, n, seed=s))),
    "mountain_car_energy_policy": (mountain_car_energy_policy, {},
                                   lambda s, n: (np.full(n, -0.5) + 0.05 * _f(n, seed=s), np.zeros(n))),
    "pendulum_step": (pendulum_step, {}, lambda s, n: (_f(n, seed=s) * 3, _f(n, seed=s + 1), _f(n, seed=s + 2) * 2)),
    "acrobot_rk4": (acrobot_rk4, {}, lambda s, n: (_f(4, seed=s) * 0.1, float(s % 3 - 1))),
    "tile_coding_features": (tile_coding_features, {},
                             lambda s, n: (np.random.default_rng(s).uniform(-1.2, 0.6, n),
                                           np.random.default_rng(s + 1).uniform(-0.07, 0.07, n))),
    "rbf_features": (rbf_features, {}, lambda s, n: (_f(n, 2, seed=s), _f(5, 2, seed=s + 1))),
    "discretize_state": (discretize_state, {},
                         lambda s, n: (_f(n, 3, seed=s), np.full(3, -2.0), np.full(3, 2.0))),
}


@pytest.mark.parametrize("name", list(PHYSICS))
def test_environment_physics_steps_match_numpy(name):
    check_like_numpy(*PHYSICS[name])


# -------------------------------------------------------------------------- operations research


def knapsack_01(weights, values, capacity=10):
    dp = np.zeros(capacity + 1)
    for w, v in zip(weights, values):
        dp[w:] = np.maximum(dp[w:], dp[:-w] + v) if w > 0 else dp + v
    return dp[capacity], dp


def knapsack_01_rows(weights, values, capacity=12):
    n = len(weights)
    table = np.zeros((n + 1, capacity + 1))
    for i in range(1, n + 1):
        w, v = weights[i - 1], values[i - 1]
        table[i] = table[i - 1]
        shifted = np.full(capacity + 1, -np.inf)
        shifted[w:] = table[i - 1, : capacity + 1 - w] + v
        table[i] = np.maximum(table[i], shifted)
    return table


def knapsack_reversed_loop(weights, values, capacity=9):
    dp = np.zeros(capacity + 1, dtype=np.int64)
    for i in range(len(weights)):
        for c in range(capacity, weights[i] - 1, -1):
            dp[c] = max(dp[c], dp[c - weights[i]] + values[i])
    return dp


def unbounded_knapsack(weights, values, capacity=10):
    dp = np.zeros(capacity + 1)
    for c in range(1, capacity + 1):
        fits = weights <= c
        cand = np.where(fits, dp[np.maximum(c - weights, 0)] + values, 0.0)
        dp[c] = max(dp[c - 1], cand.max())
    return dp


def coin_change_ways(coins, amount=12):
    ways = np.zeros(amount + 1, dtype=np.int64)
    ways[0] = 1
    for c in coins:
        for a in range(c, amount + 1):
            ways[a] += ways[a - c]
    return ways


def coin_change_min(coins, amount=11):
    dp = np.full(amount + 1, np.inf)
    dp[0] = 0
    for a in range(1, amount + 1):
        prev = a - coins
        ok = prev >= 0
        dp[a] = np.min(np.where(ok, dp[np.where(ok, prev, 0)] + 1, np.inf))
    return dp


def longest_common_subsequence(a, b):
    m, n = len(a), len(b)
    L = np.zeros((m + 1, n + 1), dtype=int)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            L[i, j] = np.where(a[i - 1] == b[j - 1], L[i - 1, j - 1] + 1, np.maximum(L[i - 1, j], L[i, j - 1]))
    return L[m, n]


def edit_distance(a, b):
    m, n = len(a), len(b)
    D = np.zeros((m + 1, n + 1))
    D[:, 0] = np.arange(m + 1)
    D[0, :] = np.arange(n + 1)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            cost = a[i - 1] != b[j - 1]
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + cost)
    return D


def min_path_sum_grid(grid):
    dp = grid.astype(float).copy()
    dp[0] = np.cumsum(dp[0])
    dp[:, 0] = np.cumsum(dp[:, 0])
    for i in range(1, dp.shape[0]):
        for j in range(1, dp.shape[1]):
            dp[i, j] += np.minimum(dp[i - 1, j], dp[i, j - 1])
    return dp[-1, -1]


def lot_sizing_wagner_whitin(demand, setup=5.0, hold=1.0):
    T = len(demand)
    cost = np.full(T + 1, np.inf)
    cost[0] = 0.0
    for t in range(1, T + 1):
        for j in range(t):
            # produce in period j for periods j..t-1
            holding = hold * np.sum(demand[j:t] * np.arange(t - j))
            cost[t] = np.minimum(cost[t], cost[j] + setup + holding)
    return cost


def rod_cutting(prices):
    n = len(prices)
    r = np.zeros(n + 1)
    for j in range(1, n + 1):
        r[j] = np.max(prices[:j] + r[j - 1::-1][:j])
    return r


def floyd_warshall(W):
    D = W.copy()
    n = D.shape[0]
    for k in range(n):
        D = np.minimum(D, D[:, k, None] + D[None, k, :])
    return D


def floyd_warshall_newaxis(adj):
    dist = np.where(adj > 0, adj, np.inf)
    np.fill_diagonal(dist, 0)
    for k in range(len(dist)):
        dist = np.minimum(dist, dist[:, [k]] + dist[[k], :])
    return dist


def floyd_warshall_predecessors(W):
    n = W.shape[0]
    D = W.copy()
    nxt = np.tile(np.arange(n), (n, 1))
    for k in range(n):
        via = D[:, k:k + 1] + D[k:k + 1, :]
        better = via < D
        D = np.where(better, via, D)
        nxt = np.where(better, nxt[:, k:k + 1], nxt)
    return D, nxt


def floyd_warshall_outer(W):
    D = W.copy()
    for k in range(D.shape[0]):
        np.minimum(D, np.add.outer(D[:, k], D[k, :]), out=D)
    return D


def transitive_closure(A):
    R = A.astype(bool) | np.eye(A.shape[0], dtype=bool)
    for k in range(A.shape[0]):
        R = R | (R[:, k][:, None] & R[k, :][None, :])
    return R


def bellman_ford(W, source=0):
    n = W.shape[0]
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    for _ in range(n - 1):
        dist = np.minimum(dist, np.min(dist[:, None] + W, axis=0))
    negative_cycle = np.any(dist[:, None] + W < dist[None, :] - 1e-12)
    return dist, negative_cycle


def bellman_ford_edges(src, dst, w, n_nodes=5, source=0):
    dist = np.full(n_nodes, np.inf)
    dist[source] = 0
    for _ in range(n_nodes - 1):
        cand = dist[src] + w
        np.minimum.at(dist, dst, cand)
    return dist


def dijkstra_dense(W, source=0):
    n = W.shape[0]
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    visited = np.zeros(n, dtype=bool)
    prev = np.full(n, -1)
    for _ in range(n):
        u = np.argmin(np.where(visited, np.inf, dist))
        visited[u] = True
        alt = dist[u] + W[u]
        improve = (alt < dist) & ~visited
        dist = np.where(improve, alt, dist)
        prev = np.where(improve, u, prev)
    return dist, prev


def dijkstra_masked_array_style(W, source=0):
    n = len(W)
    dist = np.full(n, np.inf)
    dist[source] = 0
    done = np.zeros(n, bool)
    for _ in range(n):
        tmp = dist.copy()
        tmp[done] = np.inf
        u = tmp.argmin()
        done[u] = True
        dist = np.minimum(dist, dist[u] + W[u])
    return dist


def path_length_of_tour(D, tour):
    return D[tour, np.roll(tour, -1)].sum()


def nearest_neighbor_tour(D, start=0):
    n = D.shape[0]
    tour = np.zeros(n, dtype=int)
    tour[0] = start
    visited = np.zeros(n, dtype=bool)
    visited[start] = True
    for i in range(1, n):
        d = np.where(visited, np.inf, D[tour[i - 1]])
        tour[i] = np.argmin(d)
        visited[tour[i]] = True
    return tour, D[tour, np.roll(tour, -1)].sum()


def two_opt_gains(D, tour):
    # gain of reversing tour[i+1..j] for every pair i < j
    a, b = tour, np.roll(tour, -1)
    gain = D[a[:, None], b[:, None]] + D[a[None, :], b[None, :]] - D[a[:, None], a[None, :]] - D[b[:, None], b[None, :]]
    gain = np.triu(gain, 2)
    i, j = np.unravel_index(np.argmax(gain), gain.shape)
    return gain, i, j


def tsp_distance_matrix(coords):
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


OR_DP = {
    "coin_change_min": (coin_change_min, {}, lambda s, n: (np.r_[2, _i(5, n - 1, seed=s) + 3],)),
    "longest_common_subsequence": (longest_common_subsequence, {},
                                   lambda s, n: (_i(3, n, seed=s), _i(3, n + 1, seed=s + 1))),
    "min_path_sum_grid": (min_path_sum_grid, {}, lambda s, n: (_i(9, n, n + 1, seed=s),)),
    "lot_sizing_wagner_whitin": (lot_sizing_wagner_whitin, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "rod_cutting": (rod_cutting, {}, lambda s, n: (np.cumsum(_f(n, positive=True, seed=s)),)),
}


def _weights(seed, n, p=0.6, negative=False):
    r = np.random.default_rng(seed)
    W = np.where(r.random((n, n)) < p, np.round(r.uniform(1, 9, (n, n))), np.inf)
    if negative:
        W = np.where(np.isfinite(W), W - 2.0, W)
        W = np.where(np.triu(np.ones((n, n))) > 0, np.abs(W), W)  # no negative cycles: negatives only downward
    np.fill_diagonal(W, 0.0)
    return W


SHORTEST = {
    "floyd_warshall": (floyd_warshall, {}, lambda s, n: (_weights(s, n),)),
    "floyd_warshall_negative": (floyd_warshall, {}, lambda s, n: (_weights(s, n, negative=True),)),
    "floyd_warshall_newaxis": (floyd_warshall_newaxis, {}, lambda s, n: (_adjacency(s, n, weighted=True),)),
    "floyd_warshall_predecessors": (floyd_warshall_predecessors, {}, lambda s, n: (_weights(s, n),)),
    "floyd_warshall_outer": (floyd_warshall_outer, {}, lambda s, n: (_weights(s, n),)),
    "transitive_closure": (transitive_closure, {}, lambda s, n: (_adjacency(s, n, p=0.3, directed=True),)),
    "bellman_ford": (bellman_ford, {}, lambda s, n: (_weights(s, n, negative=True),)),
    "bellman_ford_edges": (bellman_ford_edges, {},
                           lambda s, n: (_i(5, 2 * n, seed=s), _i(5, 2 * n, seed=s + 1), _f(2 * n, positive=True, seed=s))),
    "dijkstra_dense": (dijkstra_dense, {}, lambda s, n: (_weights(s, n),)),
    "dijkstra_masked_array_style": (dijkstra_masked_array_style, {}, lambda s, n: (_weights(s, n),)),
    "path_length_of_tour": (path_length_of_tour, {},
                            lambda s, n: (_f(n, n, positive=True, seed=s), np.random.default_rng(s).permutation(n))),
    "nearest_neighbor_tour": (nearest_neighbor_tour, {}, lambda s, n: (tsp_distance_matrix(_f(n, 2, seed=s)),)),
    "two_opt_gains": (two_opt_gains, {},
                      lambda s, n: (tsp_distance_matrix(_f(n, 2, seed=s)), np.random.default_rng(s).permutation(n))),
    "tsp_distance_matrix": (tsp_distance_matrix, {}, lambda s, n: (_f(n, 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(OR_DP))
def test_dynamic_programs_on_arrays_match_numpy(name):
    check_like_numpy(*OR_DP[name])


@pytest.mark.parametrize("name", list(SHORTEST))
def test_shortest_paths_and_tours_match_numpy(name):
    check_like_numpy(*SHORTEST[name])


def simplex_pivot(T, row, col):
    T = T.astype(float)
    T[row] = T[row] / T[row, col]
    for r in range(T.shape[0]):
        if r != row:
            T[r] = T[r] - T[r, col] * T[row]
    return T


def simplex_pivot_outer(T, row, col):
    pivot_row = T[row] / T[row, col]
    T_new = T - np.outer(T[:, col], pivot_row)
    T_new[row] = pivot_row
    return T_new


def simplex_fixed_iterations(c, A, b, n_iter=3):
    # maximise c @ x subject to A @ x <= b, x >= 0 (b >= 0): Bland-free Dantzig pivots
    m, n = A.shape
    T = np.zeros((m + 1, n + m + 1))
    T[:m, :n] = A
    T[:m, n:n + m] = np.eye(m)
    T[:m, -1] = b
    T[-1, :n] = -c
    for _ in range(n_iter):
        col = np.argmin(T[-1, :-1])
        ratios = np.where(T[:m, col] > 1e-12, T[:m, -1] / np.where(T[:m, col] > 1e-12, T[:m, col], 1.0), np.inf)
        row = np.argmin(ratios)
        improving = T[-1, col] < -1e-12
        pivoted = T - np.outer(T[:, col], T[row] / T[row, col])
        pivoted[row] = T[row] / T[row, col]
        T = np.where(improving, pivoted, T)
    return T[-1, -1], T


def northwest_corner(supply, demand):
    supply, demand = supply.astype(float).copy(), demand.astype(float).copy()
    m, n = len(supply), len(demand)
    X = np.zeros((m, n))
    i = j = 0
    for _ in range(m + n - 1):
        q = np.minimum(supply[i], demand[j])
        X[i, j] = q
        supply[i] -= q
        demand[j] -= q
        if supply[i] <= demand[j] and i < m - 1:
            i += 1
        elif j < n - 1:
            j += 1
    return X


def transportation_cost(C, X):
    return np.sum(C * X), (X.sum(axis=1), X.sum(axis=0))


def least_cost_allocation(C, supply, demand, n_steps=6):
    C = C.astype(float)
    s, d = supply.astype(float), demand.astype(float)
    X = np.zeros_like(C)
    for _ in range(n_steps):
        masked = np.where((s[:, None] > 0) & (d[None, :] > 0), C, np.inf)
        i, j = np.unravel_index(np.argmin(masked), C.shape)
        q = np.minimum(s[i], d[j])
        X[i, j] += q
        s[i] -= q
        d[j] -= q
    return X


def greedy_assignment(cost):
    n = cost.shape[0]
    C = cost.astype(float).copy()
    assign = np.full(n, -1)
    for _ in range(n):
        i, j = np.unravel_index(np.argmin(C), C.shape)
        assign[i] = j
        C[i, :] = np.inf
        C[:, j] = np.inf
    return assign, cost[np.arange(n), assign].sum()


def hungarian_reduction(cost):
    C = cost - cost.min(axis=1, keepdims=True)
    C = C - C.min(axis=0, keepdims=True)
    zeros_per_row = (C == 0).sum(axis=1)
    return C, zeros_per_row


def auction_bids(values, prices, eps=0.01):
    net = values - prices[None, :]
    best = np.argmax(net, axis=1)
    top2 = np.sort(net, axis=1)[:, -2:]
    bid_increment = top2[:, 1] - top2[:, 0] + eps
    return best, prices[best] + bid_increment


def brute_force_assignment(cost, perms):
    totals = cost[np.arange(cost.shape[0]), perms].sum(axis=1)
    k = np.argmin(totals)
    return perms[k], totals[k]


def eoq(demand, order_cost, holding_cost):
    q = np.sqrt(2 * demand * order_cost / holding_cost)
    return q, demand / q * order_cost + q / 2 * holding_cost


def newsvendor_quantile(demand_samples, price=10.0, cost=4.0, salvage=1.0):
    critical_ratio = (price - cost) / (price - salvage)
    return np.quantile(demand_samples, critical_ratio)


def newsvendor_profit_curve(demand, q_grid, price=5.0, cost=3.0):
    sold = np.minimum(demand[None, :], q_grid[:, None])
    profit = price * sold - cost * q_grid[:, None]
    expected = profit.mean(axis=1)
    return q_grid[np.argmax(expected)], expected


def inventory_s_S(demand, s=4, S=10, lead=0):
    inv = S
    levels = np.zeros(len(demand))
    orders = np.zeros(len(demand))
    lost = 0.0
    for t in range(len(demand)):
        sold = min(inv, demand[t])
        lost += demand[t] - sold
        inv -= sold
        if inv < s:
            orders[t] = S - inv
            inv = S
        levels[t] = inv
    return levels, orders, lost


def inventory_vectorized(demand, order_up_to=12):
    # periodic review with immediate replenishment: level after each period's demand
    sold = np.minimum(demand, order_up_to)
    ending = order_up_to - sold
    holding = ending.sum()
    stockout = np.maximum(demand - order_up_to, 0).sum()
    return ending, holding, stockout


def inventory_loop_maximum(demand, orders, start=5.0):
    inv = np.empty(len(demand) + 1)
    inv[0] = start
    for t in range(len(demand)):
        inv[t + 1] = np.maximum(inv[t] + orders[t] - demand[t], 0.0)
    backlog = np.maximum(np.cumsum(demand - orders) - start, 0.0)
    return inv, backlog


def lindley_queue(interarrival, service):
    # waiting times of a single-server FIFO queue
    w = np.zeros(len(service))
    for n in range(1, len(service)):
        w[n] = max(0.0, w[n - 1] + service[n - 1] - interarrival[n])
    return w


def lindley_queue_maximum(interarrival, service):
    w = np.zeros(len(service))
    for n in range(1, len(service)):
        w[n] = np.maximum(0.0, w[n - 1] + service[n - 1] - interarrival[n])
    return w, w.mean()


def queue_departures(arrivals, service):
    n = len(arrivals)
    start = np.zeros(n)
    finish = np.zeros(n)
    for i in range(n):
        start[i] = arrivals[i] if i == 0 else np.maximum(arrivals[i], finish[i - 1])
        finish[i] = start[i] + service[i]
    return start - arrivals, finish


def mm1_metrics(lam, mu):
    rho = lam / mu
    L = rho / (1 - rho)
    W = 1 / (mu - lam)
    Lq = rho ** 2 / (1 - rho)
    return np.array([rho, L, W, Lq, Lq / lam])


def erlang_c(rho, c=3):
    a = c * rho
    k = np.arange(c)
    terms = a ** k / np.cumprod(np.r_[1, np.arange(1, c)])
    last = a ** c / np.prod(np.arange(1, c + 1)) / (1 - rho)
    return last / (terms.sum() + last)


def birth_death_stationary(lam, mu):
    ratios = np.cumprod(lam / mu)
    p = np.concatenate([[1.0], ratios])
    return p / p.sum()


def critical_path(durations, pred):
    # pred[i, j] = 1 if task j must finish before task i starts; tasks topologically ordered
    n = len(durations)
    earliest = np.zeros(n)
    for i in range(n):
        earliest[i] = np.max(np.where(pred[i] > 0, earliest + durations, 0.0))
    finish = earliest + durations
    return earliest, finish.max()


def lp_feasible_vertices(A, b, candidates):
    slack = b[None, :] - candidates @ A.T
    feasible = np.all(slack >= -1e-9, axis=1)
    return feasible, np.where(feasible, candidates.sum(axis=1), -np.inf).argmax()


def lp_dual_objective(c, A, b, y):
    reduced = c - A.T @ y
    return b @ y, np.all(reduced <= 1e-9), reduced


def projected_gradient_simplex(v):
    # Euclidean projection onto the probability simplex (Duchi et al.)
    n = len(v)
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, n + 1) > (css - 1))[0][-1]
    theta = (css[rho] - 1) / (rho + 1.0)
    return np.maximum(v - theta, 0)


def projected_simplex_count(v):
    u = np.sort(v)[::-1]
    cssv = np.cumsum(u) - 1
    ind = np.arange(1, len(v) + 1)
    cond = u - cssv / ind > 0
    rho = np.count_nonzero(cond)
    theta = cssv[rho - 1] / rho
    return np.maximum(v - theta, 0)


OR_MORE = {
    "simplex_pivot": (simplex_pivot, {}, lambda s, n: (_f(3, n, seed=s) + 3, 1, 2)),
    "simplex_pivot_outer": (simplex_pivot_outer, {}, lambda s, n: (_f(3, n, seed=s) + 3, 0, 1)),
    "simplex_fixed_iterations": (simplex_fixed_iterations, {},
                                 lambda s, n: (_f(n, positive=True, seed=s), _f(3, n, positive=True, seed=s + 1),
                                               _f(3, positive=True, seed=s + 2) * 4)),
    "transportation_cost": (transportation_cost, {}, lambda s, n: (_f(3, n, positive=True, seed=s), _f(3, n, positive=True, seed=s + 1))),
    "least_cost_allocation": (least_cost_allocation, {},
                              lambda s, n: (_i(9, 3, n, seed=s), np.array([5, 7, 3]), np.r_[np.full(n - 1, 2), 15 - 2 * (n - 1)])),
    "greedy_assignment": (greedy_assignment, {}, lambda s, n: (_f(n, n, positive=True, seed=s),)),
    "hungarian_reduction": (hungarian_reduction, {}, lambda s, n: (_i(9, n, n, seed=s).astype(float),)),
    "auction_bids": (auction_bids, {}, lambda s, n: (_f(n, n, positive=True, seed=s), _f(n, positive=True, seed=s) * 0.1)),
    "brute_force_assignment": (brute_force_assignment, {},
                               lambda s, n: (_f(3, 3, positive=True, seed=s + n),
                                             np.array([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]))),
    "eoq": (eoq, {}, lambda s, n: (_f(n, positive=True, seed=s) * 100, 5.0 * s, _f(n, positive=True, seed=s + 1))),
    "newsvendor_quantile": (newsvendor_quantile, {}, lambda s, n: (_f(5 * n, positive=True, seed=s) * 10,)),
    "newsvendor_profit_curve": (newsvendor_profit_curve, {},
                                lambda s, n: (_f(5 * n, positive=True, seed=s) * 10, np.linspace(5, 20, n))),
    "inventory_vectorized": (inventory_vectorized, {}, lambda s, n: (_i(15, 3 * n, seed=s),)),
    "inventory_loop_maximum": (inventory_loop_maximum, {},
                               lambda s, n: (_i(6, 2 * n, seed=s).astype(float), _i(6, 2 * n, seed=s + 1).astype(float))),
    "lindley_queue_maximum": (lindley_queue_maximum, {},
                              lambda s, n: (_f(2 * n, positive=True, seed=s), _f(2 * n, positive=True, seed=s + 1))),
    "queue_departures": (queue_departures, {},
                         lambda s, n: (np.cumsum(_f(2 * n, positive=True, seed=s)), _f(2 * n, positive=True, seed=s + 1))),
    "mm1_metrics": (mm1_metrics, {}, lambda s, n: (0.5 + 0.1 * s, 2.0)),
    "erlang_c": (erlang_c, {"c": 3}, lambda s, n: (0.2 * s,)),
    "birth_death_stationary": (birth_death_stationary, {},
                               lambda s, n: (_f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "critical_path": (critical_path, {},
                      lambda s, n: (_f(n, positive=True, seed=s), np.tril(_i(2, n, n, seed=s), -1))),
    "lp_feasible_vertices": (lp_feasible_vertices, {},
                             lambda s, n: (_f(3, 2, positive=True, seed=s), _f(3, positive=True, seed=s) * 3,
                                           _f(n, 2, positive=True, seed=s + 1))),
    "lp_dual_objective": (lp_dual_objective, {},
                          lambda s, n: (_f(n, seed=s), _f(3, n, seed=s + 1), _f(3, seed=s + 2), _f(3, positive=True, seed=s))),
    "projected_gradient_simplex": (projected_gradient_simplex, {}, lambda s, n: (_f(n, seed=s),)),
    "projected_simplex_count": (projected_simplex_count, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", list(OR_MORE))
def test_pivots_allocations_inventory_and_queues_match_numpy(name):
    check_like_numpy(*OR_MORE[name])


# ------------------------------------------------------------------------------------- graphs


def pagerank_power(A, d=0.85, n_iter=50):
    n = A.shape[0]
    out_deg = A.sum(axis=1)
    dangling = out_deg == 0
    M = np.where(dangling[:, None], 1.0 / n, A / np.where(dangling, 1, out_deg)[:, None]).T
    r = np.full(n, 1.0 / n)
    for _ in range(n_iter):
        r = d * M @ r + (1 - d) / n
    return r / r.sum()


def pagerank_dangling_mass(A, alpha=0.85, n_iter=40):
    n = len(A)
    deg = A.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = A / deg[:, None]
    P[deg == 0] = 0
    x = np.ones(n) / n
    for _ in range(n_iter):
        dangling_mass = x[deg == 0].sum()
        x = alpha * (x @ P + dangling_mass / n) + (1 - alpha) / n
    return x


def pagerank_google_matrix(A, d=0.85):
    n = A.shape[0]
    col_sums = A.sum(axis=0)
    col_sums[col_sums == 0] = 1
    M = A / col_sums
    G = d * M + (1 - d) / n * np.ones((n, n))
    w, v = np.linalg.eig(G)
    k = np.argmax(np.abs(w))
    r = np.abs(np.real(v[:, k]))
    return r / r.sum()


def personalized_pagerank(A, seeds, alpha=0.15, n_iter=30):
    deg = np.maximum(A.sum(axis=0), 1)
    W = A / deg
    e = np.zeros(A.shape[0])
    e[seeds] = 1.0 / len(seeds)
    p = e.copy()
    for _ in range(n_iter):
        p = alpha * e + (1 - alpha) * W @ p
    return p


def hits(A, n_iter=30):
    hubs = np.ones(A.shape[0])
    for _ in range(n_iter):
        auth = A.T @ hubs
        auth /= np.linalg.norm(auth)
        hubs = A @ auth
        hubs /= np.linalg.norm(hubs)
    return hubs, auth


def katz_centrality(A, alpha=0.1, beta=1.0):
    n = A.shape[0]
    return np.linalg.solve(np.eye(n) - alpha * A.T, beta * np.ones(n))


def eigenvector_centrality(A, n_iter=60):
    x = np.ones(A.shape[0])
    for _ in range(n_iter):
        x = A @ x + x  # shift for bipartite graphs as networkx does
        x = x / np.linalg.norm(x)
    return x


def eigenvector_centrality_eigh(A):
    w, V = np.linalg.eigh(A)
    v = V[:, -1]
    return np.abs(v) / np.abs(v).sum()


def degree_centrality(A):
    n = A.shape[0]
    return A.sum(axis=1) / (n - 1), np.count_nonzero(A, axis=0)


def closeness_centrality(D):
    n = D.shape[0]
    finite = np.isfinite(D)
    reach = finite.sum(axis=1) - 1
    total = np.where(finite, D, 0).sum(axis=1)
    return np.where(total > 0, reach / np.where(total > 0, total, 1) * reach / (n - 1), 0.0)


def harmonic_centrality(D):
    with np.errstate(divide="ignore"):
        inv = 1.0 / D
    np.fill_diagonal(inv, 0)
    return inv.sum(axis=1)


def bfs_levels_matvec(A, source=0):
    n = A.shape[0]
    level = np.full(n, -1)
    level[source] = 0
    frontier = np.zeros(n, dtype=bool)
    frontier[source] = True
    visited = frontier.copy()
    for d in range(1, n):
        frontier = (A.T @ frontier > 0) & ~visited
        level[frontier] = d
        visited |= frontier
    return level


def bfs_levels_matrix_power(A):
    n = A.shape[0]
    reach = np.eye(n, dtype=bool)
    dist = np.where(reach, 0, -1)
    Ak = np.eye(n)
    for k in range(1, n):
        Ak = Ak @ A
        new = (Ak > 0) & ~reach
        dist[new] = k
        reach |= new
    return dist


def hop_distance_minplus(A):
    n = A.shape[0]
    D = np.where(A > 0, 1.0, np.inf)
    np.fill_diagonal(D, 0.0)
    for _ in range(int(np.ceil(np.log2(n)))):
        D = np.min(D[:, :, None] + D[None, :, :], axis=1)
    return D


def connected_components_labels(A, n_iter=10):
    n = A.shape[0]
    labels = np.arange(n)
    for _ in range(n_iter):
        neighbor_min = np.where(A > 0, labels[None, :], n).min(axis=1)
        labels = np.minimum(labels, neighbor_min)
    return labels


def connected_components_reach(A):
    n = A.shape[0]
    R = (A + np.eye(n)) > 0
    for _ in range(n):
        R = (R.astype(int) @ R.astype(int)) > 0
    return np.argmax(R, axis=1)


def n_components_laplacian(A, tol=1e-8):
    L = np.diag(A.sum(axis=1)) - A
    w = np.linalg.eigvalsh(L)
    return np.sum(w < tol), w


def triangles_trace(A):
    return np.trace(A @ A @ A) / 6


def triangles_per_node(A):
    return np.diag(np.linalg.matrix_power(A, 3)) / 2


def clustering_coefficient(A):
    deg = A.sum(axis=1)
    tri = np.einsum("ij,jk,ki->i", A, A, A) / 2
    possible = deg * (deg - 1) / 2
    return np.divide(tri, possible, out=np.zeros_like(tri), where=possible > 0)


def transitivity(A):
    A2 = A @ A
    triangles = np.sum(A2 * A)
    triples = np.sum(A2) - np.trace(A2)
    return triangles / triples if triples > 0 else 0.0


def graph_laplacians(A):
    d = A.sum(axis=1)
    L = np.diag(d) - A
    d_inv_sqrt = np.where(d > 0, 1.0 / np.sqrt(np.where(d > 0, d, 1)), 0.0)
    L_sym = np.eye(len(d)) - d_inv_sqrt[:, None] * A * d_inv_sqrt[None, :]
    L_rw = np.eye(len(d)) - A / np.maximum(d, 1)[:, None]
    return L, L_sym, L_rw


def spectral_embedding(A, k=2):
    d = A.sum(1)
    D_inv_sqrt = np.diag(1 / np.sqrt(d))
    L = np.eye(len(A)) - D_inv_sqrt @ A @ D_inv_sqrt
    w, v = np.linalg.eigh(L)
    emb = v[:, 1:k + 1]
    return w, np.abs(emb)


def fiedler_partition(A):
    L = np.diag(A.sum(axis=1)) - A
    vals, vecs = np.linalg.eigh(L)
    fiedler = vecs[:, 1]
    fiedler = fiedler * np.sign(fiedler[np.argmax(np.abs(fiedler))])
    return vals[1], fiedler >= 0


def spectral_clustering_kmeans(A, k=2, n_iter=5):
    L = np.diag(A.sum(1)) - A
    _, V = np.linalg.eigh(L)
    X = V[:, :k]
    X = X * np.sign(X[np.argmax(np.abs(X), axis=0), np.arange(k)])
    centers = X[:k].copy()
    for _ in range(n_iter):
        labels = np.argmin(((X[:, None] - centers[None]) ** 2).sum(-1), axis=1)
        for j in range(k):
            m = labels == j
            centers[j] = np.where(m.any(), X[m].mean(axis=0) if m.any() else centers[j], centers[j])
    return labels


def random_walk_distribution(A, start=0, n_steps=6):
    P = A / np.maximum(A.sum(axis=1, keepdims=True), 1)
    p = np.zeros(len(A))
    p[start] = 1.0
    history = np.empty((n_steps + 1, len(A)))
    history[0] = p
    for t in range(n_steps):
        p = p @ P
        history[t + 1] = p
    return history


def hitting_time(P, target=0):
    n = P.shape[0]
    keep = np.arange(n) != target
    Q = P[np.ix_(keep, keep)]
    h = np.linalg.solve(np.eye(n - 1) - Q, np.ones(n - 1))
    out = np.zeros(n)
    out[keep] = h
    return out


def commute_times(A):
    L = np.diag(A.sum(1)) - A
    Lp = np.linalg.pinv(L)
    d = np.diag(Lp)
    return A.sum() * (d[:, None] + d[None, :] - 2 * Lp)


def adjacency_from_edges(edges, n=6):
    A = np.zeros((n, n))
    A[edges[:, 0], edges[:, 1]] = 1
    A[edges[:, 1], edges[:, 0]] = 1
    return A


def weighted_adjacency_add_at(src, dst, w, n=5):
    A = np.zeros((n, n))
    np.add.at(A, (src, dst), w)
    return A + A.T


def incidence_matrix(edges, n=5):
    m = edges.shape[0]
    B = np.zeros((n, m))
    B[edges[:, 0], np.arange(m)] = -1
    B[edges[:, 1], np.arange(m)] = 1
    return B, B @ B.T


def degree_from_edges(edges, n=6):
    return np.bincount(edges.ravel(), minlength=n)


def edges_from_adjacency(A):
    i, j = np.nonzero(np.triu(A))
    return np.column_stack([i, j])


def common_neighbors(A):
    CN = A @ A
    deg = A.sum(1)
    union = deg[:, None] + deg[None, :] - CN
    jaccard = np.divide(CN, union, out=np.zeros_like(CN), where=union > 0)
    adamic = A @ np.diag(1 / np.log(np.maximum(deg, 2))) @ A
    return CN, jaccard, adamic


def walk_counts(A, k=4):
    return np.linalg.matrix_power(A.astype(np.int64), k), np.linalg.matrix_power(A, k).sum()


def is_bipartite_spectrum(A):
    w = np.linalg.eigvalsh(A)
    return np.isclose(w.min(), -w.max()), w


def graph_density(A, directed=False):
    n = A.shape[0]
    m = np.count_nonzero(A)
    return m / (n * (n - 1)) if directed else m / (n * (n - 1))


def assortativity(A):
    i, j = np.nonzero(A)
    deg = A.sum(axis=1)
    return np.corrcoef(deg[i], deg[j])[0, 1]


def label_propagation_classify(A, labels, mask, n_iter=10, n_classes=2):
    Y = np.zeros((A.shape[0], n_classes))
    Y[np.arange(A.shape[0])[mask], labels[mask]] = 1.0
    P = A / np.maximum(A.sum(1, keepdims=True), 1)
    F = Y.copy()
    for _ in range(n_iter):
        F = P @ F
        F[mask] = Y[mask]
    return F.argmax(axis=1)


def gcn_layer(A, X, W):
    A_hat = A + np.eye(A.shape[0])
    d = A_hat.sum(1)
    D_inv_sqrt = np.diag(d ** -0.5)
    return np.maximum(D_inv_sqrt @ A_hat @ D_inv_sqrt @ X @ W, 0)


def topological_levels(A):
    # Kahn's algorithm by rounds: nodes whose remaining in-degree is zero get the round's level
    n = A.shape[0]
    removed = np.zeros(n, dtype=bool)
    level = np.full(n, -1)
    for r in range(n):
        indeg = (A * ~removed[:, None]).sum(axis=0)
        ready = (indeg == 0) & ~removed
        level[ready] = r
        removed |= ready
    return level


def minimum_spanning_tree_prim(W):
    n = W.shape[0]
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = W[0].copy()
    parent = np.zeros(n, dtype=int)
    total = 0.0
    for _ in range(n - 1):
        cand = np.where(in_tree, np.inf, best)
        v = np.argmin(cand)
        total += cand[v]
        in_tree[v] = True
        closer = W[v] < best
        parent = np.where(closer & ~in_tree, v, parent)
        best = np.minimum(best, W[v])
    return total, parent


GRAPHS = {
    "pagerank_power": (pagerank_power, {}, lambda s, n: (_adjacency(s, n, p=0.4, directed=True),)),
    "pagerank_dangling_mass": (pagerank_dangling_mass, {}, lambda s, n: (_adjacency(s, n, p=0.4, directed=True),)),
    "pagerank_google_matrix": (pagerank_google_matrix, {}, lambda s, n: (_adjacency(s, n, p=0.5, directed=True),)),
    "personalized_pagerank": (personalized_pagerank, {}, lambda s, n: (_adjacency(s, n), np.array([0, 2]))),
    "hits": (hits, {}, lambda s, n: (_adjacency(s, n, p=0.6, directed=True) + np.eye(n, k=1),)),
    "katz_centrality": (katz_centrality, {}, lambda s, n: (_adjacency(s, n),)),
    "eigenvector_centrality": (eigenvector_centrality, {}, lambda s, n: (_adjacency(s, n, p=0.7),)),
    "eigenvector_centrality_eigh": (eigenvector_centrality_eigh, {}, lambda s, n: (_adjacency(s, n, p=0.7),)),
    "degree_centrality": (degree_centrality, {}, lambda s, n: (_adjacency(s, n),)),
    "closeness_centrality": (closeness_centrality, {}, lambda s, n: (floyd_warshall_newaxis(_adjacency(s, n, p=0.4)),)),
    "harmonic_centrality": (harmonic_centrality, {}, lambda s, n: (floyd_warshall_newaxis(_adjacency(s, n, p=0.4)),)),
    "bfs_levels_matvec": (bfs_levels_matvec, {}, lambda s, n: (_adjacency(s, n, p=0.3, directed=True),)),
    "bfs_levels_matrix_power": (bfs_levels_matrix_power, {}, lambda s, n: (_adjacency(s, n, p=0.3),)),
    "hop_distance_minplus": (hop_distance_minplus, {}, lambda s, n: (_adjacency(s, n, p=0.35),)),
    "connected_components_labels": (connected_components_labels, {}, lambda s, n: (_adjacency(s, n, p=0.25),)),
    "connected_components_reach": (connected_components_reach, {}, lambda s, n: (_adjacency(s, n, p=0.25),)),
    "n_components_laplacian": (n_components_laplacian, {}, lambda s, n: (_adjacency(s, n, p=0.3),)),
    "triangles_trace": (triangles_trace, {}, lambda s, n: (_adjacency(s, n, p=0.6),)),
    "triangles_per_node": (triangles_per_node, {}, lambda s, n: (_adjacency(s, n, p=0.6).astype(int),)),
    "clustering_coefficient": (clustering_coefficient, {}, lambda s, n: (_adjacency(s, n, p=0.6),)),
    "graph_laplacians": (graph_laplacians, {}, lambda s, n: (_adjacency(s, n, p=0.4, weighted=True),)),
    "spectral_embedding": (spectral_embedding, {}, lambda s, n: (_adjacency(s, n, p=0.9),)),
    "fiedler_partition": (fiedler_partition, {}, lambda s, n: (_adjacency(s, n, p=0.8),)),
    "random_walk_distribution": (random_walk_distribution, {}, lambda s, n: (_adjacency(s, n),)),
    "hitting_time": (hitting_time, {}, lambda s, n: (_stochastic(s, n),)),
    "commute_times": (commute_times, {}, lambda s, n: (_adjacency(s, n, p=0.9),)),
    "adjacency_from_edges": (adjacency_from_edges, {}, lambda s, n: (_i(6, n, 2, seed=s),)),
    "weighted_adjacency_add_at": (weighted_adjacency_add_at, {},
                                  lambda s, n: (_i(5, 2 * n, seed=s), _i(5, 2 * n, seed=s + 1), _f(2 * n, seed=s))),
    "incidence_matrix": (incidence_matrix, {}, lambda s, n: (_i(5, n, 2, seed=s),)),
    "degree_from_edges": (degree_from_edges, {}, lambda s, n: (_i(6, n, 2, seed=s),)),
    "common_neighbors": (common_neighbors, {}, lambda s, n: (_adjacency(s, n, p=0.5),)),
    "walk_counts": (walk_counts, {}, lambda s, n: (_adjacency(s, n, p=0.5),)),
    "is_bipartite_spectrum": (is_bipartite_spectrum, {}, lambda s, n: (_adjacency(s, n, p=0.5),)),
    "graph_density": (graph_density, {}, lambda s, n: (_adjacency(s, n, p=0.5),)),
    "assortativity": (assortativity, {}, lambda s, n: (_adjacency(s, n + 1, p=0.6),)),
    "label_propagation_classify": (label_propagation_classify, {},
                                   lambda s, n: (_adjacency(s, n, p=0.5), _i(2, n, seed=s), np.arange(n) % 2 == 0)),
    "gcn_layer": (gcn_layer, {}, lambda s, n: (_adjacency(s, n), _f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "topological_levels": (topological_levels, {}, lambda s, n: (np.triu(_adjacency(s, n, p=0.4, directed=True), 1),)),
    "minimum_spanning_tree_prim": (minimum_spanning_tree_prim, {},
                                   lambda s, n: (tsp_distance_matrix(_f(n, 2, seed=s)),)),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_graph_algorithms_on_adjacency_matrices_match_numpy(name):
    check_like_numpy(*GRAPHS[name])


# ------------------------------------------------------------------------------------- control


def dlqr_riccati(A, B, Q, R, n_iter=200):
    P = Q.copy()
    for _ in range(n_iter):
        BtP = B.T @ P
        K = np.linalg.solve(R + BtP @ B, BtP @ A)
        P = Q + A.T @ P @ A - A.T @ P @ B @ K
    return K, P


def dlqr_inv(A, B, Q, R, n_iter=100):
    P = Q
    for _ in range(n_iter):
        P = A.T @ P @ A - A.T @ P @ B @ np.linalg.inv(R + B.T @ P @ B) @ B.T @ P @ A + Q
    K = np.linalg.inv(B.T @ P @ B + R) @ (B.T @ P @ A)
    eig = np.linalg.eigvals(A - B @ K)
    return K, np.abs(eig).max()


def finite_horizon_lqr(A, B, Q, R, Qf, N=10):
    P = Qf
    gains = []
    for _ in range(N):
        K = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
        gains.append(K)
        P = Q + A.T @ P @ (A - B @ K)
    return np.array(gains[::-1]), P


def lqr_rollout(A, B, K, x0, n_steps=15):
    x = x0
    xs = [x0]
    us = []
    for _ in range(n_steps):
        u = -K @ x
        x = A @ x + B @ u
        xs.append(x)
        us.append(u)
    return np.array(xs), np.array(us), sum(x @ x for x in xs)


def simulate_state_space(A, B, C, D, u, x0):
    n_steps = u.shape[0]
    x = x0.copy()
    y = np.zeros((n_steps, C.shape[0]))
    for k in range(n_steps):
        y[k] = C @ x + D @ u[k]
        x = A @ x + B @ u[k]
    return y, x


def simulate_preallocated_states(A, B, u, x0):
    X = np.zeros((len(u) + 1, len(x0)))
    X[0] = x0
    for k in range(len(u)):
        X[k + 1] = A @ X[k] + B[:, 0] * u[k]
    return X


def impulse_response(A, B, C, n=8):
    h = np.zeros(n)
    Ak = np.eye(A.shape[0])
    for k in range(n):
        h[k] = (C @ Ak @ B).item()
        Ak = A @ Ak
    return h


def markov_parameters_matrix_power(A, B, C, n=6):
    return np.array([C @ np.linalg.matrix_power(A, k) @ B for k in range(n)]).squeeze()


def step_response_cumsum(A, B, C, n=10):
    h = np.array([(C @ np.linalg.matrix_power(A, k) @ B)[0, 0] for k in range(n)])
    return np.concatenate([[0.0], np.cumsum(h)[:-1]])


def controllability_matrix(A, B):
    n = A.shape[0]
    return np.hstack([np.linalg.matrix_power(A, k) @ B for k in range(n)])


def controllability_loop(A, B):
    n = A.shape[0]
    cols = [B]
    for _ in range(n - 1):
        cols.append(A @ cols[-1])
    Ctrb = np.concatenate(cols, axis=1)
    return np.linalg.matrix_rank(Ctrb) == n, np.linalg.matrix_rank(Ctrb)


def observability_matrix(A, C):
    n = A.shape[0]
    O = np.vstack([C @ np.linalg.matrix_power(A, i) for i in range(n)])
    return O, np.linalg.matrix_rank(O)


def gramian_discrete(A, B, n_terms=60):
    W = np.zeros_like(A)
    Ak = np.eye(A.shape[0])
    for _ in range(n_terms):
        W += Ak @ B @ B.T @ Ak.T
        Ak = Ak @ A
    return W, np.linalg.eigvalsh(W)


def lyapunov_kron(A, Q):
    n = A.shape[0]
    vecP = np.linalg.solve(np.eye(n * n) - np.kron(A, A), Q.reshape(-1))
    return vecP.reshape(n, n)


def is_stable_discrete(A):
    poles = np.linalg.eigvals(A)
    return np.all(np.abs(poles) < 1), np.max(np.abs(poles))


def is_stable_continuous(A):
    return np.all(np.real(np.linalg.eigvals(A)) < 0)


def closed_loop_poles(A, B, K):
    poles = np.linalg.eigvals(A - B @ K)
    return np.sort_complex(poles), np.abs(poles)


def c2d_euler_and_zoh(A, B, dt=0.1, n_terms=12):
    Ad_euler = np.eye(A.shape[0]) + A * dt
    # matrix exponential by truncated Taylor series of the augmented matrix
    n, m = B.shape
    M = np.zeros((n + m, n + m))
    M[:n, :n] = A * dt
    M[:n, n:] = B * dt
    E = np.eye(n + m)
    term = np.eye(n + m)
    for k in range(1, n_terms):
        term = term @ M / k
        E = E + term
    return Ad_euler, E[:n, :n], E[:n, n:]


def pid_loop(setpoint, measurements, kp=1.2, ki=0.3, kd=0.05, dt=0.1):
    integral = 0.0
    prev_error = 0.0
    out = np.zeros_like(measurements)
    for k in range(len(measurements)):
        error = setpoint[k] - measurements[k]
        integral += error * dt
        derivative = (error - prev_error) / dt
        out[k] = kp * error + ki * integral + kd * derivative
        prev_error = error
    return out


def pid_vectorized(setpoint, measurements, kp=1.0, ki=0.5, kd=0.1, dt=0.05):
    e = setpoint - measurements
    integral = np.cumsum(e) * dt
    derivative = np.diff(e, prepend=0.0) / dt
    return kp * e + ki * integral + kd * derivative


def pid_first_order_plant(ref, kp=2.0, ki=1.0, kd=0.0, dt=0.05, tau=0.5, u_max=3.0):
    y = 0.0
    integ = 0.0
    prev_e = ref[0]
    ys = np.zeros(len(ref))
    us = np.zeros(len(ref))
    for k in range(len(ref)):
        e = ref[k] - y
        integ = integ + e * dt
        u = np.clip(kp * e + ki * integ + kd * (e - prev_e) / dt, -u_max, u_max)
        y = y + dt / tau * (-y + u)
        prev_e = e
        ys[k], us[k] = y, u
    return ys, us


def kalman_filter_1d(z, q=1e-4, r=0.1):
    n = len(z)
    xhat = np.zeros(n)
    P = np.zeros(n)
    xhatminus = np.zeros(n)
    Pminus = np.zeros(n)
    K = np.zeros(n)
    P[0] = 1.0
    xhat[0] = z[0]
    for k in range(1, n):
        xhatminus[k] = xhat[k - 1]
        Pminus[k] = P[k - 1] + q
        K[k] = Pminus[k] / (Pminus[k] + r)
        xhat[k] = xhatminus[k] + K[k] * (z[k] - xhatminus[k])
        P[k] = (1 - K[k]) * Pminus[k]
    return xhat, K


def kalman_constant_velocity(zs, dt=1.0, q=0.01, r=1.0):
    F = np.array([[1.0, dt], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    R = np.array([[r]])
    x = np.array([zs[0], 0.0])
    P = np.eye(2) * 10.0
    estimates = []
    for z in zs:
        x = F @ x
        P = F @ P @ F.T + Q
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        y = z - H @ x
        x = x + (K @ y)
        P = (np.eye(2) - K @ H) @ P
        estimates.append(x.copy())
    return np.array(estimates), P


def steady_state_kalman_gain(A, C, Q, R, n_iter=100):
    P = np.eye(A.shape[0])
    for _ in range(n_iter):
        P = A @ P @ A.T + Q - A @ P @ C.T @ np.linalg.solve(C @ P @ C.T + R, C @ P @ A.T)
    L = P @ C.T @ np.linalg.inv(C @ P @ C.T + R)
    return L, P


def luenberger_observer(A, B, C, L, u, y, x0):
    xhat = x0
    out = []
    for k in range(len(u)):
        xhat = A @ xhat + B.ravel() * u[k] + L @ (y[k] - C @ xhat)
        out.append(xhat)
    return np.stack(out)


def ackermann_gain(A, B, poles):
    n = A.shape[0]
    coeffs = np.poly(poles)
    phi = sum(c * np.linalg.matrix_power(A, n - i) for i, c in enumerate(coeffs))
    Ctrb = np.hstack([np.linalg.matrix_power(A, k) @ B for k in range(n)])
    e_n = np.zeros((1, n))
    e_n[0, -1] = 1.0
    return e_n @ np.linalg.inv(Ctrb) @ phi


def transfer_function_freq(num, den, w):
    s = 1j * w
    H = np.polyval(num, s) / np.polyval(den, s)
    return 20 * np.log10(np.abs(H)), np.degrees(np.angle(H))


def discrete_tf_filter(b, a, u):
    # direct form I difference equation, a[0] == 1
    y = np.zeros_like(u)
    for k in range(len(u)):
        acc = 0.0
        for i in range(len(b)):
            if k - i >= 0:
                acc += b[i] * u[k - i]
        for j in range(1, len(a)):
            if k - j >= 0:
                acc -= a[j] * y[k - j]
        y[k] = acc
    return y


def mpc_unconstrained_gain(A, B, Q, R, N=5):
    n, m = B.shape
    Phi = np.vstack([np.linalg.matrix_power(A, i + 1) for i in range(N)])
    Gamma = np.zeros((N * n, N * m))
    for i in range(N):
        for j in range(i + 1):
            Gamma[i * n:(i + 1) * n, j * m:(j + 1) * m] = np.linalg.matrix_power(A, i - j) @ B
    Qbar = np.kron(np.eye(N), Q)
    Rbar = np.kron(np.eye(N), R)
    H = Gamma.T @ Qbar @ Gamma + Rbar
    F = Gamma.T @ Qbar @ Phi
    K = np.linalg.solve(H, F)[:m]
    return K


def routh_first_column_signs(coeffs):
    return np.all(np.real(np.roots(coeffs)) < 0)


def bang_bang_saturation(x, v, u_max=1.0, dt=0.1, n_steps=20):
    traj = np.zeros((n_steps, 2))
    for k in range(n_steps):
        s = x + v * np.abs(v) / (2 * u_max)
        u = -u_max * np.sign(s)
        v = v + u * dt
        x = x + v * dt
        traj[k] = x, v
    return traj


def double_integrator_matrices(dt=0.1):
    A = np.array([[1, dt], [0, 1]])
    B = np.array([[0.5 * dt ** 2], [dt]])
    return A, B


def settle_time_index(y, target, tol=0.02):
    outside = np.abs(y - target) > tol * np.abs(target)
    last_outside = len(y) - 1 - np.argmax(outside[::-1])
    return np.where(outside.any(), last_outside + 1, 0), np.max(y) / target - 1


def _stable(seed, n):
    A = _f(n, n, seed=seed)
    return 0.9 * A / np.max(np.abs(np.linalg.eigvals(A)))


def _lq(seed, n):
    return _stable(seed, n) * 1.05, _f(n, 1, seed=seed + 1), np.eye(n), np.eye(1)


CONTROL = {
    "dlqr_riccati": (dlqr_riccati, {}, lambda s, n: _lq(s, n)),
    "dlqr_inv": (dlqr_inv, {}, lambda s, n: _lq(s, n)),
    "finite_horizon_lqr": (finite_horizon_lqr, {}, lambda s, n: (*_lq(s, n), 2 * np.eye(n))),
    "lqr_rollout": (lqr_rollout, {},
                    lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s) * 0.1, _f(n, seed=s + 1))),
    "simulate_state_space": (simulate_state_space, {},
                             lambda s, n: (_stable(s, n), _f(n, 2, seed=s), _f(1, n, seed=s + 1), np.zeros((1, 2)),
                                           _f(8, 2, seed=s + 2), _f(n, seed=s + 3))),
    "simulate_preallocated_states": (simulate_preallocated_states, {},
                                     lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(8, seed=s), _f(n, seed=s + 1))),
    "markov_parameters_matrix_power": (markov_parameters_matrix_power, {},
                                       lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s + 1))),
    "impulse_response": (impulse_response, {}, lambda s, n: (
        _stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s + 1))),
    "step_response_cumsum": (step_response_cumsum, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s + 1))),
    "controllability_matrix": (controllability_matrix, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s))),
    "controllability_loop": (controllability_loop, {}, lambda s, n: (_stable(s, n), _f(n, 2, seed=s))),
    "observability_matrix": (observability_matrix, {}, lambda s, n: (_stable(s, n), _f(1, n, seed=s))),
    "gramian_discrete": (gramian_discrete, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s))),
    "lyapunov_kron": (lyapunov_kron, {}, lambda s, n: (_stable(s, n), np.eye(n))),
    "is_stable_discrete": (is_stable_discrete, {}, lambda s, n: (_stable(s, n) * (0.5 + 0.4 * s),)),
    "is_stable_continuous": (is_stable_continuous, {}, lambda s, n: (_f(n, n, seed=s) - (s % 2) * 3 * np.eye(n),)),
    "closed_loop_poles": (closed_loop_poles, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s + 1))),
    "c2d_euler_and_zoh": (c2d_euler_and_zoh, {}, lambda s, n: (_f(n, n, seed=s), _f(n, 1, seed=s + 1))),
    "pid_loop": (pid_loop, {}, lambda s, n: (np.ones(3 * n), _f(3 * n, seed=s) * 0.1 + 0.8)),
    "pid_vectorized": (pid_vectorized, {}, lambda s, n: (np.ones(3 * n), _f(3 * n, seed=s) * 0.1 + 0.8)),
    "pid_first_order_plant": (pid_first_order_plant, {}, lambda s, n: (np.r_[np.zeros(2), np.ones(3 * n)] * (1 + s),)),
    "kalman_filter_1d": (kalman_filter_1d, {}, lambda s, n: (0.5 + 0.1 * _f(4 * n, seed=s),)),
    "kalman_constant_velocity": (kalman_constant_velocity, {}, lambda s, n: (np.arange(2 * n) * 1.5 + _f(2 * n, seed=s),)),
    "steady_state_kalman_gain": (steady_state_kalman_gain, {},
                                 lambda s, n: (_stable(s, n), _f(1, n, seed=s), 0.1 * np.eye(n), np.eye(1))),
    "luenberger_observer": (luenberger_observer, {},
                            lambda s, n: (_stable(s, n), _f(n, 1, seed=s), _f(1, n, seed=s + 1), 0.1 * _f(n, 1, seed=s + 2),
                                          _f(6, seed=s), _f(6, 1, seed=s + 3), np.zeros(n))),
    "ackermann_gain": (ackermann_gain, {},
                       lambda s, n: (_stable(s, n), _f(n, 1, seed=s), np.linspace(0.1, 0.5, n))),
    "transfer_function_freq": (transfer_function_freq, {},
                               lambda s, n: (np.array([1.0, 2.0 + s]), np.array([1.0, 3.0, 2.0 + s]), np.logspace(-1, 2, 4 * n))),
    "discrete_tf_filter": (discrete_tf_filter, {},
                           lambda s, n: (np.array([0.2, 0.3]), np.array([1.0, -0.5, 0.1 * s]), _f(2 * n, seed=s))),
    "mpc_unconstrained_gain": (mpc_unconstrained_gain, {}, lambda s, n: _lq(s, n)),
    "bang_bang_saturation": (bang_bang_saturation, {}, lambda s, n: (float(_f(1, seed=s)[0]), 0.1 * s)),
    "double_integrator_matrices": (double_integrator_matrices, {}, lambda s, n: (0.1 * s,)),
    "settle_time_index": (settle_time_index, {},
                          lambda s, n: (1 - np.exp(-np.arange(4 * n) / (1.0 + s)) * np.cos(np.arange(4 * n)), 1.0)),
}


@pytest.mark.parametrize("name", list(CONTROL))
def test_control_design_and_simulation_match_numpy(name):
    check_like_numpy(*CONTROL[name])


# ------------------------------------------------------------------------------- refused forms


def value_iteration_until_converged(P, R, gamma=0.9, theta=1e-6):
    V = np.zeros(P.shape[0])
    while True:
        V_new = np.max(R + gamma * P @ V, axis=1)
        if np.max(np.abs(V_new - V)) < theta:
            return V_new
        V = V_new


def policy_iteration_until_stable(P, R, gamma=0.9):
    nS = P.shape[0]
    policy = np.zeros(nS, dtype=int)
    while True:
        V = np.linalg.solve(np.eye(nS) - gamma * P[np.arange(nS), policy], R[np.arange(nS), policy])
        new_policy = np.argmax(R + gamma * P @ V, axis=1)
        if np.array_equal(new_policy, policy):
            return policy, V
        policy = new_policy


def pagerank_until_tol(A, d=0.85, tol=1e-8):
    n = A.shape[0]
    M = (A / np.maximum(A.sum(axis=1, keepdims=True), 1)).T
    r = np.ones(n) / n
    for _ in range(1000):
        r_new = d * M @ r + (1 - d) / n
        if np.linalg.norm(r_new - r, 1) < tol:
            break
        r = r_new
    return r_new


def reachable_nodes(A, source=0):
    seen = np.zeros(A.shape[0], dtype=bool)
    seen[source] = True
    frontier = seen.copy()
    while frontier.any():
        frontier = (A[frontier].sum(axis=0) > 0) & ~seen
        seen |= frontier
    return np.flatnonzero(seen)


def neighbors_of(A, v):
    return np.nonzero(A[v])[0]


def kruskal_sorted_edges(W):
    i, j = np.nonzero(np.triu(W))
    order = np.argsort(W[i, j])
    return np.column_stack([i[order], j[order]])


TRAJECTORIES = [
    (epsilon_greedy, lambda s: (_f(4, 3, seed=s), 2)),
    (cartpole_rollout, lambda s: (np.array([0.0, 0.01, 0.02, -0.01]) * s,)),
    (q_learning_chain, lambda s: ()),
]

REFUSED = {
    "monte_carlo_first_visit": ("ConcretizationError", monte_carlo_first_visit,
                                lambda s: (_i(4, 7, seed=s), _f(7, seed=s))),
    "knapsack_01": ("ConcretizationError", knapsack_01, lambda s: (_i(4, 4, seed=s) + 1, _f(4, positive=True, seed=s))),
    "knapsack_01_rows": ("DataDependentShapeError", knapsack_01_rows,  # `shifted[w:]`
                         lambda s: (_i(5, 4, seed=s) + 1, _f(4, positive=True, seed=s))),
    "knapsack_reversed_loop": ("ConcretizationError", knapsack_reversed_loop,
                               lambda s: (_i(4, 4, seed=s) + 1, _i(10, 4, seed=s + 1))),
    "coin_change_ways": ("ConcretizationError", coin_change_ways, lambda s: (np.array([1, 2, 5]) + (s > 1),)),
    "northwest_corner": ("ConcretizationError", northwest_corner,
                         lambda s: (np.array([5, 7, 3]) + s, np.array([4, 6, 5 + 3 * s]))),
    "inventory_s_S": ("ConcretizationError", inventory_s_S, lambda s: (_i(6, 8, seed=s),)),
    "transitivity": ("ConcretizationError", transitivity, lambda s: (_adjacency(s, 5, p=0.6),)),
    "spectral_clustering_kmeans": ("ConcretizationError", spectral_clustering_kmeans,
                                   lambda s: (_adjacency(s, 6, p=0.6),)),
    "value_iteration_until_converged": ("ConcretizationError", value_iteration_until_converged,
                                        lambda s: _mdp(s, 4)),
    "policy_iteration_until_stable": ("ConcretizationError", policy_iteration_until_stable,
                                      lambda s: _mdp(s, 4)),
    "pagerank_until_tol": ("ConcretizationError", pagerank_until_tol,
                           lambda s: (_adjacency(s, 5, directed=True),)),
    "reachable_nodes": ("ConcretizationError", reachable_nodes, lambda s: (_adjacency(s, 6, p=0.3),)),
    "routh_first_column_signs": ("DataDependentShapeError", routh_first_column_signs,
                                 lambda s: (np.r_[1.0, _f(3, positive=True, seed=s)],)),
    "neighbors_of": ("DataDependentShapeError", neighbors_of, lambda s: (_adjacency(s, 5), 1)),
    "edges_from_adjacency": ("DataDependentShapeError", edges_from_adjacency, lambda s: (_adjacency(s, 5),)),
    "kruskal_sorted_edges": ("DataDependentShapeError", kruskal_sorted_edges,
                             lambda s: (_adjacency(s, 5, weighted=True),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Convergence loops (`while` and `break` on a traced tolerance), `if` on a traced value (Python-side
    branching in the north-west corner rule, s-S inventory, first visits), slices and `range`
    bounds from traced weights (`dp[w:]` in knapsacks), `np.roots` and neighbour or
    edge lists returned by `np.nonzero`: refused by name, NumPy's values under
    `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


@pytest.mark.parametrize("fn, make", TRAJECTORIES, ids=[f.__name__ for f, _ in TRAJECTORIES])
def test_branching_on_a_draw_is_refused(fn, make):
    """`if rng.random() < epsilon:` and `force if action == 1 else -force` of a drawn action
    branch in Python on a traced draw: ConcretizationError, and under `fallback=True` NumPy's
    draws, values and generator state."""
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(fn)(np.random.default_rng(0), *make(1))
    want_rng, got_rng = np.random.default_rng(3), np.random.default_rng(3)
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(jf(got_rng, *make(1)), fn(want_rng, *make(1)))
    assert_same(jf(got_rng, *make(2)), fn(want_rng, *make(2)))
    assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_long_matrix_power_chains_reassociate():
    """`W += Ak @ B @ B.T @ Ak.T` with `Ak = Ak @ A` over 60 terms (a discrete Gramian):
    reassociating `(A^k) @ B` peels one factor per rewrite at one node, and the rewrite
    engine took more than 32 rewrites in a row for a cycle (RuntimeError, "two of its rules
    undo each other"); a cycle is now a form that comes back."""
    check_like_numpy(gramian_discrete, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s)))


def test_assortativity_of_nonzero_pairs():
    """`np.corrcoef(deg[i], deg[j])` with `i, j = np.nonzero(A)`: two 1-d selections by one
    2-d mask; the covariance took only selections by a 1-d mask (DataDependentShapeError)."""
    check_like_numpy(assortativity, {}, lambda s, n: (_adjacency(s, n + 1, p=0.6),))
    check_like_numpy(lambda A, x: np.cov(x[np.nonzero(A)[0]], x[np.nonzero(A)[1]] ** 2, bias=True), {},
                     lambda s, n: (_adjacency(s, n, p=0.5), _f(n, seed=s)))


def epsilon_greedy_python_random(Q, s, epsilon=0.3):
    if random.random() < epsilon:
        return random.randrange(Q.shape[1])
    return np.argmax(Q[s])


def replay_batch_random_sample(buffer, batch_size=3):
    batch = random.sample(buffer, batch_size)
    states, rewards = zip(*batch)
    return np.stack(states), np.array(rewards)


def noisy_reward(r):
    return r + random.gauss(0.0, 0.1)


PYTHON_RANDOM = [
    (epsilon_greedy_python_random, lambda: (_f(4, 3), 2)),
    (replay_batch_random_sample, lambda: ([(_f(2, seed=i), float(i)) for i in range(6)],)),
    (noisy_reward, lambda: (_f(3),)),
]


@pytest.mark.parametrize("fn, make", PYTHON_RANDOM, ids=[f.__name__ for f, _ in PYTHON_RANDOM])
def test_python_random_module_in_a_trace_is_refused(fn, make):
    """`random.random() < epsilon`, `random.sample(buffer, k)` and `random.gauss` drew once
    while tracing, and the compiled function silently repeated those draws (the same action
    and batch on every call). A trace that moved Python's random state is refused
    (RandomInTraceError), the state put back; under `fallback=True` NumPy's values and
    Python's random state over calls."""
    random.seed(5)
    before = random.getstate()
    with pytest.raises(tracenp.errors.RandomInTraceError):
        tracenp.jit(fn)(*make())
    assert random.getstate() == before
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = [jf(*make()) for _ in range(4)]
    after = random.getstate()
    random.seed(5)
    assert_same(got, [fn(*make()) for _ in range(4)])
    assert random.getstate() == after


def test_a_seeded_random_instance_made_inside_traces():
    """`random.Random(0)` made in the function gives the same numbers on every call, as
    NumPy's run does, and leaves the global state alone: it traces."""
    def fn(x):
        r = random.Random(0)
        return x * r.random() + r.randrange(5)

    check_like_numpy(fn, {}, lambda s, n: (_f(n, seed=s),))


# ------------------------------------------------------------------------------- more forms



def q_update_bool_done(Q, s, a, r, s2, done, alpha=0.5, gamma=0.9):
    target = r + gamma * Q[s2].max(axis=1) * (1 - done)
    Q[s, a] += alpha * (target - Q[s, a])
    return Q, ~done, gamma * (~done)


def frozenlake_tutorial_q(Q, s, noise, lr=0.8, y=0.95):
    # the classic tutorial's greedy action with decaying noise, here given as an argument
    a = np.argmax(Q[s, :] + noise * (1.0 / (s + 1)))
    return a, Q[s, a] * lr * y


def q_gather_put_along(Q, actions, targets, lr=0.1):
    cur = np.take_along_axis(Q, actions[:, None], axis=1)
    np.put_along_axis(Q, actions[:, None], cur + lr * (targets[:, None] - cur), axis=1)
    return Q


def adjacency_from_edge_loop(edges, n=5):
    A = np.zeros((n, n), dtype=int)
    for u, v in edges:
        A[u, v] = 1
        A[v, u] = 1
    return A


def greedy_coloring(A):
    n = A.shape[0]
    colors = np.full(n, -1)
    for v in range(n):
        used = np.zeros(n + 1, dtype=bool)
        neighbor_colors = colors[(A[v] > 0) & (colors >= 0)]
        used[neighbor_colors] = True
        colors[v] = np.argmin(used)
    return colors


def n_components_unique(labels):
    return len(np.unique(labels)), np.unique(labels).size


def lindley_accumulate(interarrival, service):
    S = np.concatenate([[0.0], np.cumsum(service[:-1] - interarrival[1:])])
    return S - np.minimum.accumulate(S)


def running_max_drawdown_returns(returns):
    G = np.cumsum(returns)
    return np.maximum.accumulate(G) - G


def closed_loop_tf(num, den, k=2.0):
    return np.polyadd(den, k * np.asarray(num)), np.polymul(num, den)


def bode_unwrap(num, den, w):
    H = np.polyval(num, 1j * w) / np.polyval(den, 1j * w)
    return np.unwrap(np.angle(H)), 20 * np.log10(np.abs(H))


def ukf_sigma_points(x, P, kappa=1.0):
    n = x.shape[0]
    S = np.linalg.cholesky((n + kappa) * P)
    sigmas = np.vstack([x, x + S.T, x - S.T])
    w = np.full(2 * n + 1, 0.5 / (n + kappa))
    w[0] = kappa / (n + kappa)
    mean = w @ sigmas
    diff = sigmas - mean
    cov = (w[:, None] * diff).T @ diff
    return sigmas, mean, cov


def particle_filter_step(particles, weights, z, u, positions, r=0.5, q=0.1, noise=None):
    particles = particles + u + q * noise
    weights = weights * np.exp(-0.5 * ((z - particles) / r) ** 2)
    weights += 1e-300
    weights /= weights.sum()
    neff = 1.0 / np.sum(weights ** 2)
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    idx = np.searchsorted(cumulative, positions)
    return particles[idx], np.full(len(weights), 1.0 / len(weights)), neff


def sinkhorn(a, b, C, reg=0.5, n_iter=50):
    K = np.exp(-C / reg)
    u = np.ones_like(a)
    v = np.ones_like(b)
    for _ in range(n_iter):
        u = a / (K @ v)
        v = b / (K.T @ u)
    P = u[:, None] * K * v[None, :]
    return P, np.sum(P * C)


def spt_schedule(p, w):
    order = np.argsort(p, kind="stable")
    completion = np.cumsum(p[order])
    wspt = np.argsort(-w / p, kind="stable")
    return order, completion.sum(), np.sum(w[wspt] * np.cumsum(p[wspt]))


def edd_tardiness(p, d):
    order = np.argsort(d, kind="stable")
    C = np.cumsum(p[order])
    tardiness = np.maximum(C - d[order], 0)
    return order, tardiness.max(), np.count_nonzero(tardiness)


def flow_shop_makespan(p, order):
    # p[job, machine]; completion times by the DP C[i, j] = max(C[i-1, j], C[i, j-1]) + p
    P = p[order]
    n, m = P.shape
    C = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            prev_job = C[i - 1, j] if i > 0 else 0.0
            prev_machine = C[i, j - 1] if j > 0 else 0.0
            C[i, j] = np.maximum(prev_job, prev_machine) + P[i, j]
    return C[-1, -1]


def flow_shop_vectorized(p):
    n, m = p.shape
    C = np.zeros((n, m))
    C[:, 0] = np.cumsum(p[:, 0])
    for j in range(1, m):
        C[0, j] = C[0, j - 1] + p[0, j]
        for i in range(1, n):
            C[i, j] = max(C[i - 1, j], C[i, j - 1]) + p[i, j]
    return C


def absorbing_chain(P, n_transient=3):
    Q = P[:n_transient, :n_transient]
    R = P[:n_transient, n_transient:]
    N = np.linalg.inv(np.eye(n_transient) - Q)
    return N @ np.ones(n_transient), N @ R


def modularity(A, communities):
    m = A.sum() / 2
    k = A.sum(axis=1)
    same = communities[:, None] == communities[None, :]
    return ((A - np.outer(k, k) / (2 * m)) * same).sum() / (2 * m)


def sbm_probabilities(z, B):
    return B[z[:, None], z[None, :]], B[np.ix_(z, z)]


def er_graph(rng, n=6, p=0.4):
    A = rng.random((n, n)) < p
    A = np.triu(A, 1)
    A = A | A.T
    return A.astype(int), A.sum() // 2


def preferential_attachment(rng, n=8, m0=2):
    A = np.zeros((n, n))
    A[:m0, :m0] = 1 - np.eye(m0)
    for v in range(m0, n):
        deg = A[:v, :v].sum(axis=1)
        target = rng.choice(v, p=deg / deg.sum())
        A[v, target] = A[target, v] = 1
    return A


def systematic_resample(rng, weights):
    N = len(weights)
    positions = (rng.random() + np.arange(N)) / N
    return np.searchsorted(np.cumsum(weights), positions)


def multinomial_resample(rng, particles, weights):
    idx = rng.choice(len(weights), size=len(weights), p=weights)
    return particles[idx]


def poisson_queue(rng, lam=2.0, mu=2.5, T=20):
    arrivals = rng.poisson(lam, T)
    capacity = rng.poisson(mu, T)
    q = np.zeros(T + 1)
    for t in range(T):
        q[t + 1] = max(q[t] + arrivals[t] - capacity[t], 0)
    return q


def poisson_queue_maximum(rng, lam=2.0, mu=2.5, T=20):
    arrivals = rng.poisson(lam, T)
    capacity = rng.poisson(mu, T)
    q = np.zeros(T + 1)
    for t in range(T):
        q[t + 1] = np.maximum(q[t] + arrivals[t] - capacity[t], 0)
    return q


def inventory_monte_carlo(rng, s=3, S=10, T=15, n_paths=5):
    demand = rng.poisson(3.0, size=(n_paths, T))
    inv = np.full(n_paths, S)
    cost = np.zeros(n_paths)
    for t in range(T):
        order = np.where(inv < s, S - inv, 0)
        inv = inv + order
        sold = np.minimum(inv, demand[:, t])
        inv = inv - sold
        cost += 2.0 * (order > 0) + 0.5 * inv + 4.0 * (demand[:, t] - sold)
    return cost.mean(), cost


def brute_force_tsp(D):
    n = D.shape[0]
    perms = np.array([(0,) + p for p in permutations(range(1, n))])
    lengths = D[perms, np.roll(perms, -1, axis=1)].sum(axis=1)
    return perms[np.argmin(lengths)], lengths.min()


def euler_state_feedback(A, b, k, x0, dt=0.01, n_steps=50, u_max=2.0):
    x = x0.copy()
    for _ in range(n_steps):
        u = np.clip(-k @ x, -u_max, u_max)
        x = x + dt * (A @ x + b * u)
    return x


def step_response_convolve(h, u):
    return np.convolve(h, u)[:len(u)], np.convolve(h, u, mode="full").shape


def ekf_numeric_jacobian(f, x, eps=1e-6):
    n = len(x)
    fx = f(x)
    J = np.zeros((len(fx), n))
    for i in range(n):
        dx = np.zeros(n)
        dx[i] = eps
        J[:, i] = (f(x + dx) - fx) / eps
    return J


def pendulum_dynamics(x):
    return np.array([x[1], -9.81 * np.sin(x[0]) - 0.1 * x[1]])


def ekf_jacobian_pendulum(x):
    return ekf_numeric_jacobian(pendulum_dynamics, x)


def hungarian_cover_rows(C):
    C = C - C.min(axis=1)[:, None]
    C = C - C.min(axis=0)
    zero = np.isclose(C, 0)
    return zero.sum(axis=1), zero.any(axis=0).sum(), np.argmax(zero, axis=1)


MORE = {
    "q_update_bool_done": (q_update_bool_done, {},
                           lambda s, n: (_f(n, 3, seed=s), _i(n, 5, seed=s), _i(3, 5, seed=s), _f(5, seed=s),
                                         _i(n, 5, seed=s + 1), _i(2, 5, seed=s).astype(bool))),
    "frozenlake_tutorial_q": (frozenlake_tutorial_q, {}, lambda s, n: (_f(n, 4, seed=s), s % n, _f(1, 4, seed=s))),
    "q_gather_put_along": (q_gather_put_along, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s), _f(n, seed=s))),
    "adjacency_from_edge_loop": (adjacency_from_edge_loop, {}, lambda s, n: (_i(5, n, 2, seed=s),)),
    "greedy_coloring": (greedy_coloring, {}, lambda s, n: (_adjacency(s, n),)),
    "lindley_accumulate": (lindley_accumulate, {},
                           lambda s, n: (_f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "running_max_drawdown_returns": (running_max_drawdown_returns, {}, lambda s, n: (_f(n, seed=s),)),
    "bode_unwrap": (bode_unwrap, {}, lambda s, n: (_f(2, seed=s), np.r_[1.0, _f(2, positive=True, seed=s)],
                                                 np.logspace(-1, 2, 3 * n))),
    "ukf_sigma_points": (ukf_sigma_points, {}, lambda s, n: (_f(n, seed=s), np.eye(n) + 0.1 * np.ones((n, n)))),
    "particle_filter_step": (particle_filter_step, {},
                             lambda s, n: (_f(5 * n, seed=s), np.full(5 * n, 1 / (5 * n)), 0.3, 0.1,
                                           (np.random.default_rng(s).random() + np.arange(5 * n)) / (5 * n),
                                           0.5, 0.1, _f(5 * n, seed=s + 1))),
    "sinkhorn": (sinkhorn, {}, lambda s, n: (np.full(n, 1 / n), np.full(3, 1 / 3), _f(n, 3, positive=True, seed=s))),
    "spt_schedule": (spt_schedule, {}, lambda s, n: (_i(9, n, seed=s) + 1.0, _f(n, positive=True, seed=s))),
    "edd_tardiness": (edd_tardiness, {}, lambda s, n: (_i(9, n, seed=s) + 1.0, _i(20, n, seed=s + 1) * 1.0)),
    "flow_shop_makespan": (flow_shop_makespan, {},
                           lambda s, n: (_f(n, 3, positive=True, seed=s), np.random.default_rng(s).permutation(n))),
    "absorbing_chain": (absorbing_chain, {}, lambda s, n: (_stochastic(s, n),)),
    "modularity": (modularity, {}, lambda s, n: (_adjacency(s, n), _i(2, n, seed=s))),
    "sbm_probabilities": (sbm_probabilities, {}, lambda s, n: (_i(3, n, seed=s), _f(3, 3, positive=True, seed=s))),
    "hungarian_cover_rows": (hungarian_cover_rows, {}, lambda s, n: (_i(5, n, n, seed=s) * 1.0,)),
    "brute_force_tsp": (brute_force_tsp, {}, lambda s, n: (_f(n, n, positive=True, seed=s),)),
    "euler_state_feedback": (euler_state_feedback, {},
                             lambda s, n: (_stable(s, n), _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "step_response_convolve": (step_response_convolve, {}, lambda s, n: (_f(n, seed=s), np.ones(2 * n))),
    "ekf_jacobian_pendulum": (ekf_jacobian_pendulum, {}, lambda s, n: (_f(2, seed=s),)),
}


@pytest.mark.parametrize("name", list(MORE))
def test_more_rl_or_graph_and_control_forms_match_numpy(name):
    """Bool `done` flags in targets, `take_along_axis`/`put_along_axis` Q updates, edge loops,
    greedy colouring by a selection used as an index, `np.minimum.accumulate` queues, phase
    unwrapping, UKF sigma points, particle filters, Sinkhorn, scheduling rules, flow shops,
    absorbing chains, modularity, brute-force TSP over `itertools.permutations`."""
    check_like_numpy(*MORE[name])


SAMPLED = [
    (er_graph, ()),
    (preferential_attachment, ()),
    (systematic_resample, (np.full(6, 1 / 6),)),
    (multinomial_resample, (_f(6), np.full(6, 1 / 6))),
    (poisson_queue_maximum, ()),
    (inventory_monte_carlo, ()),
]


@pytest.mark.parametrize("fn, args", SAMPLED, ids=[f.__name__ for f, _ in SAMPLED])
def test_random_graphs_resampling_and_queues_with_a_generator_argument(fn, args):
    """Erdos-Renyi and preferential-attachment graphs, particle resampling, Poisson queues and
    inventory Monte Carlo: NumPy's draws and values over three calls, the generator left in
    NumPy's state."""
    want_rng, got_rng = np.random.default_rng(11), np.random.default_rng(11)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


MORE_REFUSED = {
    "n_components_unique": ("DataDependentShapeError", n_components_unique, lambda s: (_i(3, 6, seed=s),)),
    "closed_loop_tf": ("DataDependentShapeError", closed_loop_tf, lambda s: (_f(2, seed=s), _f(3, seed=s + 1))),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(MORE_REFUSED))
def test_more_refused_forms_run_under_fallback(name):
    """`len(np.unique(labels))` (a Python int from the values) and `np.polymul` (poly1d trims
    leading zeros): refused by name, NumPy's values under `fallback=True`."""
    error, fn, make = MORE_REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


BUILTIN_MIN_MAX = {  # `max(dp[c], dp[c - w] + v)`, `min(...)` of traced scalars: a fold by
    # `np.where`, as Python compares them (refused until stop 18)
    "unbounded_knapsack": (unbounded_knapsack,
                           lambda s: (_i(5, 4, seed=s) + 1, _f(4, positive=True, seed=s))),
    "edit_distance": (edit_distance, lambda s: (_i(3, 4, seed=s), _i(3, 3, seed=s + 1))),
    "lindley_queue": (lindley_queue,
                      lambda s: (_f(6, positive=True, seed=s), _f(6, positive=True, seed=s + 1))),
    "flow_shop_vectorized": (flow_shop_vectorized,
                             lambda s: (_f(4, 3, positive=True, seed=s),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(BUILTIN_MIN_MAX))
def test_builtin_min_and_max_of_traced_scalars_match_numpy(name):
    check_steered(*BUILTIN_MIN_MAX[name])


def test_builtin_max_in_a_queue_with_a_generator_matches_numpy():
    """`max(q[t] + arrivals[t] - capacity[t], 0)` of Poisson draws: NumPy's values and
    generator state."""
    jf = tracenp.jit(poisson_queue)
    for seed in (3, 4):
        want_rng, got_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        assert_same(jf(got_rng), poisson_queue(want_rng))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def _best_of_iterables(x, y):
    ratings = {"a": x.sum(), "b": y.max(), "c": 1.5}
    return (max(ratings.values()), min(v for v in np.r_[y, np.nan]),
            max(r.mean() for r in x.reshape(-1, 2)), max((v for v in x if False), default=0.5))


def test_builtin_max_and_min_of_a_generator_or_dict_values():
    """`max(ratings.values())` and `min(v for v in y)` of traced scalars raised
    ConcretizationError (only lists, tuples and 1-d arrays were folded): any iterable is now;
    one of arrays stays Python's own (its ambiguous-truth ValueError)."""
    check_steered(_best_of_iterables, lambda s: (_f(6, seed=s), _f(5, seed=s + 1)))
    with pytest.raises(ValueError, match="ambiguous"):
        tracenp.jit(lambda x: max(r for r in x.reshape(3, 2)))(_f(6, seed=1))


def test_iteration_counts_passed_positionally_are_made_static():
    """`value_iteration(P, R, 0.9, 30)`, `finite_horizon_dp(P, R, 5)` and `sinkhorn(..., n_iter)`
    called with Python ints for `range()`: made static, NumPy's values for each count."""
    check_steered(value_iteration_einsum, lambda s: (*_mdp(s, 4), 0.8 + 0.05 * s, 10 + s))
    check_steered(finite_horizon_dp, lambda s: (*_mdp(s, 3), 3 + s))
    check_steered(sinkhorn, lambda s: (np.full(3, 1 / 3), np.full(2, 0.5), _f(3, 2, positive=True, seed=s),
                                       0.5, 5 * s))


# ------------------------------------------------------------- agents, search and tie-breaks

Transition = namedtuple("Transition", ["state", "action", "reward", "next_state", "done"])


class GridEnv:
    def __init__(self, n=4):
        self.n = n
        self.goal = n * n - 1

    def step_vec(self, states, actions):
        r, c = np.divmod(states, self.n)
        dr = np.array([-1, 0, 1, 0])[actions]
        dc = np.array([0, 1, 0, -1])[actions]
        r = np.clip(r + dr, 0, self.n - 1)
        c = np.clip(c + dc, 0, self.n - 1)
        nxt = r * self.n + c
        return nxt, (nxt == self.goal).astype(float), nxt == self.goal


class QAgent:
    def __init__(self, n_states, n_actions, alpha=0.5, gamma=0.9):
        self.Q = np.zeros((n_states, n_actions))
        self.alpha, self.gamma = alpha, gamma

    def update(self, s, a, r, s2):
        td = r + self.gamma * self.Q[s2].max() - self.Q[s, a]
        self.Q[s, a] += self.alpha * td
        return td


def batch_from_namedtuples(transitions):
    batch = Transition(*zip(*transitions))
    states = np.array(batch.state)
    rewards = np.array(batch.reward)
    dones = np.array(batch.done, dtype=float)
    return states, rewards, dones, np.array(batch.action)


def masked_argmax(q, valid):
    q = q.copy()
    q[~valid] = -np.inf
    return np.argmax(q, axis=-1)


def masked_softmax_policy(logits, mask):
    logits = np.where(mask, logits, -1e9)
    z = np.exp(logits - logits.max(axis=-1, keepdims=True)) * mask
    return z / z.sum(axis=-1, keepdims=True)


def nan_masked_argmax(q, valid):
    return np.nanargmax(np.where(valid, q, np.nan), axis=1)


def epsilon_decay(epsilon, decay=0.995, eps_min=0.01):
    epsilon = max(eps_min, epsilon * decay)
    return epsilon, np.full(3, epsilon)


def float32_q_table(Q, s, a, r, alpha=0.1, gamma=0.99):
    Q = Q.astype(np.float32)
    Q[s, a] += alpha * (r + gamma * np.max(Q[s]) - Q[s, a])
    return Q


def augmented_integral_lqr(A, B, C):
    n, m = B.shape
    p = C.shape[0]
    Aa = np.block([[A, np.zeros((n, p))], [-C, np.eye(p)]])
    Ba = np.vstack([B, np.zeros((p, m))])
    return Aa, Ba


def expm_eig(A, t=0.5):
    w, V = np.linalg.eig(A * t)
    return np.real(V @ np.diag(np.exp(w)) @ np.linalg.inv(V))


def ppo_minibatches(rng, obs, adv, n_epochs=2, mb=3):
    N = len(obs)
    total = np.zeros(obs.shape[1])
    for _ in range(n_epochs):
        inds = rng.permutation(N)
        for start in range(0, N, mb):
            idx = inds[start:start + mb]
            total += (obs[idx] * adv[idx, None]).mean(axis=0)
    return total


def ppo_shuffle_inplace(rng, obs, n_epochs=2, mb=4):
    inds = np.arange(len(obs))
    out = []
    for _ in range(n_epochs):
        rng.shuffle(inds)
        for start in range(0, len(obs), mb):
            out.append(obs[inds[start:start + mb]].sum())
    return np.array(out)


def random_tie_break(rng, q):
    return rng.choice(np.flatnonzero(q == q.max()))


def grid_pad_walls(V, walls, gamma=0.9, n_iter=4):
    for _ in range(n_iter):
        Vp = np.pad(np.where(walls, -np.inf, V), 1, constant_values=-np.inf)
        best = np.maximum.reduce([Vp[:-2, 1:-1], Vp[2:, 1:-1], Vp[1:-1, :-2], Vp[1:-1, 2:]])
        V = np.where(walls, 0.0, -1.0 + gamma * np.where(np.isfinite(best), best, 0.0))
    return V


def manhattan_heuristic(goal, n=5):
    rr, cc = np.indices((n, n))
    return np.abs(rr - goal[0]) + np.abs(cc - goal[1])


def obs_dict_features(obs):
    pos, vel = obs["position"], obs["velocity"]
    return np.concatenate([pos, vel, [np.linalg.norm(pos)]])


def count_based_bonus(counts, s, beta=0.1):
    counts[s] += 1
    return beta / np.sqrt(counts[s])


def uct_select(N_parent, N_child, W_child, c=1.4):
    q = np.divide(W_child, N_child, out=np.zeros_like(W_child), where=N_child > 0)
    u = c * np.sqrt(np.log(N_parent) / np.maximum(N_child, 1))
    u = np.where(N_child == 0, np.inf, u)
    return np.argmax(q + u)


def puct_scores(P, N, W, c_puct=1.5):
    Q = np.where(N > 0, W / np.maximum(N, 1), 0.0)
    U = c_puct * P * np.sqrt(N.sum()) / (1 + N)
    return Q + U, np.argmax(Q + U)


def dirichlet_root_noise(rng, priors, alpha=0.3, frac=0.25):
    noise = rng.dirichlet([alpha] * len(priors))
    return (1 - frac) * priors + frac * noise


def cem_update(rng, mu, sigma, n_samples=20, elite_frac=0.2):
    samples = rng.normal(mu, sigma, size=(n_samples, len(mu)))
    scores = -np.sum((samples - 1.0) ** 2, axis=1)
    n_elite = int(n_samples * elite_frac)
    elite = samples[np.argsort(scores)[-n_elite:]]
    return elite.mean(axis=0), elite.std(axis=0)


def _valid(s, n):
    return np.c_[np.ones(n, bool), _i(2, n, 2, seed=s).astype(bool)]


AGENTS = {
    "batch_from_namedtuples": (batch_from_namedtuples, {},
                               lambda s, n: ([Transition(_f(3, seed=s + i), i % 2, float(i), _f(3, seed=s + i + 1),
                                                         i == n - 1) for i in range(n)],)),
    "masked_argmax": (masked_argmax, {}, lambda s, n: (_f(n, 3, seed=s), _valid(s, n))),
    "masked_softmax_policy": (masked_softmax_policy, {}, lambda s, n: (_f(n, 3, seed=s), _valid(s, n))),
    "nan_masked_argmax": (nan_masked_argmax, {}, lambda s, n: (_f(n, 3, seed=s), _valid(s, n))),
    "float32_q_table": (float32_q_table, {}, lambda s, n: (_f(n, 3, seed=s), s % n, 2, 1.5)),
    "augmented_integral_lqr": (augmented_integral_lqr, {},
                               lambda s, n: (_f(n, n, seed=s), _f(n, 1, seed=s), _f(1, n, seed=s))),
    "expm_eig": (expm_eig, {}, lambda s, n: (_f(n, n, seed=s) + np.diag(np.arange(n)),)),
    "grid_pad_walls": (grid_pad_walls, {}, lambda s, n: (_f(n, n, seed=s), _i(4, n, n, seed=s) == 0)),
    "manhattan_heuristic": (manhattan_heuristic, {}, lambda s, n: (np.array([s, n - 1]),)),
    "obs_dict_features": (obs_dict_features, {},
                          lambda s, n: ({"position": _f(n, seed=s), "velocity": _f(2, seed=s)},)),
    "count_based_bonus": (count_based_bonus, {}, lambda s, n: (_i(3, n, seed=s), s % n)),
    "uct_select": (uct_select, {}, lambda s, n: (10.0 * s, _i(3, n, seed=s) * 1.0, _f(n, seed=s))),
    "puct_scores": (puct_scores, {}, lambda s, n: (_stochastic(s, n)[0], _i(3, n, seed=s) * 1.0, _f(n, seed=s))),
}


@pytest.mark.parametrize("name", list(AGENTS))
def test_agent_plumbing_and_search_scores_match_numpy(name):
    """Namedtuple transition batches, invalid-action masks (`q[~valid] = -np.inf`), float32
    Q tables, `np.block` augmented systems, matrix exponentials by eigendecomposition, walls
    padded with -inf, dict observations, count bonuses, UCT and PUCT scores."""
    check_like_numpy(*AGENTS[name])


def test_methods_of_an_environment_and_an_agent():
    """`jit(env.step_vec)` reads attributes of `self`; `jit(agent.update)` writes
    `self.Q[s, a] += ...` into the agent's table, as NumPy's method does."""
    env = GridEnv(4)
    check_like_numpy(env.step_vec, {}, lambda s, n: (_i(16, n, seed=s), _i(4, n, seed=s + 1)))
    agent, want = QAgent(4, 2), QAgent(4, 2)
    update = tracenp.jit(agent.update)
    for t in range(5):
        assert_same(update(t % 4, t % 2, 1.0, (t + 1) % 4), want.update(t % 4, t % 2, 1.0, (t + 1) % 4))
        assert_same(agent.Q, want.Q)


def test_an_epsilon_argument_decayed_by_builtin_max_is_made_static():
    """`max(eps_min, epsilon * decay)` of a Python float argument: made static."""
    check_steered(epsilon_decay, lambda s: (0.5 / s,))


def tie_break_generator(rng, q):
    return rng.choice(np.flatnonzero(q == q.max()))


def tie_break_rows(rng, Q):
    return np.array([rng.choice(np.flatnonzero(row == row.max())) for row in Q])


def tie_break_global(q):
    return np.random.choice(np.flatnonzero(q == np.max(q)))


def tie_break_random_state(rs, q, k=3):
    return rs.choice(np.where(q >= q.mean())[0], size=k)


def random_positive_row(rng, X, y):
    return rng.choice(X[y > 0])


SAMPLED_MORE = [
    (ppo_minibatches, lambda: (_f(8, 2), _f(8))),
    (ppo_shuffle_inplace, lambda: (_f(8, 2),)),
    (dirichlet_root_noise, lambda: (np.array([0.2, 0.5, 0.3]),)),
    (cem_update, lambda: (_f(3), _f(3, positive=True))),
    (tie_break_generator, lambda: (np.array([1.0, 3.0, 3.0, 0.0, 3.0]),)),
    (tie_break_rows, lambda: (_i(3, 4, 5) * 1.0,)),
    (random_positive_row, lambda: (_f(6, 2), _f(6))),
]


@pytest.mark.parametrize("fn, make", SAMPLED_MORE, ids=[f.__name__ for f, _ in SAMPLED_MORE])
def test_minibatches_noise_and_random_tie_breaks_with_a_generator_argument(fn, make):
    """PPO minibatches by `permutation`/`shuffle`, Dirichlet root noise, the cross-entropy
    method, and `rng.choice(np.flatnonzero(q == q.max()))`, the random tie-break of greedy
    actions, which was refused (DataDependentShapeError): NumPy draws `integers(0, k)` for
    the k selected elements and indexes with it. NumPy's draws, values and generator state
    over three calls."""
    want_rng, got_rng = np.random.default_rng(13), np.random.default_rng(13)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *make()), fn(want_rng, *make()))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_random_tie_breaks_of_the_legacy_generators():
    """`np.random.choice(np.flatnonzero(...))` and `RandomState.choice(np.where(...)[0],
    size=k)` draw `randint(0, k)` as NumPy does: its numbers and global state."""
    q = np.array([2.0, 1.0, 2.0, 2.0, 0.5])
    jf = tracenp.jit(tie_break_global)
    np.random.seed(4)
    got = [jf(q) for _ in range(4)]
    state = np.random.get_state()[1].copy()
    np.random.seed(4)
    assert_same(got, [tie_break_global(q) for _ in range(4)])
    assert np.array_equal(np.random.get_state()[1], state)
    want_rs, got_rs = np.random.RandomState(2), np.random.RandomState(2)
    jr = tracenp.jit(tie_break_random_state)
    for _ in range(3):
        assert_same(jr(got_rs, q), tie_break_random_state(want_rs, q))


def test_choice_of_a_selection_otherwise_refused_and_empty_raises():
    """Without replacement, or with `p`, the draw needs the selection's length: refused by
    name. An empty selection raises NumPy's ValueError when the function runs."""
    for fn in (lambda rng, q: rng.choice(np.flatnonzero(q > 0), 2, replace=False),
               lambda rng, q: rng.choice(np.flatnonzero(q > 0), p=np.ones(2) / 2)):
        with pytest.raises(tracenp.errors.DataDependentShapeError):
            tracenp.jit(fn)(np.random.default_rng(0), _f(5))
    with pytest.raises(ValueError):
        tie_break_generator(np.random.default_rng(0), np.array([np.nan, 1.0]))
    with pytest.raises(ValueError):
        tracenp.jit(tie_break_generator)(np.random.default_rng(0), np.array([np.nan, 1.0]))


# ------------------------------------------------------------- reachability, paths, mixing

def reach_bool_matmul(A):
    A = A.astype(bool)
    R = A | np.eye(len(A), dtype=bool)
    for _ in range(3):
        R = R @ R
    return R, A @ A, np.linalg.matrix_power(A, 3), A.dot(A)


def bool_matvec_frontier(A, source=0):
    A = A > 0
    f = np.zeros(len(A), dtype=bool)
    f[source] = True
    return A.T @ f, A @ f.astype(int), np.dot(A, f)


def int_counts_add_at(states, actions, n=4):
    N = np.zeros((n, 2), dtype=np.int32)
    np.add.at(N, (states, actions), 1)
    return N, N.sum(), N / N.sum(axis=1, keepdims=True).clip(1)


def uint8_grid_counts(grid):
    g = grid.astype(np.uint8)
    nb = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return nb, nb.dtype


def float32_value_iteration(P, R, gamma=0.9, n_iter=10):
    P = P.astype(np.float32)
    R = R.astype(np.float32)
    V = np.zeros(P.shape[0], dtype=np.float32)
    for _ in range(n_iter):
        V = np.max(R + gamma * P @ V, axis=1)
    return V


def top_k_nodes(A, k=3):
    deg = A.sum(axis=0)
    return np.argsort(-deg, kind="stable")[:k], np.argpartition(-deg, k)[:k].size, np.sort(deg)[::-1][:k]


def pagerank_solve(A, d=0.85):
    n = len(A)
    out = A.sum(axis=1)
    M = (A / np.where(out == 0, 1, out)[:, None]).T
    return np.linalg.solve(np.eye(n) - d * M, (1 - d) / n * np.ones(n))


def controllability_svd(A, B):
    n = A.shape[0]
    C = np.hstack([np.linalg.matrix_power(A, k) @ B for k in range(n)])
    s = np.linalg.svd(C, compute_uv=False)
    return s, s.min() / s.max(), np.linalg.cond(C), np.linalg.norm(C, "fro")


def arrivals_counted(inter, t_grid):
    t = np.cumsum(inter)
    return np.searchsorted(t, t_grid, side="right"), t[-1]


def inf_distances_to_int(D):
    D = np.where(np.isinf(D), -1, D)
    return D.astype(int), (D >= 0).sum(axis=1)


def graph_diameter(D):
    finite = np.isfinite(D)
    return np.max(D[finite]), np.mean(D[finite & (D > 0)])


def eccentricity(D):
    return np.max(D, axis=1), np.argmin(np.max(D, axis=1))


def betweenness_from_counts(sigma, D):
    # pair dependencies through v: sigma_sv * sigma_vt / sigma_st when d_sv + d_vt == d_st
    n = len(D)
    bc = np.zeros(n)
    for v in range(n):
        on_path = np.isclose(D[:, v][:, None] + D[v, :][None, :], D) & (D > 0)
        frac = np.where(on_path, np.outer(sigma[:, v], sigma[v, :]) / np.where(sigma > 0, sigma, 1), 0.0)
        frac[v, :] = 0
        frac[:, v] = 0
        bc[v] = frac.sum() / 2
    return bc


def shortest_path_counts(A):
    n = len(A)
    D = np.full((n, n), np.inf)
    np.fill_diagonal(D, 0)
    sigma = np.eye(n)
    Ak = np.eye(n)
    for k in range(1, n):
        Ak = Ak @ A
        new = (Ak > 0) & np.isinf(D)
        D[new] = k
        sigma = np.where(new, Ak, sigma)
    return D, sigma


def degree_assortative_pairs(A):
    deg = A.sum(1)
    return np.outer(deg, deg)[np.triu(A, 1) > 0].mean()


def laplacian_heat_kernel(A, t=0.5):
    L = np.diag(A.sum(1)) - A
    w, V = np.linalg.eigh(L)
    return (V * np.exp(-t * w)) @ V.T


def normalized_cut(A, labels):
    vol = np.array([A[labels == c].sum() for c in range(2)])
    cut = A[np.ix_(labels == 0, labels == 1)].sum()
    return cut / vol[0] + cut / vol[1]


def mixing_time_tv(P, eps=0.25, t_max=20):
    pi = np.linalg.matrix_power(P, 200)[0]
    Pt = np.eye(len(P))
    tv = np.zeros(t_max)
    for t in range(t_max):
        Pt = Pt @ P
        tv[t] = 0.5 * np.abs(Pt - pi).sum(axis=1).max()
    return np.argmax(tv < eps), tv


def _dist(s, n, p=0.3):
    return floyd_warshall_newaxis(_adjacency(s, n, p=p))


NETWORKS = {
    "reach_bool_matmul": (reach_bool_matmul, {}, lambda s, n: (_adjacency(s, n, p=0.4),)),
    "bool_matvec_frontier": (bool_matvec_frontier, {}, lambda s, n: (_adjacency(s, n, p=0.4),)),
    "int_counts_add_at": (int_counts_add_at, {}, lambda s, n: (_i(4, 3 * n, seed=s), _i(2, 3 * n, seed=s + 1))),
    "uint8_grid_counts": (uint8_grid_counts, {}, lambda s, n: (_i(2, n, n + 1, seed=s),)),
    "float32_value_iteration": (float32_value_iteration, {}, lambda s, n: _mdp(s, n)),
    "top_k_nodes": (top_k_nodes, {}, lambda s, n: (_adjacency(s, n, p=0.4),)),
    "pagerank_solve": (pagerank_solve, {}, lambda s, n: (_adjacency(s, n, directed=True),)),
    "controllability_svd": (controllability_svd, {}, lambda s, n: (_stable(s, n), _f(n, 1, seed=s))),
    "arrivals_counted": (arrivals_counted, {},
                         lambda s, n: (_f(3 * n, positive=True, seed=s), np.linspace(0, 5, n))),
    "inf_distances_to_int": (inf_distances_to_int, {}, lambda s, n: (_dist(s, n),)),
    "graph_diameter": (graph_diameter, {}, lambda s, n: (_dist(s, n),)),
    "eccentricity": (eccentricity, {}, lambda s, n: (_dist(s, n, p=0.7),)),
    "shortest_path_counts": (shortest_path_counts, {}, lambda s, n: (_adjacency(s, n, p=0.5),)),
    "betweenness_from_counts": (betweenness_from_counts, {},
                                lambda s, n: shortest_path_counts(_adjacency(s, n, p=0.6))[::-1]),
    "degree_assortative_pairs": (degree_assortative_pairs, {}, lambda s, n: (_adjacency(s, n, p=0.6),)),
    "laplacian_heat_kernel": (laplacian_heat_kernel, {}, lambda s, n: (_adjacency(s, n, p=0.6),)),
    "mixing_time_tv": (mixing_time_tv, {}, lambda s, n: (_stochastic(s, n),)),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_reachability_counts_paths_and_mixing_match_numpy(name):
    """Boolean matrix products (NumPy's `bool @ bool` is an OR of ANDs), int32/uint8 counters,
    float32 value iteration, top-k by `argsort`/`argpartition`, SVD conditioning, infinite
    distances, path counts and betweenness by pair dependencies, heat kernels, mixing times."""
    check_like_numpy(*NETWORKS[name])


def test_cut_by_ix_of_two_traced_masks_is_refused():
    """`A[np.ix_(labels == 0, labels == 1)].sum()`, a normalized cut: the open mesh of two
    traced masks has a data-dependent shape; refused by name, NumPy's values under
    `fallback=True`."""
    check_refused(tracenp.errors.DataDependentShapeError, normalized_cut,
                  lambda s: (_adjacency(s, 6, p=0.6), np.arange(6) % 2))


# ----------------------------------------------------------------------- textbook reproductions

GOAL = 12
HEAD_PROB = 0.4


def gamblers_problem(state_value, sweeps=4):
    state_value = state_value.copy()
    for _ in range(sweeps):
        for state in range(1, GOAL):
            actions = np.arange(min(state, GOAL - state) + 1)
            action_returns = []
            for action in actions:
                action_returns.append(HEAD_PROB * state_value[state + action]
                                      + (1 - HEAD_PROB) * state_value[state - action])
            state_value[state] = np.max(action_returns)
    policy = np.zeros(GOAL + 1)
    for state in range(1, GOAL):
        actions = np.arange(min(state, GOAL - state) + 1)
        action_returns = [HEAD_PROB * state_value[state + a] + (1 - HEAD_PROB) * state_value[state - a]
                          for a in actions]
        policy[state] = actions[np.argmax(np.round(action_returns[1:], 5)) + 1]
    return state_value, policy


MAX_CARS = 3
RENT = 10
MOVE_COST = 2
REQ = (3, 4)
RET = (3, 2)
poisson_cache = {}


def poisson_probability(n, lam):
    key = n * 10 + lam
    if key not in poisson_cache:
        poisson_cache[key] = math.exp(-lam) * lam ** n / math.factorial(n)
    return poisson_cache[key]


def expected_return(state, action, state_value, gamma=0.9):
    returns = -MOVE_COST * abs(action)
    first = min(state[0] - action, MAX_CARS)
    second = min(state[1] + action, MAX_CARS)
    for req1 in range(3):
        for req2 in range(3):
            prob = poisson_probability(req1, REQ[0]) * poisson_probability(req2, REQ[1])
            n1, n2 = first, second
            r1, r2 = min(n1, req1), min(n2, req2)
            reward = (r1 + r2) * RENT
            n1 -= r1
            n2 -= r2
            n1 = min(n1 + RET[0], MAX_CARS)
            n2 = min(n2 + RET[1], MAX_CARS)
            returns += prob * (reward + gamma * state_value[n1, n2])
    return returns


def jacks_car_rental_sweep(value, policy):
    new_value = np.zeros_like(value)
    for i in range(MAX_CARS + 1):
        for j in range(MAX_CARS + 1):
            new_value[i, j] = expected_return([i, j], policy[i, j], value)
    return new_value


class TenArmedTestbed:
    def __init__(self, k_arm=4, epsilon=0.0, step_size=0.1, ucb_param=None):
        self.k = k_arm
        self.step_size = step_size
        self.indices = np.arange(self.k)
        self.epsilon = epsilon
        self.ucb_param = ucb_param

    def reset(self, q_true):
        self.q_true = q_true
        self.q_estimation = np.zeros(self.k)
        self.action_count = np.zeros(self.k)
        self.time = 0

    def act(self):
        if self.ucb_param is not None:
            UCB_estimation = self.q_estimation + \
                self.ucb_param * np.sqrt(np.log(self.time + 1) / (self.action_count + 1e-5))
            q_best = np.max(UCB_estimation)
            return np.argmax(UCB_estimation == q_best)
        return np.argmax(self.q_estimation)

    def step(self, action, noise):
        reward = noise + self.q_true[action]
        self.time += 1
        self.action_count[action] += 1
        self.q_estimation[action] += self.step_size * (reward - self.q_estimation[action])
        return reward


def bandit_testbed_run(q_true, noises, ucb=2.0):
    bandit = TenArmedTestbed(k_arm=len(q_true), ucb_param=ucb)
    bandit.reset(q_true)
    rewards = np.zeros(len(noises))
    for t in range(len(noises)):
        a = bandit.act()
        rewards[t] = bandit.step(a, noises[t])
    return rewards, bandit.q_estimation, bandit.action_count


WORLD = 5
A_POS, A_PRIME = [0, 1], [4, 1]
B_POS, B_PRIME = [0, 3], [2, 3]
ACTIONS = [np.array([0, -1]), np.array([-1, 0]), np.array([0, 1]), np.array([1, 0])]


def grid_step(state, action):
    if state == A_POS:
        return A_PRIME, 10
    if state == B_POS:
        return B_PRIME, 5
    next_state = (np.array(state) + action).tolist()
    x, y = next_state
    if x < 0 or x >= WORLD or y < 0 or y >= WORLD:
        return state, -1.0
    return next_state, 0


def figure_3_2(value, discount=0.9, sweeps=3):
    for _ in range(sweeps):
        new_value = np.zeros_like(value)
        for i in range(WORLD):
            for j in range(WORLD):
                for action in ACTIONS:
                    (next_i, next_j), reward = grid_step([i, j], action)
                    new_value[i, j] += 0.25 * (reward + discount * value[next_i, next_j])
        value = new_value
    return value


def figure_3_5_optimal(value, discount=0.9, sweeps=3):
    for _ in range(sweeps):
        new_value = np.zeros_like(value)
        for i in range(WORLD):
            for j in range(WORLD):
                values = []
                for action in ACTIONS:
                    (next_i, next_j), reward = grid_step([i, j], action)
                    values.append(reward + discount * value[next_i, next_j])
                new_value[i, j] = np.max(values)
        value = new_value
    return value


SUTTON_BARTO = {
    "gamblers_problem": (gamblers_problem, {}, lambda s, n: (np.r_[np.zeros(GOAL), 1.0] + 0.01 * s,)),
    "bandit_testbed_run": (bandit_testbed_run, {}, lambda s, n: (_f(4, seed=s), _f(3 * n, seed=s + 1))),
    "figure_3_2": (figure_3_2, {}, lambda s, n: (_f(5, 5, seed=s),)),
    "figure_3_5_optimal": (figure_3_5_optimal, {}, lambda s, n: (_f(5, 5, seed=s),)),
}


@pytest.mark.parametrize("name", list(SUTTON_BARTO))
def test_textbook_reproductions_match_numpy(name):
    """Sutton and Barto reproductions as their public code writes them: the gambler's problem
    (`np.max` of a list of traced returns, `np.round(action_returns[1:], 5)`), a bandit class
    whose `act`/`step` methods keep `self` arrays (UCB by `np.argmax(ucb == q_best)`), and
    the 5x5 gridworld of figures 3.2 and 3.5 (Python-list states compared with `==`)."""
    check_like_numpy(*SUTTON_BARTO[name])


def test_jacks_car_rental_with_a_traced_policy_matches_numpy():
    """`min(state[0] - action, MAX_CARS)` with the action read from a traced policy array,
    then `state_value[n1, n2]` at the traced counts: NumPy's values (refused until the builtin
    `min` of traced scalars traced)."""
    check_steered(jacks_car_rental_sweep, lambda s: (_f(4, 4, seed=s), _i(3, 4, 4, seed=s) - 1))


# ----------------------------------------------------------- identification, LP and routing

def arx_identification(u, y, na=2, nb=2):
    n = max(na, nb)
    rows = [np.concatenate([-y[t - na:t][::-1], u[t - nb:t][::-1]]) for t in range(n, len(y))]
    Phi = np.array(rows)
    theta, *_ = np.linalg.lstsq(Phi, y[n:], rcond=None)
    return theta, np.linalg.norm(Phi @ theta - y[n:])


def hankel_ho_kalman(h, n=2):
    m = (len(h) - 1) // 2
    H = np.array([[h[i + j + 1] for j in range(m)] for i in range(m)])
    U, s, Vt = np.linalg.svd(H)
    return s[:n], U[:, :n] * np.sqrt(s[:n])


def lp_big_m_tableau(c, A, b, M=100.0):
    m, n = A.shape
    T = np.hstack([A, np.eye(m), b[:, None]])
    obj = np.concatenate([-c, np.full(m, M), [0.0]])
    obj = obj - M * T.sum(axis=0) * np.r_[np.ones(n), np.zeros(m), 1.0]
    return np.vstack([T, obj])


def interior_point_barrier(c, A, b, t=10.0, n_steps=15, lr=0.01):
    x = np.full(A.shape[1], 0.1)
    for _ in range(n_steps):
        slack = b - A @ x
        grad = t * c + A.T @ (1.0 / slack) - 1.0 / x
        x = np.maximum(x - lr * grad, 1e-6)
    return x, c @ x


def knapsack_greedy_ratio(weights, values, capacity=10.0):
    order = np.argsort(-values / weights, kind="stable")
    w = weights[order]
    cum = np.cumsum(w)
    take = cum <= capacity
    frac = np.clip((capacity - np.concatenate([[0.0], cum[:-1]])) / w, 0, 1)
    return order[take], values[order][take].sum(), (values[order] * frac).sum()


def knapsack_2d_vectorized(weights, values, capacity=10):
    n = len(weights)
    dp = np.zeros((n + 1, capacity + 1))
    caps = np.arange(capacity + 1)
    for i in range(1, n + 1):
        w, v = weights[i - 1], values[i - 1]
        prev = dp[i - 1]
        shifted = np.where(caps >= w, prev[np.maximum(caps - w, 0)] + v, -np.inf)
        dp[i] = np.maximum(prev, shifted)
    return dp[n, capacity], dp


def event_queue_simulation(arrivals, services, n_servers=2):
    free_at = np.zeros(n_servers)
    waits = np.zeros(len(arrivals))
    for i in range(len(arrivals)):
        k = np.argmin(free_at)
        start = np.maximum(arrivals[i], free_at[k])
        waits[i] = start - arrivals[i]
        free_at[k] = start + services[i]
    return waits, free_at


def vehicle_savings(D):
    n = D.shape[0]
    S = D[0, :, None] + D[0, None, :] - D
    S[np.arange(n), np.arange(n)] = 0
    S[0, :] = 0
    S[:, 0] = 0
    iu = np.triu_indices(n, 1)
    order = np.argsort(-S[iu], kind="stable")
    return iu[0][order], iu[1][order], S[iu][order]


def p_median_cost(D, facilities):
    return D[:, facilities].min(axis=1).sum(), np.argmin(D[:, facilities], axis=1)


def set_cover_greedy(U, n_pick=3):
    covered = np.zeros(U.shape[1], dtype=bool)
    picks = np.zeros(n_pick, dtype=int)
    for t in range(n_pick):
        gain = (U & ~covered).sum(axis=1)
        picks[t] = np.argmax(gain)
        covered |= U[picks[t]]
    return picks, covered.mean()


def markov_decision_lp_dual(P, R, gamma=0.9):
    # occupancy-measure constraints matrix for the dual LP
    nS, nA = R.shape
    E = np.repeat(np.eye(nS), nA, axis=0)
    Pm = P.reshape(nS * nA, nS)
    return (E - gamma * Pm).T, R.reshape(-1)


def controllability_staircase_rank(A, B, tol=1e-9):
    n = A.shape[0]
    C = B
    ranks = []
    for k in range(n):
        ranks.append(np.linalg.matrix_rank(C, tol=tol))
        C = np.hstack([C, np.linalg.matrix_power(A, k + 1) @ B])
    return np.array(ranks)


def discrete_pole_from_continuous(p, dt=0.1):
    z = np.exp(p * dt)
    return z, np.abs(z) < 1, np.angle(z)


def zoh_step_response(a, b, dt=0.05, n=20):
    ad = np.exp(a * dt)
    bd = b / a * (ad - 1)
    y = np.zeros(n)
    for k in range(1, n):
        y[k] = ad * y[k - 1] + bd
    return y


def knapsack_greedy_value(weights, values, capacity=10.0):
    _, whole, fractional = knapsack_greedy_ratio(weights, values, capacity)
    return whole, fractional


PROGRAMS = {
    "arx_identification": (arx_identification, {}, lambda s, n: (_f(4 * n, seed=s), _f(4 * n, seed=s + 1))),
    "hankel_ho_kalman": (hankel_ho_kalman, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "lp_big_m_tableau": (lp_big_m_tableau, {},
                         lambda s, n: (_f(n, seed=s), _f(2, n, positive=True, seed=s), _f(2, positive=True, seed=s))),
    "interior_point_barrier": (interior_point_barrier, {},
                               lambda s, n: (_f(n, positive=True, seed=s), _f(2, n, positive=True, seed=s),
                                             np.full(2, 5.0))),
    "knapsack_greedy_value": (knapsack_greedy_value, {},
                              lambda s, n: (_f(n, positive=True, seed=s) * 4, _f(n, positive=True, seed=s + 1))),
    "knapsack_2d_vectorized": (knapsack_2d_vectorized, {},
                               lambda s, n: (_i(5, n, seed=s) + 1, _f(n, positive=True, seed=s))),
    "event_queue_simulation": (event_queue_simulation, {},
                               lambda s, n: (np.cumsum(_f(2 * n, positive=True, seed=s)),
                                             _f(2 * n, positive=True, seed=s + 1) * 2)),
    "vehicle_savings": (vehicle_savings, {}, lambda s, n: (tsp_distance_matrix(_f(n, 2, seed=s)),)),
    "p_median_cost": (p_median_cost, {},
                      lambda s, n: (tsp_distance_matrix(_f(n, 2, seed=s)), np.array([0, s % n]))),
    "set_cover_greedy": (set_cover_greedy, {}, lambda s, n: (_i(2, n, 7, seed=s).astype(bool),)),
    "markov_decision_lp_dual": (markov_decision_lp_dual, {}, lambda s, n: _mdp(s, n)),
    "controllability_staircase_rank": (controllability_staircase_rank, {},
                                       lambda s, n: (_stable(s, n), _f(n, 1, seed=s))),
    "discrete_pole_from_continuous": (discrete_pole_from_continuous, {},
                                      lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "zoh_step_response": (zoh_step_response, {}, lambda s, n: (-0.5 * s, 2.0)),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_identification_lp_and_routing_helpers_match_numpy(name):
    """ARX least squares from a list of regressor rows, Ho-Kalman SVD, big-M tableaux, a log
    barrier, greedy and vectorized knapsacks, multi-server queues, Clarke-Wright savings
    (`iu[0][order]` of `np.triu_indices` raised ConcretizationError: NumPy built the index
    arrays and its own indexing met the traced order), p-median, set cover, the MDP dual LP,
    rank staircases, discretized poles."""
    check_like_numpy(*PROGRAMS[name])


def test_index_helpers_made_in_the_function_are_graph_constants():
    """`np.triu_indices`, `np.tril_indices`, `np.diag_indices` made inside and indexed by, or
    combined with, traced values: NumPy's values; `n` from a Python int is made static."""
    def fn(A, n):
        iu = np.triu_indices(n, 1)
        il = np.tril_indices(len(A), -1, 3)
        d = np.diag_indices(len(A))
        A = A.copy()
        A[d] = 0
        A[il] = A.T[il]
        order = np.argsort(-A[iu], kind="stable")
        return A[iu], iu[0][order], il[1][np.argmax(A[il])], A

    check_steered(fn, lambda s: (_f(4, 4, seed=s), 2 + s))


def test_greedy_knapsack_returning_its_items_is_refused():
    """`order[take]`, the items a greedy knapsack keeps, has a data-dependent length: refused
    by name, NumPy's values under `fallback=True`."""
    check_refused(tracenp.errors.DataDependentShapeError, knapsack_greedy_ratio,
                  lambda s: (_f(5, positive=True, seed=s) * 4, _f(5, positive=True, seed=s + 1)))


# --------------------------------------------------------------- continuous control policies

class EpsAgent:
    def __init__(self, n_actions, eps=0.1, seed=0):
        self.rng = np.random.default_rng(seed)
        self.eps = eps
        self.n_actions = n_actions

    def act(self, q):
        if self.rng.random() < self.eps:
            return self.rng.integers(self.n_actions)
        return np.argmax(q)

    def act_vectorized(self, q):
        explore = self.rng.random(q.shape[0]) < self.eps
        return np.where(explore, self.rng.integers(0, self.n_actions, q.shape[0]), q.argmax(axis=1))


def gaussian_policy_sample(rng, obs, W, log_std):
    mu = np.tanh(obs @ W)
    std = np.exp(log_std)
    a = rng.normal(mu, std)
    logp = -0.5 * (((a - mu) / std) ** 2 + 2 * log_std + np.log(2 * np.pi)).sum(axis=-1)
    return np.clip(a, -1, 1), logp


def ou_noise(rng, x, theta=0.15, mu=0.0, sigma=0.2, dt=1e-2, n_steps=10):
    out = []
    for _ in range(n_steps):
        x = x + theta * (mu - x) * dt + sigma * np.sqrt(dt) * rng.standard_normal(x.shape)
        out.append(x)
    return np.array(out)


def evolution_strategies_step(rng, theta, sigma=0.1, lr=0.02, n_pop=8):
    eps = rng.standard_normal((n_pop, theta.size))
    rewards = -np.sum((theta + sigma * eps - 1.0) ** 2, axis=1)
    A = (rewards - rewards.mean()) / (rewards.std() + 1e-8)
    return theta + lr / (n_pop * sigma) * eps.T @ A


def noisy_bellman(rng, P, R, gamma=0.9, n_iter=5):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        noise = rng.normal(0, 0.01, size=R.shape)
        V = np.max(R + noise + gamma * P @ V, axis=1)
    return V


CONTINUOUS = [
    (gaussian_policy_sample, lambda: (_f(5, 3), _f(3, 2), np.array([-1.0, -0.5]))),
    (ou_noise, lambda: (np.zeros(2),)),
    (evolution_strategies_step, lambda: (_f(3),)),
    (noisy_bellman, lambda: _mdp(1, 4)),
]


@pytest.mark.parametrize("fn, make", CONTINUOUS, ids=[f.__name__ for f, _ in CONTINUOUS])
def test_continuous_actions_and_noise_with_a_generator_argument(fn, make):
    """Gaussian policies (`rng.normal(mu, std)` of a traced mean), Ornstein-Uhlenbeck noise,
    evolution strategies and noisy Bellman backups: NumPy's draws, values and generator
    state over three calls."""
    want_rng, got_rng = np.random.default_rng(17), np.random.default_rng(17)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *make()), fn(want_rng, *make()))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_an_agents_own_generator():
    """`self.rng` of an agent whose method is jitted: the vectorized epsilon-greedy draws at
    each call (NumPy's actions and generator state); `if self.rng.random() < self.eps:` is
    refused (ConcretizationError), and under `fallback=True` the agent's generator is left
    where NumPy's run leaves it."""
    for method, q_of in (("act_vectorized", lambda i: _f(4, 3, seed=i)), ("act", lambda i: _f(3, seed=i))):
        got, want = EpsAgent(3, 0.5), EpsAgent(3, 0.5)
        jf = tracenp.jit(getattr(got, method), fallback=method == "act")
        for i in range(4):
            with pytest.warns(tracenp.TracingFallbackWarning) if method == "act" and i == 0 \
                    else contextlib.nullcontext():
                assert_same(jf(q_of(i)), getattr(want, method)(q_of(i)))
            assert got.rng.bit_generator.state == want.rng.bit_generator.state
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(EpsAgent(3, 0.5).act)(_f(3))


# ------------------------------------------------------------------------------- edge values

def greedy_with_nan_values(Q):
    return np.argmax(Q, axis=1), np.max(Q, axis=1), np.nanmax(Q, axis=1), np.argmin(Q, axis=0)


def torus_neighbors(states, n=4):
    r, c = states // n, states % n
    up = ((r - 1) % n) * n + c
    left = r * n + (c - 1) % n
    dr, mr = np.divmod(states - 5, n)
    return up, left, dr, mr, np.floor_divide(-states, 3), np.fmod(-states, 3)


def discretize_round(x, bins=0.5):
    return np.round(x / bins).astype(int), np.trunc(x).astype(np.int64), np.rint(x * 2.5)


def reward_clip_sign(r):
    return np.sign(r), np.sign(np.round(r)), np.clip(r.astype(np.int32), -1, 1.5)


def floyd_with_negative_inf(W):
    D = W.copy()
    for k in range(len(D)):
        D = np.minimum(D, D[:, k, None] + D[None, k, :])
    return D, np.fmin(D, 0.0), np.isnan(D).sum()


def log_policy_zero_probs(pi):
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(pi)
        ent = -np.sum(np.where(pi > 0, pi * logp, 0.0), axis=1)
        kl = np.sum(pi * (logp - np.log(1.0 / pi.shape[1])), axis=1)
    return logp, ent, kl


def int8_visit_counter(states, n=4):
    c = np.zeros(n, dtype=np.int8)
    for s in states:
        c[s] += 50
    return c


def searchsorted_cdf_with_ties(p, u):
    cdf = np.cumsum(p)
    return np.searchsorted(cdf, u), np.searchsorted(cdf, u, side="right"), np.digitize(u, cdf)


def argmax_all_inf(Q):
    Q = np.where(Q > 0.5, -np.inf, Q)
    Q[0] = -np.inf
    return np.argmax(Q, axis=1), Q.max(axis=1)


def masked_mean_empty(x, m):
    with np.errstate(invalid="ignore"):
        return np.mean(x[m]), x[m].sum(), np.count_nonzero(m)


def minimum_with_nan(a, b):
    return np.minimum(a, b), np.fmin(a, b), np.maximum.reduce([a, b, a * 2])


def _nan_q(s, n):
    Q = _f(n, 3, seed=s)
    Q[1, 1] = np.nan
    Q[n - 1] = np.nan
    return Q


def _negative_infinity(s, n):
    W = _weights(s, n)
    W[0, 1] = -np.inf
    return W


def _policy_with_zeros(s, n):
    p = _stochastic(s, n)[:, :2]
    return np.c_[np.zeros(n), p / p.sum(axis=1, keepdims=True)]


EDGES = {
    "greedy_with_nan_values": (greedy_with_nan_values, {}, lambda s, n: (_nan_q(s, n),)),
    "torus_neighbors": (torus_neighbors, {}, lambda s, n: (_i(16, 2 * n, seed=s),)),
    "discretize_round": (discretize_round, {},
                         lambda s, n: (np.r_[0.25, 0.75, -0.25, -1.25, 2.5, _f(n, seed=s) * 3],)),
    "reward_clip_sign": (reward_clip_sign, {},
                         lambda s, n: (np.r_[0.0, -0.0, 0.5, -0.5, 1.5, _f(n, seed=s) * 3],)),
    "floyd_with_negative_inf": (floyd_with_negative_inf, {}, lambda s, n: (_negative_infinity(s, n),)),
    "log_policy_zero_probs": (log_policy_zero_probs, {}, lambda s, n: (_policy_with_zeros(s, n),)),
    "int8_visit_counter": (int8_visit_counter, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "searchsorted_cdf_with_ties": (searchsorted_cdf_with_ties, {},
                                   lambda s, n: (np.r_[0.25, 0.0, 0.25, 0.5],
                                                 np.r_[0.0, 0.25, 0.5, 1.0, _f(n, positive=True, seed=s) / 2])),
    "argmax_all_inf": (argmax_all_inf, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "masked_mean_empty": (masked_mean_empty, {},
                          lambda s, n: (_f(n, seed=s), _f(n, seed=s) > (2 if s == 2 else 0))),
    "minimum_with_nan": (minimum_with_nan, {},
                         lambda s, n: (np.r_[np.nan, 1.0, _f(n, seed=s)], np.r_[0.0, np.nan, _f(n, seed=s + 1)])),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(EDGES))
def test_nan_infinity_rounding_and_wraparound_edges_match_numpy(name):
    """Greedy actions over NaN values (NumPy's argmax picks the first NaN), torus wrap-around
    by `%` and `np.divmod` of negatives, round-half-even discretization, signs of -0.0,
    Floyd-Warshall through -inf (nan from inf - inf), log of zero probabilities, int8 visit
    counters that wrap, CDF ties in `searchsorted`, rows of -inf, an empty masked mean."""
    check_like_numpy(*EDGES[name])


# ------------------------------------------------------------------------------------ gradients


def reinforce_loss(theta, features, actions, returns):
    logits = features @ theta
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(actions)), actions] * returns)


def lqr_rollout_cost(K, A, B, x0, n_steps=10):
    x = x0
    cost = 0.0
    for _ in range(n_steps):
        u = -K @ x
        cost = cost + x @ x + 0.1 * u @ u
        x = A @ x + B @ u
    return cost


def soft_value_sum(R, P, gamma=0.9, n_iter=10):
    V = np.zeros(P.shape[0])
    for _ in range(n_iter):
        Q = R + gamma * P @ V
        m = Q.max(axis=1, keepdims=True)
        V = (m + np.log(np.exp(Q - m).sum(axis=1, keepdims=True)))[:, 0]
    return V.sum()


def ppo_objective(logp_new, logp_old, adv, clip=0.2):
    ratio = np.exp(logp_new - logp_old)
    return -np.mean(np.minimum(ratio * adv, np.clip(ratio, 1 - clip, 1 + clip) * adv))


def sinkhorn_cost(C, a, b, reg=0.5, n_iter=30):
    K = np.exp(-C / reg)
    v = np.ones_like(b)
    for _ in range(n_iter):
        u = a / (K @ v)
        v = b / (K.T @ u)
    return np.sum(u[:, None] * K * v[None, :] * C)


def mean_squared_td_error(w, phi, rewards, gamma=0.9):
    v = phi @ w
    delta = rewards + gamma * v[1:] - v[:-1]
    return 0.5 * np.mean(delta ** 2)


def actor_critic_losses(params, obs, actions, returns):
    logits = obs @ params["pi"]
    values = obs @ params["v"]
    adv = returns - values
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    chosen = np.take_along_axis(logp, actions[:, None], axis=1)[:, 0]
    return -np.mean(chosen * adv) + 0.5 * np.mean(adv ** 2)


def pagerank_first(A, d=0.85, n_iter=20):
    n = A.shape[0]
    M = (A / A.sum(axis=1, keepdims=True)).T
    r = np.full(n, 1.0 / n)
    for _ in range(n_iter):
        r = d * M @ r + (1 - d) / n
    return r[0]


def riccati_trace(Q, A, B, n_iter=30):
    P = Q
    for _ in range(n_iter):
        S = 1.0 + B.T @ P @ B
        P = Q + A.T @ P @ A - (A.T @ P @ B) @ (B.T @ P @ A) / S
    return np.trace(P)


def kalman_nll(z, q=0.05, r=0.5):
    x, P, nll = 0.0, 1.0, 0.0
    for k in range(len(z)):
        P = P + q
        S = P + r
        nll = nll + 0.5 * (np.log(2 * np.pi * S) + (z[k] - x) ** 2 / S)
        K = P / S
        x = x + K * (z[k] - x)
        P = (1 - K) * P
    return nll


def _grad_args(seed):
    r = np.random.default_rng(seed)
    A = 0.5 * r.standard_normal((3, 3))
    P = r.uniform(size=(4, 2, 4))
    P /= P.sum(axis=-1, keepdims=True)
    return {
        "reinforce_loss": (reinforce_loss, (r.standard_normal((3, 2)), r.standard_normal((6, 3)),
                                            r.integers(0, 2, 6), r.standard_normal(6))),
        "lqr_rollout_cost": (lqr_rollout_cost, (0.1 * r.standard_normal((1, 3)), A,
                                                r.standard_normal((3, 1)), r.standard_normal(3))),
        "soft_value_sum": (soft_value_sum, (r.standard_normal((4, 2)), P)),
        "ppo_objective": (ppo_objective, (0.3 * r.standard_normal(6), 0.3 * r.standard_normal(6),
                                          r.standard_normal(6))),
        "sinkhorn_cost": (sinkhorn_cost, (r.uniform(0.5, 2, (3, 2)), np.full(3, 1 / 3), np.full(2, 0.5))),
        "mean_squared_td_error": (mean_squared_td_error, (r.standard_normal(3), r.standard_normal((7, 3)),
                                                          r.standard_normal(6))),
        "actor_critic_losses": (actor_critic_losses, ({"pi": r.standard_normal((3, 2)),
                                                       "v": r.standard_normal(3)},
                                                      r.standard_normal((5, 3)), r.integers(0, 2, 5),
                                                      r.standard_normal(5))),
        "pagerank_first": (pagerank_first, (r.uniform(0.1, 1.0, (4, 4)),)),
        "riccati_trace": (riccati_trace, (np.eye(3) + 0.1 * np.ones((3, 3)), A, r.standard_normal((3, 1)))),
        "kalman_nll": (kalman_nll, (r.standard_normal(6),)),
    }


@pytest.mark.parametrize("name", list(_grad_args(0)))
def test_policy_gradients_control_costs_and_transport_differentiate(name):
    """REINFORCE and actor-critic losses (dict parameters), an LQR rollout's cost in the gain,
    soft value iteration, the PPO clipped objective, Sinkhorn's transport cost, mean squared
    TD error, PageRank in the edge weights, a Riccati iteration, a Kalman filter's negative
    log likelihood: values against NumPy, gradients (plain and jitted) against central
    finite differences."""
    from test_grad_hunt_j import check_grads

    fn, args = _grad_args(3)[name]
    check_grads(fn, args)
