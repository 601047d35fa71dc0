"""Train a small MLP on scikit-learn's bundled digits, twice: with
`tracenp.jit(tracenp.value_and_grad(loss))`, and with the same NumPy forward pass plus a
hand-written backward pass. Same initialisation, same mini-batches, same SGD steps, so the
two runs should end with the same weights and the same test accuracy.

    python -m examples.train_digits        (or: python examples/train_digits.py)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

if not __package__:  # run as a script from a checkout: use the tracenp beside this folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tracenp  # noqa: E402

HIDDEN, BATCH, STEPS, LR, REG = 64, 128, 400, 0.2, 1e-4


def loss(params, x, labels):
    """Mean softmax cross-entropy of a tanh MLP, plus L2 on the weights."""
    h = np.tanh(x @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    l2 = np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)
    return -logp[np.arange(len(labels)), labels].mean() + 0.5 * REG * l2


def numpy_value_and_grad(params, x, labels):
    """The same loss with its backward pass written by hand."""
    n = len(labels)
    h = np.tanh(x @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    l2 = np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)
    value = -np.log(probs[np.arange(n), labels]).mean() + 0.5 * REG * l2
    dlogits = probs.copy()
    dlogits[np.arange(n), labels] -= 1
    dlogits /= n
    dh = dlogits @ params["W2"].T * (1 - h ** 2)
    grads = {"W2": h.T @ dlogits + REG * params["W2"], "b2": dlogits.sum(axis=0),
             "W1": x.T @ dh + REG * params["W1"], "b1": dh.sum(axis=0)}
    return value, grads


def accuracy(params, x, labels) -> float:
    h = np.tanh(x @ params["W1"] + params["b1"])
    return float(np.mean(np.argmax(h @ params["W2"] + params["b2"], axis=1) == labels))


def train(value_and_grad, params, x, labels, batches):
    """SGD over the given mini-batches: (params, losses, first-step s, mean later-step s)."""
    losses, times = [], []
    for idx in batches:
        t0 = time.perf_counter()
        value, grads = value_and_grad(params, x[idx], labels[idx])
        params = {k: params[k] - LR * grads[k] for k in params}
        times.append(time.perf_counter() - t0)
        losses.append(float(value))
    return params, losses, times[0], float(np.mean(times[1:]))


def main() -> None:
    digits = load_digits()
    x = digits.data / 16.0
    labels = digits.target
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    train_idx, test_idx = order[:1347], order[1347:]
    init = {"W1": rng.standard_normal((64, HIDDEN)) / 8.0, "b1": np.zeros(HIDDEN),
            "W2": rng.standard_normal((HIDDEN, 10)) / 8.0, "b2": np.zeros(10)}
    batches = [train_idx[rng.choice(len(train_idx), BATCH, replace=False)]
               for _ in range(STEPS)]

    runs = {
        "tracenp jit(value_and_grad)": tracenp.jit(tracenp.value_and_grad(loss)),
        "NumPy, hand-written backward": numpy_value_and_grad,
    }
    print(f"digits: {len(train_idx)} train / {len(test_idx)} test images, MLP 64-{HIDDEN}-10, "
          f"{STEPS} SGD steps of {BATCH}")
    print(f"{'':30s} {'test acc':>9s} {'last loss':>10s} {'ms/step':>8s} {'first step ms':>14s}")
    finals = []
    for name, vg in runs.items():
        params, losses, first, per_step = train(vg, dict(init), x, labels, batches)
        finals.append(params)
        acc = accuracy(params, x[test_idx], labels[test_idx])
        print(f"{name:30s} {acc:9.4f} {np.mean(losses[-20:]):10.4f} {per_step * 1e3:8.3f} "
              f"{first * 1e3:14.1f}")
    diff = max(float(np.max(np.abs(finals[0][k] - finals[1][k]))) for k in init)
    print(f"largest difference between the two runs' final weights: {diff:.2e}")


if __name__ == "__main__":
    main()
