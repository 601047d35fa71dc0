"""Real training losses, written the way public projects write them (autograd and JAX
examples, scikit-learn objectives, CS231n layers), differentiated with respect to arrays,
lists, tuples and dicts: value against eager NumPy, gradient against finite differences,
and the same through `jit(value_and_grad)`."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp import pytree

rng = np.random.default_rng(2026)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def numeric_grad_tree(loss, params, data, eps=1e-6):
    leaves, tree = pytree.flatten(params)
    grads = []
    for k, leaf in enumerate(leaves):
        g = np.zeros_like(leaf)
        for j in np.ndindex(np.shape(leaf)):
            vals = []
            for sign in (1, -1):
                bumped = [x.copy() for x in leaves]
                bumped[k][j] += sign * eps
                vals.append(loss(pytree.unflatten(tree, bumped), *data))
            g[j] = (vals[0] - vals[1]) / (2 * eps)
        grads.append(g)
    return grads


def check_loss(loss, params, *data, rtol=1e-5):
    want_value = loss(params, *data)
    for vg in (tracenp.value_and_grad(loss), tracenp.jit(tracenp.value_and_grad(loss))):
        value, g = vg(params, *data)
        np.testing.assert_allclose(value, want_value, rtol=1e-10)
        got_leaves, got_tree = pytree.flatten(g)
        want_leaves, want_tree = pytree.flatten(params)
        assert got_tree == want_tree, (got_tree, want_tree)
        for got, leaf, num in zip(got_leaves, want_leaves,
                                  numeric_grad_tree(loss, params, data)):
            assert got.dtype == leaf.dtype and got.shape == leaf.shape
            scale = max(1.0, float(np.abs(num).max(initial=0)))
            np.testing.assert_allclose(got, num, rtol=rtol, atol=1e-6 * scale)


LOSSES = {}


def loss_case(fn):
    LOSSES[fn.__name__] = fn
    return fn


# ----------------------------------------------------------------------------- classifiers


@loss_case
def softmax_cross_entropy():
    """CS231n `softmax_loss_vectorized`: log-softmax, then pick the correct class by index."""

    def loss(W, X, y, reg):
        scores = X.dot(W)
        scores -= np.max(scores, axis=1, keepdims=True)
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        n = X.shape[0]
        return -np.sum(np.log(probs[np.arange(n), y])) / n + reg * np.sum(W * W)

    return loss, normal(5, 4, scale=0.1), (normal(12, 5), rng.integers(0, 4, 12), 0.05)


@loss_case
def multiclass_svm_hinge():
    """CS231n `svm_loss_vectorized`, including the in-place zeroing of correct-class margins."""

    def loss(W, X, y, reg):
        n = X.shape[0]
        scores = X.dot(W)
        correct = scores[np.arange(n), y]
        margins = np.maximum(0, scores - correct[:, np.newaxis] + 1.0)
        margins[np.arange(n), y] = 0
        return np.sum(margins) / n + 0.5 * reg * np.sum(W * W)

    return loss, normal(5, 3, scale=0.3), (normal(10, 5), rng.integers(0, 3, 10), 0.1)


@loss_case
def logistic_regression():
    """autograd's `examples/logistic_regression.py`, parameters as a tuple (w, b)."""

    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2.0) + 1)

    def loss(params, inputs, targets):
        w, b = params
        preds = sigmoid(np.dot(inputs, w) + b)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -np.sum(np.log(label_probabilities))

    x = normal(20, 3)
    return loss, (normal(3), np.array(0.1)), (x, (x[:, 0] + x[:, 1] > 0).astype(float))


@loss_case
def mlp_tanh_list_of_tuples():
    """autograd's `examples/neural_net.py`: a list of (W, b) tuples, logsumexp normalization."""

    def logsumexp(x, axis):
        m = np.max(x, axis=axis, keepdims=True)
        return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))

    def neural_net_predict(params, inputs):
        for W, b in params:
            outputs = np.dot(inputs, W) + b
            inputs = np.tanh(outputs)
        return outputs - logsumexp(outputs, axis=1)

    def loss(params, inputs, targets):
        log_prior = -0.5 * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)
        return -(log_prior + np.sum(neural_net_predict(params, inputs) * targets)) / len(inputs)

    params = [(normal(4, 5, scale=0.5), normal(5, scale=0.1)),
              (normal(5, 3, scale=0.5), normal(3, scale=0.1))]
    return loss, params, (normal(8, 4), np.eye(3)[rng.integers(0, 3, 8)])


@loss_case
def mlp_relu_list_of_lists():
    """JAX's `examples/mnist_classifier_fromscratch.py`: relu layers, lists of [W, b]."""

    def predict(params, inputs):
        activations = inputs
        for w, b in params[:-1]:
            activations = np.maximum(0, np.dot(activations, w) + b)
        final_w, final_b = params[-1]
        logits = np.dot(activations, final_w) + final_b
        return logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))

    def loss(params, inputs, targets):
        return -np.mean(np.sum(predict(params, inputs) * targets, axis=1))

    params = [[normal(4, 6, scale=0.5), normal(6, scale=0.1)],
              [normal(6, 3, scale=0.5), normal(3, scale=0.1)]]
    return loss, params, (normal(10, 4), np.eye(3)[rng.integers(0, 3, 10)])


# ----------------------------------------------------------------------------- layers


@loss_case
def conv_im2col():
    """A CS231n-style naive conv layer: im2col by slicing, one matmul, relu, squared loss."""

    def conv(x, w, b):
        n, c, h, wd = x.shape
        f, _, kh, kw = w.shape
        cols = np.stack([x[:, :, i:i + h - kh + 1, j:j + wd - kw + 1]
                         for i in range(kh) for j in range(kw)], axis=2)  # n,c,k,ho,wo
        cols = cols.reshape(n, c * kh * kw, -1)
        out = np.einsum("fk,nkp->nfp", w.reshape(f, -1), cols) + b[None, :, None]
        return out.reshape(n, f, h - kh + 1, wd - kw + 1)

    def loss(p, x, target):
        return 0.5 * np.sum((np.maximum(conv(x, p["w"], p["b"]), 0) - target) ** 2)

    return loss, {"w": normal(2, 2, 2, 2), "b": normal(2)}, (normal(2, 2, 4, 4),
                                                           normal(2, 2, 3, 3))


@loss_case
def conv_einsum_strided():
    """A stride-2 convolution as one einsum over strided windows (`jax.lax.conv` written out)."""

    def loss(kernel, images):
        patches = np.stack([np.stack([images[:, i:i + 5:2, j:j + 5:2] for j in range(2)], -1)
                            for i in range(2)], -2)  # n, 3, 3, kh, kw
        feat = np.tanh(np.einsum("nhwij,ijc->nhwc", patches, kernel))
        return np.mean(feat ** 2) + np.sum(feat[:, 0, 0, :])

    return loss, normal(2, 2, 3, scale=0.5), (normal(2, 6, 6),)


@loss_case
def batchnorm_train():
    """CS231n `batchnorm_forward` in training mode, parameters (gamma, beta) as a tuple."""

    def loss(params, x, dout, eps):
        gamma, beta = params
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        return np.sum(out * dout) + np.sum(np.tanh(out))

    return loss, (normal(4) + 1, normal(4)), (normal(6, 4), normal(6, 4), 1e-5)


@loss_case
def layernorm_with_input_grad():
    """Layer norm, differentiated with respect to gamma, beta and the input itself."""

    def loss(p, target):
        x = p["x"]
        mean = np.mean(x, axis=-1, keepdims=True)
        var = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
        y = p["gamma"] * (x - mean) / np.sqrt(var + 1e-5) + p["beta"]
        return np.mean((y - target) ** 2)

    return loss, {"x": normal(3, 5), "gamma": np.ones(5), "beta": np.zeros(5)}, (normal(3, 5),)


@loss_case
def dropout_fixed_mask():
    """Inverted dropout with a mask drawn outside the loss (as CS231n's `dropout_forward`)."""

    def loss(params, x, y, mask, p):
        h = np.maximum(0, x @ params["W1"])
        h = h * mask / p
        return np.mean((h @ params["W2"] - y) ** 2)

    mask = rng.random((8, 6)) < 0.7
    return loss, {"W1": normal(3, 6), "W2": normal(6, 2)}, (normal(8, 3), normal(8, 2),
                                                           mask, 0.7)


# ----------------------------------------------------------------------------- statistics


@loss_case
def gmm_log_likelihood():
    """Diagonal Gaussian mixture negative log-likelihood with a max-shifted logsumexp."""

    def logsumexp(a, axis):
        amax = np.max(a, axis=axis, keepdims=True)
        return np.squeeze(amax, axis) + np.log(np.sum(np.exp(a - amax), axis=axis))

    def loss(params, data):
        log_weights = params["logits"] - logsumexp(params["logits"], 0)
        mu, log_sigma = params["means"], params["log_sigmas"]
        z = (data[:, None, :] - mu[None]) / np.exp(log_sigma)[None]
        comp = -0.5 * np.sum(z ** 2, axis=2) - np.sum(log_sigma, axis=1) \
            - 0.5 * data.shape[1] * np.log(2 * np.pi)
        return -np.mean(logsumexp(comp + log_weights, axis=1))

    params = {"logits": normal(3), "means": normal(3, 2), "log_sigmas": normal(3, 2, scale=0.2)}
    return loss, params, (normal(15, 2),)


@loss_case
def gaussian_process_marginal_likelihood():
    """autograd's `examples/gaussian_process.py`: RBF kernel, Cholesky, log marginal likelihood."""

    def loss(log_params, x, y):
        log_amp, log_len, log_noise = log_params
        sq = (x[:, None] - x[None, :]) ** 2
        k = np.exp(log_amp) * np.exp(-0.5 * sq / np.exp(2 * log_len))
        k = k + (np.exp(log_noise) + 1e-6) * np.eye(len(x))
        chol = np.linalg.cholesky(k)
        alpha = np.linalg.solve(k, y)
        return 0.5 * y @ alpha + np.sum(np.log(np.diag(chol))) + 0.5 * len(x) * np.log(2 * np.pi)

    x = np.linspace(-2, 2, 7)
    return loss, np.array([0.1, -0.3, -1.0]), (x, np.sin(x) + 0.1 * normal(7))


@loss_case
def vae_gaussian_kl():
    """VAE objective: Bernoulli reconstruction plus KL(q(z|x) || N(0, I)), fixed noise."""

    def loss(params, x, eps):
        enc, dec = params["enc"], params["dec"]
        h = np.tanh(x @ enc["W"])
        mu, log_var = h @ enc["W_mu"], h @ enc["W_lv"]
        z = mu + np.exp(0.5 * log_var) * eps
        logits = z @ dec["W"] + dec["b"]
        recon = np.sum(x * logits - np.logaddexp(0, logits), axis=1)
        kl = -0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var), axis=1)
        return np.mean(kl - recon)

    params = {"enc": {"W": normal(6, 4, scale=0.5), "W_mu": normal(4, 2, scale=0.5),
                      "W_lv": normal(4, 2, scale=0.5)},
              "dec": {"W": normal(2, 6, scale=0.5), "b": np.zeros(6)}}
    return loss, params, ((rng.random((5, 6)) > 0.5).astype(float), normal(5, 2))


@loss_case
def soft_kmeans():
    """Soft k-means: responsibilities as a softmax of negative squared distances."""

    def loss(centroids, x, beta):
        d2 = np.sum((x[:, None, :] - centroids[None, :, :]) ** 2, axis=-1)
        logits = -beta * d2
        logits = logits - logits.max(axis=1, keepdims=True)
        resp = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return np.sum(resp * d2) / len(x)

    return loss, normal(3, 2), (normal(12, 2), 2.0)


# ----------------------------------------------------------------------------- regression


@loss_case
def ridge():
    """scikit-learn's Ridge objective: ||y - Xw - b||^2 + alpha ||w||^2, list [w, b]."""

    def loss(params, X, y, alpha):
        w, b = params
        r = y - X @ w - b
        return r @ r + alpha * w @ w

    return loss, [normal(4), np.array(0.3)], (normal(10, 4), normal(10), 0.5)


@loss_case
def lasso_smooth():
    """Lasso with the L1 norm smoothed as sqrt(w^2 + eps) (scikit-learn scaling 1/2n)."""

    def loss(w, X, y, alpha):
        n = X.shape[0]
        return np.sum((y - X @ w) ** 2) / (2 * n) + alpha * np.sum(np.sqrt(w ** 2 + 1e-3))

    return loss, normal(5), (normal(9, 5), normal(9), 0.1)


@loss_case
def poisson_regression():
    """scikit-learn's PoissonRegressor objective (half deviance up to a constant, L2)."""

    def loss(coef, X, y, alpha):
        eta = X @ coef[1:] + coef[0]
        return np.mean(np.exp(eta) - y * eta) + 0.5 * alpha * np.sum(coef[1:] ** 2)

    X = normal(12, 3, scale=0.5)
    return loss, normal(4, scale=0.2), (X, rng.poisson(2.0, 12).astype(float), 0.1)


@loss_case
def huber():
    """Huber loss (scikit-learn HuberRegressor without the scale), as np.where pieces."""

    def loss(params, X, y, delta):
        r = y - (X @ params["coef"] + params["intercept"])
        a = np.abs(r)
        return np.sum(np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta)))

    X = normal(15, 3)
    y = X @ np.array([1.0, -2.0, 0.5]) + normal(15, scale=2.0)
    return loss, {"coef": normal(3), "intercept": np.array(0.0)}, (X, y, 1.0)


# ----------------------------------------------------------------------------- embeddings


@loss_case
def triplet_margin():
    """Triplet loss on linear embeddings; anchors/positives/negatives picked by index arrays."""

    def loss(W, x, a, p, n, margin):
        e = x @ W
        e = e / np.sqrt(np.sum(e ** 2, axis=1, keepdims=True))
        d_ap = np.sum((e[a] - e[p]) ** 2, axis=1)
        d_an = np.sum((e[a] - e[n]) ** 2, axis=1)
        return np.mean(np.maximum(d_ap - d_an + margin, 0.0))

    idx = (np.array([0, 1, 2, 3, 0]), np.array([4, 5, 6, 7, 5]), np.array([8, 9, 8, 1, 3]))
    return loss, normal(4, 3), (normal(10, 4), *idx, 1.0)


@loss_case
def word2vec_negative_sampling():
    """Skip-gram with negative sampling: embedding rows gathered by (repeated) index arrays."""

    def log_sigmoid(x):
        return -np.logaddexp(0, -x)

    def loss(params, center, context, negatives):
        w_in, w_out = params
        v = w_in[center]  # (B, D)
        pos = np.sum(v * w_out[context], axis=1)
        neg = np.einsum("bd,bkd->bk", v, w_out[negatives])
        return -np.mean(log_sigmoid(pos) + np.sum(log_sigmoid(-neg), axis=1))

    center = np.array([0, 3, 3, 5, 1, 0])
    context = np.array([1, 2, 4, 4, 0, 2])
    negatives = rng.integers(0, 6, (6, 3))
    return loss, (normal(6, 3, scale=0.5), normal(6, 3, scale=0.5)), (center, context, negatives)


@loss_case
def matrix_factorization():
    """Collaborative filtering with biases; observed (user, item) pairs as index arrays."""

    def loss(p, users, items, ratings, reg):
        pred = np.sum(p["U"][users] * p["V"][items], axis=1) + p["bu"][users] + \
            p["bi"][items] + p["mu"]
        err = pred - ratings
        return np.mean(err ** 2) + reg * (np.sum(p["U"] ** 2) + np.sum(p["V"] ** 2))

    params = {"U": normal(4, 2, scale=0.3), "V": normal(5, 2, scale=0.3), "bu": np.zeros(4),
              "bi": np.zeros(5), "mu": np.array(3.0)}
    users, items = rng.integers(0, 4, 14), rng.integers(0, 5, 14)
    return loss, params, (users, items, rng.integers(1, 6, 14).astype(float), 0.02)


# ----------------------------------------------------------------------------- sequences


@loss_case
def self_attention():
    """Single-head scaled dot-product attention with a causal mask and a regression head."""

    def softmax(x, axis=-1):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def loss(p, x, target):
        q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
        scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
        t = x.shape[-2]
        scores = np.where(np.tril(np.ones((t, t))) > 0, scores, -1e9)
        out = softmax(scores) @ v
        return np.mean((out @ p["Wo"] - target) ** 2)

    params = {k: normal(4, 4, scale=0.5) for k in ("Wq", "Wk", "Wv", "Wo")}
    return loss, params, (normal(2, 5, 4), normal(2, 5, 4))


@loss_case
def unrolled_rnn():
    """Karpathy's min-char-rnn loss: a static number of tanh steps, cross-entropy by index."""

    def loss(p, inputs, targets, h0):
        h = h0
        total = 0.0
        for t in range(len(inputs)):
            x = np.zeros(p["Wxh"].shape[1])
            x[inputs[t]] = 1
            h = np.tanh(p["Wxh"] @ x + p["Whh"] @ h + p["bh"])
            y = p["Why"] @ h + p["by"]
            ps = np.exp(y) / np.sum(np.exp(y))
            total = total - np.log(ps[targets[t]])
        return total

    vocab, hidden = 4, 5
    params = {"Wxh": normal(hidden, vocab, scale=0.3), "Whh": normal(hidden, hidden, scale=0.3),
              "Why": normal(vocab, hidden, scale=0.3), "bh": np.zeros(hidden),
              "by": np.zeros(vocab)}
    seq = [0, 2, 1, 3, 3, 1]
    return loss, params, (seq[:-1], seq[1:], np.zeros(hidden))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_value_and_gradient(name):
    loss, params, data = LOSSES[name]()
    check_loss(loss, params, *data)


def test_there_are_about_twenty_losses():
    assert len(LOSSES) >= 20
