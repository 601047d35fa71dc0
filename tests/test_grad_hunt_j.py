"""Gradient hunt J: training losses and models written as public NumPy / autograd / JAX-example
code writes them, differentiated with tracenp. Each case checks the value against eager NumPy
and the gradient (plain and under `jit`) against float64 central finite differences, with the
gradient pytree's structure, leaf shapes and dtypes those of the arguments."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from tracenp import pytree

rng = np.random.default_rng(1234)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def numeric_grads(fn, args, nums, eps=1e-6):
    """Central differences of `fn` in every element of every leaf of the arguments at `nums`
    (each call on copies of the arguments: a function may write into them)."""
    out = []
    for i in nums:
        leaves, tree = pytree.flatten(args[i])
        per_leaf = []
        for k, leaf in enumerate(leaves):
            g = np.zeros(np.shape(leaf))
            for j in np.ndindex(g.shape):
                vals = []
                for sign in (1, -1):
                    bumped = [np.array(x, dtype=np.float64) for x in leaves]
                    bumped[k][j] += sign * eps
                    new = list(copy.deepcopy(args))
                    new[i] = pytree.unflatten(tree, bumped)
                    vals.append(np.asarray(fn(*new)).item())  # (a size-1 loss too)
                g[j] = (vals[0] - vals[1]) / (2 * eps)
            per_leaf.append(g)
        out.append(per_leaf)
    return out


def assert_grads_close(got, want, rtol=1e-5):
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6 * scale)


def check_grads(fn, args, argnums=0):
    """Value against eager NumPy; gradient of `value_and_grad` and `jit(value_and_grad)`
    against finite differences, leaf by leaf, with the arguments' structure and dtypes."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    want = fn(*args)
    numeric = numeric_grads(fn, args, nums)
    vg = tracenp.value_and_grad(fn, argnums)
    for transform in (vg, tracenp.jit(vg)):
        value, g = transform(*args)
        np.testing.assert_allclose(value, want, rtol=1e-9, atol=1e-12)
        per_arg = (g,) if isinstance(argnums, int) else g
        assert len(per_arg) == len(nums)
        for i, gi, num in zip(nums, per_arg, numeric):
            got_leaves, got_tree = pytree.flatten(gi)
            arg_leaves, arg_tree = pytree.flatten(args[i])
            assert got_tree == arg_tree, (got_tree, arg_tree)
            for got, leaf, n in zip(got_leaves, arg_leaves, num):
                assert np.shape(got) == np.shape(leaf)
                assert np.asarray(got).dtype == np.asarray(leaf).dtype
                assert_grads_close(got, n)


CASES: dict[str, tuple] = {}


def case(name, fn, *args, argnums=0):
    assert name not in CASES, name
    CASES[name] = (fn, args, argnums)


X, Y = normal(8, 3), normal(8)
Y01 = (rng.random(8) > 0.5).astype(float)
YPM = 2 * Y01 - 1
LABELS = rng.integers(0, 4, 8)
W3, W34 = normal(3), normal(3, 4)

# ----------------------------------------------------------------------------- regression losses

case("mse", lambda w, X, y: np.mean((X @ w - y) ** 2), W3, X, Y)
case("mae", lambda w, X, y: np.mean(np.abs(X @ w - y)), W3, X, Y)


def huber(w, X, y, delta=1.0):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta)))


case("huber_where", huber, W3, X, Y)
case("log_cosh", lambda w, X, y: np.mean(np.log(np.cosh(X @ w - y))), W3, X, Y)
case("linreg_dict_python_float_bias",
     lambda p, X, y: np.mean((X @ p["w"] + p["b"] - y) ** 2), {"w": W3, "b": 0.5}, X, Y)
case("poisson_regression", lambda w, X, y: np.mean(np.exp(X @ w) - y * (X @ w)),
     normal(3, scale=0.3), X, rng.poisson(2, 8).astype(float))
case("poisson_integer_counts", lambda w, X, y: np.mean(np.exp(X @ w) - y * (X @ w)),
     normal(3, scale=0.3), X, rng.poisson(2, 8))


def gaussian_nll(params, x):
    mu, log_sigma = params
    return np.sum(0.5 * np.log(2 * np.pi) + log_sigma
                  + 0.5 * ((x - mu) / np.exp(log_sigma)) ** 2)


case("gaussian_nll_tuple", gaussian_nll, (normal(5), normal(5, scale=0.1)), normal(5))
case("gaussian_nll_variance", lambda mu, var, x: 0.5 * np.mean(np.log(var) + (x - mu) ** 2 / var),
     normal(5), rng.random(5) + 0.5, normal(5), argnums=(0, 1))

# ----------------------------------------------------------------------------- classification


def bce(w, X, y):
    p = sigmoid(X @ w)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_with_logits(w, X, y):
    z = X @ w
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def bce_clipped(w, X, y):
    p = np.clip(sigmoid(X @ w), 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


case("bce", bce, W3, X, Y01)
case("bce_with_logits", bce_with_logits, W3, X, Y01)
case("bce_clipped", bce_clipped, W3, X, Y01)
case("logistic_logaddexp_argnums", lambda w, b, X, y: np.mean(np.logaddexp(0, -y * (X @ w + b))),
     W3, np.float64(0.2), X, YPM, argnums=(0, 1))
case("logistic_log1p_exp_at_zero_weights",
     lambda w, X, y: np.mean(np.log(1 + np.exp(-y * (X @ w)))), np.zeros(3), X, YPM)


def ce_int_labels(W, X, y):
    z = X @ W
    z = z - np.max(z, axis=1, keepdims=True)
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


def ce_one_hot(W, X, y):
    z = X @ W
    lse = np.log(np.sum(np.exp(z - z.max(1, keepdims=True)), 1)) + z.max(1)
    return np.mean(lse - np.sum(np.eye(4)[y] * z, 1))


def ce_take_along_axis(W, X, y):
    z = X @ W
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, y[:, None], axis=1).mean()


def label_smoothing(W, X, y, eps=0.1):
    z = X @ W
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    t = np.full(z.shape, eps / z.shape[1])
    t[np.arange(len(y)), y] += 1 - eps
    return -np.sum(t * logp) / len(y)


def focal(w, X, y, gamma=2.0, alpha=0.25):
    p = sigmoid(X @ w)
    pt = np.where(y == 1, p, 1 - p)
    at = np.where(y == 1, alpha, 1 - alpha)
    return np.mean(-at * (1 - pt) ** gamma * np.log(pt))


def softmax_regression(W, X, y):
    z = X @ W
    return np.mean(np.log(np.sum(np.exp(z), 1)) - z[np.arange(len(y)), y])


case("ce_integer_labels", ce_int_labels, W34, X, LABELS)
case("ce_one_hot_eye", ce_one_hot, W34, X, LABELS)
case("ce_take_along_axis", ce_take_along_axis, W34, X, LABELS)
case("label_smoothing_setitem", label_smoothing, W34, X, LABELS)
case("focal", focal, W3, X, Y01)
case("softmax_regression", softmax_regression, W34, X, LABELS)
case("hinge_l2", lambda w, X, y: np.mean(np.maximum(0, 1 - y * (X @ w))) + 0.01 * np.dot(w, w),
     W3, X, YPM)
case("squared_hinge", lambda w, X, y: np.mean(np.maximum(0, 1 - y * (X @ w)) ** 2), W3, X, YPM)


def kl_divergence(W, X, q):
    z = X @ W
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return np.sum(p * (np.log(p) - np.log(q)))


Q = rng.random((8, 4))
case("kl_divergence", kl_divergence, W34, X, Q / Q.sum(1, keepdims=True))

# ----------------------------------------------------------------------------- metric learning


def contrastive(W, a, b, same, margin=1.0):
    d = np.sqrt(np.sum((a @ W - b @ W) ** 2, axis=1))
    return np.mean(same * d ** 2 + (1 - same) * np.maximum(0, margin - d) ** 2)


def triplet(W, a, p, n, margin=0.5):
    ea, ep, en = a @ W, p @ W, n @ W
    return np.mean(np.maximum(0.0, np.sum((ea - ep) ** 2, 1) - np.sum((ea - en) ** 2, 1) + margin))


def cosine_similarity(a, b):
    return np.sum(a @ b.T / np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)))


case("contrastive", contrastive, W34, normal(6, 3), normal(6, 3), (rng.random(6) > .5) * 1.0)
case("triplet", triplet, W34, normal(6, 3), normal(6, 3), normal(6, 3))
case("cosine_similarity", cosine_similarity, normal(3, 4), normal(2, 4), argnums=(0, 1))
case("normalize_rows_keepdims", lambda x: np.sum(x / np.linalg.norm(x, axis=-1, keepdims=True)),
     normal(3, 4))

# ----------------------------------------------------------------------------- penalties

PARAMS = {"W1": normal(3, 4), "b1": normal(4), "W2": normal(4, 1), "b2": normal(1)}
case("elastic_net_over_dict",
     lambda p: 0.01 * sum(np.sum(np.abs(w)) for w in p.values())
     + 0.1 * sum(np.sum(w ** 2) for w in p.values()), PARAMS)
case("penalties_mixed_leaves",
     lambda p: sum(np.sum(v ** 2) for v in p.values()) + sum(np.abs(v).sum() for v in p.values()),
     {"a": normal(5), "b": normal(2, 2), "c": np.float64(0.3)})
case("l2_norms_of_list", lambda ws: sum(np.linalg.norm(w) for w in ws), [normal(3), normal(2, 2)])
case("soft_threshold", lambda x: np.sum((np.sign(x) * np.maximum(np.abs(x) - 0.3, 0)) ** 2),
     normal(5))
case("clip_by_global_norm", lambda x: np.sum(x * np.minimum(1.0, 1.0 / np.linalg.norm(x))),
     normal(5))

# ----------------------------------------------------------------------------- MLP activations


def mlp(p, X, y, act):
    h = act(X @ p["W1"] + p["b1"])
    return np.mean(((h @ p["W2"] + p["b2"])[:, 0] - y) ** 2)


ACTIVATIONS = {
    "tanh": np.tanh,
    "relu_maximum": lambda x: np.maximum(x, 0),
    "relu_where": lambda x: np.where(x > 0, x, 0.0),
    "relu_mask_multiply": lambda x: x * (x > 0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
    "softplus_log1p": lambda x: np.log1p(np.exp(x)),
    "softplus_logaddexp": lambda x: np.logaddexp(0, x),
    "elu_where_exp": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "elu_expm1": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507 * np.where(x > 0, x, 1.67326 * (np.exp(x) - 1)),
    "sigmoid": sigmoid,
    "swish": lambda x: x / (1 + np.exp(-x)),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "sin": np.sin,
    "abs": np.abs,
    "hardtanh_clip": lambda x: np.clip(x, -1, 1),
    "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
}
for _name, _act in ACTIVATIONS.items():
    case(f"mlp_{_name}", lambda p, X, y, act=_act: mlp(p, X, y, act), PARAMS, X, Y)

# ----------------------------------------------------------------------------- normalization


def batchnorm(p, x):
    xh = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    return np.sum((p["g"] * xh + p["b"]) ** 3)


def layernorm(x, g, b):
    mu = np.mean(x, axis=-1, keepdims=True)
    sd = np.std(x, axis=-1, keepdims=True)
    return np.sum(np.sin((x - mu) / (sd + 1e-6) * g + b))


def dropout_given_mask(W, x, mask, p=0.5):
    return np.sum((np.maximum(x @ W, 0) * mask / p) ** 2)


case("batchnorm_params", batchnorm, {"g": normal(4), "b": normal(4)}, normal(6, 4))
case("batchnorm_input", lambda x, p: batchnorm(p, x), normal(6, 4), {"g": normal(4), "b": normal(4)})
case("layernorm_std_all_args", layernorm, normal(3, 5), normal(5), normal(5), argnums=(0, 1, 2))
case("dropout_bool_mask", dropout_given_mask, W34, normal(5, 3), rng.random((5, 4)) > 0.5)

# ----------------------------------------------------------------------------- convolution, pooling


def conv2d_sliding_window(k, x):
    return np.sum(np.tanh(np.einsum("ijkl,kl->ij", sliding_window_view(x, k.shape), k)))


def conv_nchw(W, x):
    win = sliding_window_view(x, W.shape[2:], axis=(2, 3))
    return np.mean(np.maximum(np.einsum("nchwij,fcij->nfhw", win, W), 0) ** 2)


def im2col_stack(W, x):
    h, w = x.shape
    cols = np.stack([x[i:i + h - 2, j:j + w - 2].ravel() for i in range(3) for j in range(3)], 1)
    return np.sum((cols @ W.ravel()) ** 2)


def maxpool_reshape(x):
    n, h, w = x.shape
    return np.sum(x.reshape(n, h // 2, 2, w // 2, 2).max(axis=(2, 4)) ** 2)


def avgpool_reshape(x):
    n, h, w = x.shape
    return np.sum(np.sin(x.reshape(n, h // 2, 2, w // 2, 2).mean(axis=(2, 4))))


case("conv2d_sliding_window_einsum", conv2d_sliding_window, normal(3, 3), normal(6, 7),
     argnums=(0, 1))
case("conv1d_sliding_window_matmul", lambda k, x: np.sum(sliding_window_view(x, len(k)) @ k ** 2),
     normal(3), normal(10), argnums=(0, 1))
case("conv_nchw_sliding_window", conv_nchw, normal(2, 2, 3, 3), normal(2, 2, 5, 5), argnums=(0, 1))
case("im2col_stack", im2col_stack, normal(3, 3), normal(5, 6), argnums=(0, 1))
case("np_convolve", lambda x, k: np.sum(np.convolve(x, k, mode="valid") ** 2)
     + np.sum(np.convolve(x, k) * 0.5), normal(7), normal(3), argnums=(0, 1))
case("np_correlate_same", lambda x, k: np.sum(np.correlate(x, k, mode="same") ** 2),
     normal(7), normal(3), argnums=(0, 1))
case("maxpool_reshape", maxpool_reshape, normal(2, 4, 6))
case("avgpool_reshape", avgpool_reshape, normal(2, 4, 6))
case("maxpool_strided_windows",
     lambda x: np.sum(sliding_window_view(x, (2, 2))[::2, ::2].max(axis=(-1, -2)) ** 2), normal(6, 6))
case("global_average_pool", lambda x: np.sum(np.mean(x, axis=(2, 3)) ** 2), normal(2, 3, 4, 4))

# ----------------------------------------------------------------------------- attention


def attention(p, x, mask):
    q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
    s = np.where(mask, q @ k.T / np.sqrt(q.shape[-1]), -1e9)
    s = s - s.max(-1, keepdims=True)
    a = np.exp(s)
    return np.sum((a / a.sum(-1, keepdims=True) @ v) ** 2)


def multi_head(p, x, mask, heads=2):
    b, t, d = x.shape

    def split(z):
        return z.reshape(b, t, heads, d // heads).transpose(0, 2, 1, 3)

    q, k, v = split(x @ p["Wq"]), split(x @ p["Wk"]), split(x @ p["Wv"])
    s = np.where(mask[None, None], np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(d // heads),
                 -np.inf)
    s = s - s.max(-1, keepdims=True)
    a = np.exp(s) / np.exp(s).sum(-1, keepdims=True)
    o = (a @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
    return np.mean((o @ p["Wo"] + x) ** 2)


case("attention_causal_mask_minus_1e9", attention,
     {"Wq": normal(4, 4), "Wk": normal(4, 4), "Wv": normal(4, 4)}, normal(5, 4),
     np.tril(np.ones((5, 5), bool)))
case("multi_head_inf_mask_residual", multi_head,
     {"Wq": normal(4, 4), "Wk": normal(4, 4), "Wv": normal(4, 4), "Wo": normal(4, 4)},
     normal(2, 3, 4), np.tril(np.ones((3, 3), bool)))

# ----------------------------------------------------------------------------- embeddings, gathers


def weight_tying(E, ids, targets):
    logits = np.tanh(E[ids]) @ E.T
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    return -logp[np.arange(len(targets)), targets].sum()


def matrix_factorization(p, u, i, r):
    pred = np.sum(p["U"][u] * p["V"][i], axis=1) + p["bu"][u] + p["bi"][i] + p["mu"]
    return np.mean((pred - r) ** 2) + 0.1 * (np.sum(p["U"] ** 2) + np.sum(p["V"] ** 2))


def scatter_add_at(x, idx):
    out = np.zeros(3)
    np.add.at(out, idx, x)
    return np.sum(out ** 2)


def index_add_setitem(x, idx):
    out = np.zeros(3)
    out[idx] += x  # repeated indices: NumPy keeps the last write
    return np.sum(out ** 2)


case("embedding_mean_repeated_ids", lambda E, ids, y: np.sum((E[ids].mean(1) - y) ** 2),
     normal(5, 3), np.array([[0, 1, 1], [1, 1, 4], [0, 0, 0]]), normal(3, 3))
case("embedding_np_take", lambda E, ids: np.sum(np.take(E, ids, axis=0) ** 3), normal(5, 3),
     np.array([2, 2, 0, 4, 2]))
case("weight_tying", weight_tying, normal(6, 3), np.array([1, 2, 2, 5]), np.array([2, 2, 5, 0]))
case("matrix_factorization_biases", matrix_factorization,
     {"U": normal(4, 2), "V": normal(5, 2), "bu": normal(4), "bi": normal(5), "mu": 0.3},
     np.array([0, 1, 1, 3, 0, 2]), np.array([4, 0, 4, 1, 1, 4]), normal(6))
case("np_add_at_repeats", scatter_add_at, normal(3), np.array([0, 0, 1]))
case("bincount_weights", lambda x, i: np.sum(np.bincount(i, weights=x, minlength=3) ** 2),
     normal(3), np.array([0, 0, 1]))
case("setitem_add_repeats_last_wins", index_add_setitem, normal(3), np.array([0, 0, 1]))
case("argmax_gather_rows", lambda x: np.sum(x[np.arange(3), np.argmax(x, 1)] ** 2), normal(3, 5))
case("top_k_argsort_take_along",
     lambda x: np.sum(np.take_along_axis(x, np.argsort(x, axis=1)[:, -2:], axis=1) ** 2),
     normal(3, 5))
case("sort_axis_top_k", lambda x: np.sum(np.sort(x, axis=-1)[..., -2:] ** 2), normal(3, 4))
case("partition_smallest", lambda x: np.sum(np.partition(x, 2)[:2] ** 2), normal(5))
case("put_along_axis_param",
     lambda x, v: (lambda o: (np.put_along_axis(o, np.array([[1], [0]]), v, axis=1),
                              np.sum(o ** 2))[1])(x * 1.0), normal(2, 3), normal(2, 1),
     argnums=(0, 1))
case("bool_mask_setitem_param",
     lambda x, v: (lambda o: (o.__setitem__(o > 0, v), np.sum(o ** 2))[1])(np.tanh(x)),
     normal(5), 0.7, argnums=(0, 1))

# ----------------------------------------------------------------------------- recurrent models


def rnn(p, xs, ys):
    h = np.zeros(p["Wh"].shape[0])
    loss, hs = 0.0, []
    for t in range(xs.shape[0]):
        h = np.tanh(p["Wx"] @ xs[t] + p["Wh"] @ h + p["b"])
        hs.append(h)
        loss = loss + np.sum((p["Wy"] @ h - ys[t]) ** 2)
    return loss + 0.01 * np.sum(np.stack(hs) ** 2)


def gru(p, xs):
    h, outs = np.zeros(3), []
    for x in xs:
        z = sigmoid(p["Wz"] @ np.concatenate([x, h]))
        r = sigmoid(p["Wr"] @ np.concatenate([x, h]))
        hh = np.tanh(p["Wh"] @ np.concatenate([x, r * h]))
        h = (1 - z) * h + z * hh
        outs.append(h[None])
    return np.sum(np.concatenate(outs, 0) ** 2)


def lstm_split(params, xs, y):
    W, U, b = params
    h = np.zeros((xs.shape[1], U.shape[0]))
    c = np.zeros_like(h)
    for t in range(xs.shape[0]):
        i, f, o, g = np.split(xs[t] @ W + h @ U + b, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    return np.mean((h.sum(1) - y) ** 2)


def lstm_hstack(p, xs):
    h, c = np.zeros(2), np.zeros(2)
    for x in xs:
        z = p["W"] @ np.hstack([x, h]) + p["b"]
        i, f, o, g = sigmoid(z[:2]), sigmoid(z[2:4]), sigmoid(z[4:6]), np.tanh(z[6:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return np.sum(h)


def residual_blocks(params, x):
    for W, b in params:
        x = x + np.maximum(x @ W + b, 0)
    return np.sum(x ** 2)


def nested_params(p, x):
    enc, dec = p["enc"], p["dec"]
    h = np.tanh(x @ enc["layers"][0]["W"]) @ enc["layers"][1]["W"]
    return np.sum((h @ dec[0] + dec[1][0] - x) ** 2)


def tied_autoencoder(W, x):
    return np.sum((np.tanh(x @ W) @ W.T - x) ** 2)


case("rnn_python_loop_stack", rnn,
     {"Wx": normal(4, 3, scale=.5), "Wh": normal(4, 4, scale=.5), "b": normal(4), "Wy": normal(2, 4)},
     normal(5, 3), normal(5, 2))
case("gru_concatenate", gru, {"Wz": normal(3, 5), "Wr": normal(3, 5), "Wh": normal(3, 5)},
     normal(4, 2))
case("lstm_np_split", lstm_split, (normal(3, 8, scale=.5), normal(2, 8, scale=.5), normal(8)),
     normal(4, 3, 3), normal(3))
case("lstm_hstack_slices", lstm_hstack, {"W": normal(8, 5), "b": normal(8)}, normal(3, 3))
case("residual_list_of_tuples", residual_blocks,
     [(normal(3, 3, scale=.5), normal(3)) for _ in range(3)], normal(4, 3))
case("nested_dict_list_tuple_params", nested_params,
     {"enc": {"layers": [{"W": normal(3, 4)}, {"W": normal(4, 2)}]}, "dec": (normal(2, 3), [normal(3)])},
     normal(5, 3))
case("tied_autoencoder_transpose", tied_autoencoder, normal(4, 2), normal(3, 4))

# ----------------------------------------------------------------------------- ODE rollouts


def euler_oscillator(theta, y0, dt=0.1, steps=10):
    y, traj = y0, [y0]
    for _ in range(steps):
        y = y + dt * np.array([y[1], -theta[0] * y[0] - theta[1] * y[1]])
        traj.append(y)
    return np.sum(np.stack(traj) ** 2)


def euler_lotka_volterra(theta, y0, obs):
    y, loss = y0.copy(), 0.0
    for t in range(obs.shape[0]):
        a, b, c, d = theta
        dy = np.empty(2)
        dy[0] = a * y[0] - b * y[0] * y[1]
        dy[1] = -c * y[1] + d * y[0] * y[1]
        y = y + 0.05 * dy
        loss += np.sum((y - obs[t]) ** 2)
    return loss


case("euler_np_array_of_traced_scalars", euler_oscillator, np.array([1.5, 0.3]),
     np.array([1.0, 0.0]), argnums=(0, 1))
case("euler_lotka_volterra_setitem", euler_lotka_volterra, np.array([1.0, 0.5, 0.8, 0.3]),
     np.array([1.0, 1.2]), rng.random((6, 2)) + 0.5)

# ----------------------------------------------------------------------------- probabilistic models


def gp_rbf_kernel(params, X):
    ls, sf, sn = np.exp(params)
    d2 = np.sum((X[:, None, :] - X[None, :, :]) ** 2, -1)
    return sf ** 2 * np.exp(-0.5 * d2 / ls ** 2) + sn ** 2 * np.eye(len(X))


def gp_cholesky(params, X, y):
    L = np.linalg.cholesky(gp_rbf_kernel(params, X))
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * len(X) * np.log(2 * np.pi)


def gp_slogdet(params, X, y):
    K = gp_rbf_kernel(params, X)
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]


def gp_inv_det(params, X, y):
    K = gp_rbf_kernel(params, X)
    return 0.5 * y @ np.linalg.inv(K) @ y + 0.5 * np.log(np.linalg.det(K))


def mvn_nll(L, x, mu):
    S = L @ L.T + np.eye(3)
    d = x - mu
    return np.sum(np.linalg.solve(S, d.T).T * d) / 2 + x.shape[0] * np.linalg.slogdet(S)[1] / 2


def vae(p, x, eps):
    h = np.tanh(x @ p["We"])
    mu, logvar = h @ p["Wmu"], h @ p["Wlv"]
    z = mu + np.exp(0.5 * logvar) * eps
    xr = sigmoid(z @ p["Wd"])
    rec = -np.sum(x * np.log(xr) + (1 - x) * np.log(1 - xr))
    return (rec - 0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar))) / x.shape[0]


def policy_gradient(theta, states, actions, returns):
    logits = states @ theta
    logits = logits - logits.max(1, keepdims=True)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    adv = (returns - returns.mean()) / (returns.std() + 1e-8)
    return -np.mean(np.log(probs[np.arange(len(actions)), actions]) * adv)


def reinforce_loop(theta, states, actions, rewards, gamma=0.99):
    G, rets = 0.0, []
    for r in rewards[::-1]:
        G = r + gamma * G
        rets.insert(0, G)
    loss = 0.0
    for s, a, Gt in zip(states, actions, rets):
        p = np.exp(s @ theta)
        loss = loss - np.log((p / p.sum())[a]) * Gt
    return loss


GP_X, GP_Y = normal(6, 2), normal(6)
case("gp_cholesky_solve", gp_cholesky, np.array([0.1, -0.2, -1.0]), GP_X, GP_Y)
case("gp_slogdet_solve", gp_slogdet, np.array([0.1, -0.2, -1.0]), GP_X, GP_Y)
case("gp_inv_det", gp_inv_det, np.array([0.1, -0.2, -1.0]), GP_X, GP_Y)
case("mvn_batched_solve", mvn_nll, normal(3, 3), normal(7, 3), normal(3), argnums=(0, 2))
case("vae_reparameterization", vae,
     {"We": normal(4, 3), "Wmu": normal(3, 2), "Wlv": normal(3, 2, scale=.3), "Wd": normal(2, 4)},
     rng.random((5, 4)), normal(5, 2))
case("policy_gradient_gathered_log_probs", policy_gradient, normal(3, 2), normal(7, 3),
     rng.integers(0, 2, 7), normal(7))
case("reinforce_python_lists", reinforce_loop, normal(3, 2), normal(4, 3), [0, 1, 1, 0],
     [1.0, 0.0, 0.5, 1.0])
case("soft_kernel_subtract_outer",
     lambda x, ls: np.sum(np.exp(-np.subtract.outer(x, x) ** 2 / ls)), normal(5), 0.7,
     argnums=(0, 1))

# ----------------------------------------------------------------------------- linear algebra

M4 = normal(4, 4)
case("eigh_top_eigenvalues", lambda A: np.sum(np.linalg.eigh(A @ A.T)[0][-2:]), normal(4, 3))
case("eigvalsh_squares", lambda A: np.sum(np.linalg.eigvalsh(A + A.T) ** 2), M4)
case("svd_nuclear_norm", lambda A: np.sum(np.linalg.svd(A, compute_uv=False)), normal(4, 3))
case("pinv", lambda A, b: np.sum(np.linalg.pinv(A) @ b), normal(4, 3), normal(4), argnums=(0, 1))
case("lstsq_solution", lambda A, b: np.sum(np.linalg.lstsq(A, b, rcond=None)[0] ** 2),
     normal(5, 3), normal(5), argnums=(0, 1))
case("qr_factors", lambda A: np.sum(np.linalg.qr(A)[1] ** 2) + np.sum(np.linalg.qr(A)[0][:, 0]),
     normal(4, 3))
case("matrix_power", lambda A: np.sum(np.linalg.matrix_power(A, 3)), M4 * 0.5)
case("multi_dot", lambda A, B, C: np.sum(np.linalg.multi_dot([A, B, C])), normal(2, 3),
     normal(3, 4), normal(4, 2), argnums=(0, 1, 2))
case("inv_batched", lambda A: np.sum(np.linalg.inv(A + 3 * np.eye(3))), normal(2, 3, 3))
case("cholesky_batched",
     lambda A: np.sum(np.linalg.cholesky(A @ np.swapaxes(A, -1, -2) + np.eye(3))), normal(2, 3, 3))
case("solve_batched", lambda A, b: np.sum(np.linalg.solve(A + 3 * np.eye(3), b)),
     normal(2, 3, 3), normal(2, 3, 1), argnums=(0, 1))
case("det_batched", lambda A: np.sum(np.linalg.det(A)), normal(2, 3, 3))
case("trace_of_product", lambda A: np.trace(A @ A.T) + np.einsum("ii", A), M4)
case("kron_outer_inner", lambda x: np.sum(np.kron(x, x) ** 2) + np.sum(np.outer(x, x))
     + np.inner(x, x) + np.vdot(x, x), normal(3))
case("tensordot", lambda a, b: np.sum(np.tensordot(a, b, axes=([1], [0])) ** 2), normal(2, 3),
     normal(3, 2), argnums=(0, 1))
case("cov_corrcoef", lambda X: np.sum(np.cov(X) ** 2) + np.sum(np.corrcoef(X) ** 2), normal(3, 6))

# ----------------------------------------------------------------------------- NumPy surface


def inplace_arithmetic(x):
    h = x * 1.0
    h += 1
    h *= x
    h -= x ** 2
    h /= 2
    h **= 2
    return np.sum(h)


def bool_mask_zeroing(x):
    h = np.tanh(x) * 3
    h[h < 0] = 0
    return np.sum(h ** 2)


def slice_updates(x):
    h = np.exp(x)
    h[:, 0] = 0
    h[1:, 1] *= 2
    return np.sum(h)


def fill_diagonal(a):
    b = a * 1
    np.fill_diagonal(b, 0.0)
    return np.sum(b ** 2)


case("inplace_arithmetic", inplace_arithmetic, normal(5))
case("bool_mask_zeroing", bool_mask_zeroing, normal(5))
case("slice_updates", slice_updates, normal(3, 3))
case("fill_diagonal", fill_diagonal, M4)
case("bool_mask_read", lambda x: np.sum(x[x > 0] ** 2), normal(5))
case("array_methods", lambda x, W: (x.dot(W).clip(min=0).T.sum() + x.max(axis=1).mean()
                                    + x.reshape(-1).std()), normal(3, 4), normal(4, 2),
     argnums=(0, 1))
case("batched_matmul_broadcast", lambda x, W: np.sum(np.tanh(x @ W)), normal(2, 3, 4),
     normal(4, 5), argnums=(0, 1))
case("matmul_vectors", lambda x, W: np.sum((W @ x) ** 2 + (x @ W.T) ** 3), normal(4),
     normal(3, 4), argnums=(0, 1))
case("dot_3d", lambda a, b: np.sum(np.dot(a, b) ** 2), normal(2, 3, 4), normal(4, 2),
     argnums=(0, 1))
case("einsum_ellipsis", lambda a, b: np.sum(np.einsum("...ij,...jk->...ik", a, b) ** 2),
     normal(2, 3, 4), normal(2, 4, 2), argnums=(0, 1))
case("einsum_diagonal", lambda a: np.sum(np.einsum("ii->i", a) ** 2) + np.einsum("ij,ij->", a, a),
     M4)
case("einsum_bilinear", lambda a, W, b: np.einsum("bi,oij,bj->", a, W, b), normal(2, 3),
     normal(4, 3, 2), normal(2, 2), argnums=(0, 1, 2))
case("einsum_optimize_chain", lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c,
                                                        optimize=True).sum(),
     normal(2, 3), normal(3, 4), normal(4, 2), argnums=(0, 1, 2))
case("diag_triu_tril", lambda a, v: np.sum(np.triu(a) ** 2) + np.sum(np.tril(a, -1) * 3)
     + np.sum(np.diag(v) @ a) + np.sum(np.diag(a) ** 3), M4, normal(4), argnums=(0, 1))
case("repeat_tile", lambda x: np.sum(np.repeat(x, 2) * np.arange(10))
     + np.sum(np.tile(x, (2, 1)) ** 2 * np.arange(5)), normal(5))
case("roll_flip", lambda x: np.sum(np.roll(x, 2) * np.arange(5) + np.flip(x) ** 2 * np.arange(5)),
     normal(5))
case("pad_modes", lambda x: np.sum(np.pad(x, 2, mode="reflect") * np.arange(9))
     + np.sum(np.pad(x, (1, 2), mode="edge") ** 2 * np.arange(8))
     + np.sum(np.pad(x, 1, mode="wrap") * np.arange(7)), normal(5))
case("axis_moves", lambda x: np.sum(np.moveaxis(np.expand_dims(x, 0), 2, 0).squeeze()
                                    * np.arange(12).reshape(4, 3))
     + np.sum(np.swapaxes(x, 0, 1) ** 3), normal(3, 4))
case("select_three_branches", lambda x: np.sum(np.select([x < -0.5, x > 0.5],
                                                         [x ** 2, np.sin(x)], default=x * 3)),
     normal(5))
case("polyval", lambda c, x: np.sum(np.polyval(c, x) ** 2), normal(3), normal(4), argnums=(0, 1))
case("interp_values_and_points", lambda fp, x: np.sum(np.interp(x, np.arange(5.0), fp) ** 2),
     normal(5), rng.random(4) * 4, argnums=(0, 1))
case("hypot_arctan2", lambda x, y: np.sum(np.hypot(x, y) + np.arctan2(y, x)), normal(5),
     normal(5), argnums=(0, 1))
case("cumsum_discounted_returns", lambda r: np.sum(np.cumsum(r[::-1])[::-1] ** 2), normal(5))
case("cumsum_axis", lambda x: np.sum(np.cumsum(x, axis=1) ** 2), normal(3, 4))
case("cumprod_and_prod", lambda x: np.sum(np.cumprod(x)) + np.prod(x[:3]), normal(5))
case("running_max_drawdown", lambda p: np.max(1 - p / np.maximum.accumulate(p)),
     np.exp(np.cumsum(normal(6, scale=0.1))))
case("cummax_squared", lambda x: np.sum(np.maximum.accumulate(x) ** 2), normal(5))
case("logaddexp_reduce", lambda x: np.logaddexp.reduce(x), normal(5))
case("ufunc_reduce_methods", lambda x: np.sum(np.add.reduce(x, axis=1) ** 2)
     + np.sum(np.multiply.reduce(x, axis=0)) + np.sum(np.maximum.reduce(x, axis=1)), normal(3, 4))
case("multiply_outer", lambda x: np.sum(np.multiply.outer(x, x) ** 2), normal(5))
case("add_reduceat", lambda x: np.sum(np.add.reduceat(x, [0, 2, 3]) ** 2), normal(5))
case("trapezoid", lambda y: np.trapezoid(y ** 2, dx=0.1), normal(5))
case("np_gradient", lambda y: np.sum(np.gradient(y) ** 2), normal(5))
case("diff_squares", lambda y: np.sum(np.diff(y) ** 2), normal(5))
case("ptp", lambda y: np.ptp(y * np.arange(5)), normal(5))
case("clip_with_array_bounds", lambda x, lo, hi: np.sum(np.clip(x, lo, hi) ** 2), normal(5),
     np.full(5, -0.3), np.full(5, 0.4), argnums=(0, 1, 2))
case("max_initial_where", lambda x: np.sum(np.max(x.reshape(1, 5), axis=1, initial=0.1) ** 2)
     + np.max(x, where=x < 1, initial=-5), normal(5))
case("median_percentile_quantile", lambda x: np.median(x) + np.percentile(x, 30)
     + np.quantile(x, 0.8), normal(6))
case("var_std_ddof_keepdims", lambda x: np.sum(np.var(x, axis=0, ddof=1)
                                               + np.std(x, axis=1, keepdims=True)), normal(3, 4))
case("average_with_weights", lambda x, w: np.average(x, weights=w), normal(3),
     rng.random(3) + 0.5, argnums=(0, 1))
case("mean_sum_where", lambda x: np.mean(x, where=x > 0) + np.sum(x ** 2, where=x < 0.5),
     normal(6))
case("nanmax_nanmin", lambda x: np.nanmax(x) - np.nanmin(x), normal(5))
case("mod_and_floor", lambda x: np.sum(np.mod(x, 1.0) ** 2 + np.floor(x) * x), normal(5, scale=3))
case("heaviside_sign", lambda x: np.sum(np.heaviside(x, 0.5) * x ** 2 + np.sign(x) * x), normal(5))
case("inverse_trig", lambda x: np.sum(np.arcsin(x / 3) + np.arccos(x / 4) + np.arctan(x)
                                      + np.arcsinh(x) + np.arctanh(x / 3)), normal(5))
case("log_exp_variants", lambda x: np.sum(np.log2(x) + np.log10(x) + np.exp2(x) + np.expm1(x)),
     rng.random(5) + 0.1)
case("float_power_reciprocal_cbrt", lambda x: np.sum(np.float_power(np.abs(x) + 1, 1.5)
                                                     + np.reciprocal(x + 3) + np.cbrt(x)),
     normal(5))
case("norm_orders", lambda x: np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf)
     + np.linalg.norm(x, 3) + np.linalg.norm(x.reshape(2, 3), "fro"), normal(6))
case("matrix_norms", lambda A: np.linalg.norm(A, 2) + np.linalg.norm(A, "nuc")
     + np.linalg.norm(A, 1), normal(3, 3))

# ----------------------------------------------------------------------------- stabilized forms

case("softplus_log_one_plus_exp_wide", lambda x: np.sum(np.log(1 + np.exp(x))),
     np.array([-30.0, 0.1, 30.0]))
case("log_sigmoid_wide", lambda x: -np.sum(np.log(1 / (1 + np.exp(-x)))),
     np.array([-20.0, 0.1, 20.0]))
case("log_softmax_large_logit", lambda z: -np.sum(z[[0, 1]] - np.log(np.sum(np.exp(z)))),
     np.array([30.0, 0.5, -2.0]))
case("exp_of_log", lambda x: np.sum(np.exp(np.log(x)) * x), rng.random(5) + 0.1)
case("sqrt_of_square", lambda x: np.sum(np.sqrt(x ** 2)), normal(5))


# ----------------------------------------------------------------------------- indexing as written

A3 = normal(4, 5, 3)
case("negative_indices", lambda x: np.sum(x[-1] ** 2 + x[[-1, 0, -1]] ** 3), normal(4))
case("mixed_advanced_and_basic", lambda x: np.sum(x[:, [0, 2, 2], 1:] ** 2), A3)
case("advanced_separated_by_slice", lambda x: np.sum(x[[0, 1], :, [2, 0]] ** 2), A3)
case("advanced_broadcast_2d",
     lambda x: np.sum(x[np.array([[0], [3]]), np.array([[1, 2, 2]])] ** 2), normal(4, 5))
case("bool_2d_mask_read", lambda x: np.sum(x[x[:, :, 0] > 0] ** 2), A3)
case("newaxis_ellipsis_negative_step", lambda x: np.sum(x[..., None][::-2, 1:4:2] ** 3), A3)
case("setitem_fancy_columns",
     lambda x, v: (lambda o: (o.__setitem__((slice(None), [0, 3]), v), np.sum(np.sin(o)))[1])(
         x * 1.0), normal(3, 5), normal(3, 2), argnums=(0, 1))
case("diag_indices_setitem",
     lambda x: (lambda o: (o.__setitem__(np.diag_indices(3), 0.0), np.sum(o ** 2))[1])(x * 1.0),
     normal(3, 3))
case("triu_indices_gather", lambda x: np.sum(x[np.triu_indices(4, 1)] ** 2), normal(4, 4))
case("ix_gather", lambda x: np.sum(x[np.ix_([0, 2], [1, 3, 3])] ** 2), normal(4, 4))
case("take_mode_clip", lambda x: np.sum(np.take(x, [0, 5, -1], axis=1, mode="clip") ** 2),
     normal(3, 4))
case("compress_rows", lambda x: np.sum(np.compress([True, False, True], x, axis=0) ** 2),
     normal(3, 4))
case("flat_fancy_read", lambda x: np.sum(x.flat[[1, 5, 5]] ** 2), normal(3, 4))
case("searchsorted_then_gather",
     lambda x, e: np.sum(x[np.clip(np.searchsorted(e, x), 0, 4)] ** 2),
     np.sort(normal(5)), np.sort(normal(3)))
case("digitize_bins_gather", lambda w, x: np.sum(w[np.digitize(x, [-0.5, 0, 0.5])] * x),
     normal(4), normal(6), argnums=(0, 1))
case("integer_data_matmul", lambda w, X: np.sum((X @ w) ** 2), normal(3),
     rng.integers(0, 5, (4, 3)))
case("uint8_image_scaled", lambda w, img: np.sum((img / 255.0 * w) ** 2), normal(3, 3),
     rng.integers(0, 255, (3, 3)).astype(np.uint8))
case("where_scalar_parameter", lambda x, a: np.sum(np.where(x > 0, a, x) ** 2), normal(5), 0.3,
     argnums=(0, 1))
case("maximum_scalar_parameter", lambda x, a: np.sum(np.maximum(x, a) ** 2), normal(5), 0.1,
     argnums=(0, 1))

# ----------------------------------------------------------------------------- row-wise Python

case("apply_along_axis", lambda x: np.sum(np.apply_along_axis(
    lambda r: np.sum(r ** 2) * r[0], 1, x)), normal(3, 4))
case("list_comprehension_rows", lambda x: np.sum(np.array([np.tanh(r).sum() for r in x]) ** 2),
     normal(3, 4))
case("map_over_rows", lambda x: np.sum(np.stack(list(map(np.sin, x)))), normal(3, 4))
case("np_vectorize", lambda x: np.sum(np.vectorize(lambda t: t * t + 1)(x)), normal(4))
case("np_piecewise", lambda x: np.sum(np.piecewise(x, [x < 0, x >= 0],
                                                   [lambda t: -t ** 3, lambda t: t ** 2])),
     normal(5))
case("isclose_mask", lambda x: np.sum(np.where(np.isclose(x, 0, atol=0.3), 0.0, x ** 2)), normal(5))
case("histogram_weights", lambda w, x: np.sum(np.histogram(x, bins=3, range=(-2, 2),
                                                           weights=w)[0] ** 2),
     normal(6), normal(6))

# ----------------------------------------------------------------------------- spectra, complex

case("fft_power", lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2), normal(8))
case("rfft_magnitude", lambda x: np.sum(np.abs(np.fft.rfft(x))), normal(8))
case("irfft_filter", lambda x, h: np.sum(np.fft.irfft(np.fft.rfft(x) * h, n=8) ** 3), normal(8),
     normal(5), argnums=(0, 1))
case("fft_convolution", lambda x, k: np.sum(np.real(np.fft.ifft(np.fft.fft(x)
                                                                * np.fft.fft(k, 8))) ** 2),
     normal(8), normal(3), argnums=(0, 1))
case("fft2_weighted", lambda x: np.sum(np.abs(np.fft.fft2(x)) ** 2 * np.arange(4)), normal(3, 4))
case("complex_phase_parameter", lambda th, z: np.sum(np.real(np.exp(1j * th) * z)), normal(4),
     normal(4) + 1j * normal(4))
case("complex_abs_angle", lambda a, b: np.sum(np.abs(a + 1j * b) + np.angle(a + 1j * b)),
     normal(4), normal(4), argnums=(0, 1))
case("complex_matmul_magnitude", lambda a: np.sum(np.abs((a + 1j) @ (a.T - 2j)) ** 2),
     normal(3, 3))
case("eigh_vectors_pca", lambda X: np.sum(np.linalg.eigh(X.T @ X)[1][:, -1] ** 2 * np.arange(3)),
     normal(6, 3))
case("svd_vectors_square", lambda A: np.sum(np.linalg.svd(A)[0][:, 0] ** 2 * np.arange(3)),
     normal(3, 3))
case("qr_complete_square", lambda A: np.sum(np.linalg.qr(A, mode="complete")[0] * np.arange(3)),
     normal(3, 3))
case("eigvals_of_symmetric", lambda A: np.sum(np.real(np.linalg.eigvals(A + A.T))), normal(3, 3))
case("cond_number", lambda A: np.linalg.cond(A), normal(3, 3))


# ----------------------------------------------------------------------------- jitted helpers


@tracenp.jit
def _jitted_layer(p, x):
    h = np.tanh(x @ p["W"] + p["b"])
    return h, np.sum(h ** 2)


@tracenp.jit(static_argnames=("act",))
def _jitted_activation(W, x, act="relu"):
    z = x @ W
    return np.maximum(z, 0) if act == "relu" else np.tanh(z)


@tracenp.jit
def _jitted_inner_grad(w, x):
    return tracenp.grad(lambda w: np.sum(np.sin(x @ w)))(w)


def loss_through_jitted_helpers(p, x):
    h, reg = _jitted_layer(p["l1"], x)
    return (np.sum(_jitted_activation(p["W2"], h, act="tanh") ** 2) + 0.1 * reg
            + np.sum(_jitted_activation(p["W2"], h) ** 2))


case("jitted_helpers_with_static_argnames", loss_through_jitted_helpers,
     {"l1": {"W": normal(3, 4), "b": normal(4)}, "W2": normal(4, 2)}, normal(5, 3))
case("grad_of_a_jitted_grad", lambda w, x: np.sum(_jitted_inner_grad(w, x) ** 2), normal(3),
     normal(4, 3))


# ----------------------------------------------------------------------------- scipy.special

try:
    import scipy.special as sps
except ImportError:  # scikit-learn, a test dependency, brings it
    sps = None
if sps is not None:
    case("scipy_logsumexp_axis", lambda x: np.sum(sps.logsumexp(x, axis=1) ** 2), normal(3, 4))
    case("scipy_logsumexp_weights", lambda x: sps.logsumexp(x, b=np.array([1.0, 2.0, 0.5, 1.0])),
         normal(4))
    case("scipy_expit", lambda x: np.sum(sps.expit(x) ** 2), normal(4))
    case("scipy_log_softmax", lambda x: -np.sum(sps.log_softmax(x, axis=-1)[:, 0]), normal(3, 4))
    case("scipy_softmax_axis0", lambda x: np.sum(sps.softmax(x, axis=0) * np.arange(4)[:, None]),
         normal(4, 2))


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_value_and_gradient(name):
    fn, args, argnums = CASES[name]
    check_grads(fn, args, argnums)


def test_there_are_many_cases():
    assert len(CASES) >= 150


def test_the_checker_catches_a_slightly_wrong_gradient():
    """The finite-difference tolerance is tight: a gradient off by 1e-4 relative fails."""
    w, X_, y = normal(3), normal(8, 3), normal(8)
    fn = lambda w: np.mean((X_ @ w - y) ** 2)  # noqa: E731
    (num,) = numeric_grads(fn, (w,), (0,))[0]
    exact = 2 * X_.T @ (X_ @ w - y) / len(y)
    assert_grads_close(exact, num)
    with pytest.raises(AssertionError):
        assert_grads_close(exact * (1 + 1e-4), num)


# ----------------------------------------------------------------------------- training loops


def mlp_loss(p, X, y, reg):
    h = np.maximum(0, X @ p["W1"] + p["b1"])
    s = h @ p["W2"] + p["b2"]
    s = s - s.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return (-np.log(probs[np.arange(len(y)), y]).mean()
            + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)))


def mlp_backward(p, X, y, reg):
    """CS231n's two-layer net backward pass, by hand."""
    n = len(y)
    z1 = X @ p["W1"] + p["b1"]
    h = np.maximum(0, z1)
    s = h @ p["W2"] + p["b2"]
    s = s - s.max(axis=1, keepdims=True)
    ds = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    ds[np.arange(n), y] -= 1
    ds /= n
    dz = (ds @ p["W2"].T) * (z1 > 0)
    return {"W1": X.T @ dz + reg * p["W1"], "b1": dz.sum(0),
            "W2": h.T @ ds + reg * p["W2"], "b2": ds.sum(0)}


def test_mlp_training_loop_matches_a_hand_written_backward_pass():
    r = np.random.default_rng(0)
    X_, y = r.standard_normal((16, 4)), r.integers(0, 3, 16)
    init = {"W1": r.standard_normal((4, 5)) * 0.5, "b1": np.zeros(5),
            "W2": r.standard_normal((5, 3)) * 0.5, "b2": np.zeros(3)}
    lr, reg = 0.5, 1e-3

    @tracenp.jit
    def step(p, X, y, lr, reg):
        value, g = tracenp.value_and_grad(mlp_loss)(p, X, y, reg)
        return {k: p[k] - lr * g[k] for k in p}, value

    grad = tracenp.grad(mlp_loss)
    by_hand, plain, jitted = dict(init), dict(init), dict(init)
    for _ in range(15):
        g_hand, g = mlp_backward(by_hand, X_, y, reg), grad(plain, X_, y, reg)
        for k in init:
            np.testing.assert_allclose(g[k], g_hand[k], rtol=1e-12, atol=1e-15)
        by_hand = {k: by_hand[k] - lr * g_hand[k] for k in init}
        plain = {k: plain[k] - lr * g[k] for k in init}
        before = jitted
        jitted, value = step(jitted, X_, y, lr, reg)
        np.testing.assert_allclose(value, mlp_loss(before, X_, y, reg), rtol=1e-12)
    for k in init:
        np.testing.assert_allclose(plain[k], by_hand[k], rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(jitted[k], by_hand[k], rtol=1e-11, atol=1e-14)
    assert mlp_loss(by_hand, X_, y, reg) < mlp_loss(init, X_, y, reg)


def test_logistic_regression_training_loop_matches_the_closed_form_gradient():
    r = np.random.default_rng(1)
    X_, y = r.standard_normal((20, 3)), (r.random(20) > 0.5).astype(float)

    def loss(w, b, X, y):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    grad = tracenp.grad(loss, argnums=(0, 1))
    step = tracenp.jit(lambda w, b, X, y: tuple(
        v - 0.3 * g for v, g in zip((w, b), tracenp.grad(loss, argnums=(0, 1))(w, b, X, y))))
    w, b = np.zeros(3), 0.0  # zero init: every logit exactly 0
    wj, bj = w, b
    for _ in range(25):
        err = 1 / (1 + np.exp(-(X_ @ w + b))) - y
        gw, gb = grad(w, b, X_, y)
        np.testing.assert_allclose(gw, X_.T @ err / len(y), rtol=1e-12, atol=1e-15)
        assert type(gb) is float and gb == pytest.approx(err.mean(), rel=1e-12, abs=1e-15)
        w, b = w - 0.3 * gw, b - 0.3 * gb
        wj, bj = step(wj, bj, X_, y)
    np.testing.assert_allclose(wj, w, rtol=1e-12)
    np.testing.assert_allclose(bj, b, rtol=1e-12)


# ----------------------------------------------------------------------------- regressions


def _cofactors(a):
    n = a.shape[0]
    if n == 1:
        return np.ones((1, 1))
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1))
                      for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("a", [
    np.array([[1.0, 2.0], [2.0, 4.0]]),
    np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),  # rank 2: rank-one gradient
    np.ones((3, 3)),  # rank 1: zero gradient
    np.array([[0.0, 1.0], [0.0, 0.0]]),
    np.zeros((1, 1)),  # the cofactor of a 1x1 matrix is 1
], ids=["rank1_2x2", "rank2_3x3", "rank1_3x3", "nilpotent", "zero_1x1"])
def test_det_gradient_of_a_singular_matrix_is_its_cofactor_matrix(a):
    """It was LAPACK's `LinAlgError: Singular matrix`: the rule was det(a) inv(a)^T."""
    for g in (tracenp.grad(np.linalg.det), tracenp.jit(tracenp.grad(np.linalg.det))):
        np.testing.assert_allclose(g(a), _cofactors(a), atol=1e-14)
    batch = np.stack([a, a + np.eye(len(a))])
    got = tracenp.grad(lambda b: np.sum(np.linalg.det(b)))(batch)
    np.testing.assert_allclose(got[0], _cofactors(a), atol=1e-14)
    np.testing.assert_allclose(got[1], _cofactors(batch[1]), rtol=1e-12, atol=1e-14)
    got32 = tracenp.grad(np.linalg.det)(a.astype(np.float32))
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, _cofactors(a), atol=1e-5)


def test_det_hessian_stays_finite_at_the_identity():
    """The singular branch factors a stand-in matrix with distinct singular values where it is
    not taken, so second derivatives of a non-singular det get no NaN from it."""
    hess = tracenp.jacobian(tracenp.grad(np.linalg.det))(np.eye(3))
    assert np.isfinite(hess).all()
    assert hess[0, 0, 1, 1] == pytest.approx(1.0) and hess[0, 1, 1, 0] == pytest.approx(-1.0)
    a = normal(3, 3)
    hess = tracenp.jacobian(tracenp.grad(np.linalg.det))(a)
    for i, j in np.ndindex(3, 3):
        d = np.zeros((3, 3))
        d[i, j] = 1e-6
        np.testing.assert_allclose(hess[:, :, i, j], (_cofactors(a + d) - _cofactors(a - d)) / 2e-6,
                                   rtol=1e-6, atol=1e-8)


def test_has_aux_without_a_pair_is_a_type_error_not_a_refused_tracer():
    """The message named the `Tracer` type, and `jit` took any TypeError mentioning it for
    Python refusing a traced value: a ConcretizationError suggesting fallback=True."""
    for g in (tracenp.grad(lambda x: np.sum(x), has_aux=True),
              tracenp.jit(tracenp.value_and_grad(lambda x: np.sum(x), has_aux=True))):
        with pytest.raises(TypeError, match=r"pair \(value, aux\), got an array of shape \(\)") as e:
            g(np.ones(2))
        assert not isinstance(e.value, tracenp.errors.ConcretizationError)
    with pytest.raises(TypeError, match="got tuple"):
        tracenp.grad(lambda x: (np.sum(x), 1, 2), has_aux=True)(np.ones(2))


# ----------------------------------------------------------------------------- conventions


def test_where_gradients_follow_jax():
    """The untaken branch gets a zero cotangent; where its own derivative is infinite there
    (sqrt at 0) the product is NaN, as in JAX; the double-where idiom avoids it."""
    g_log = tracenp.grad(lambda x: np.sum(np.where(x > 0, np.log(x), 0.0)))
    np.testing.assert_array_equal(g_log(np.array([1.0, -1.0, -2.0, 4.0])), [1.0, 0.0, 0.0, 0.25])
    x = np.array([1.0, -1.0, 0.0, 4.0])
    g_sqrt = tracenp.grad(lambda x: np.sum(np.where(x > 0, np.sqrt(x), 0.0)))(x)
    assert np.isnan(g_sqrt[2]) and g_sqrt[0] == 0.5 and g_sqrt[3] == 0.25
    safe = tracenp.grad(lambda x: np.sum(np.where(x > 0, np.sqrt(np.where(x > 0, x, 1.0)), 0.0)))
    np.testing.assert_array_equal(safe(x), [0.5, 0.0, 0.0, 0.25])


def test_norm_at_zero_is_nan_as_in_jax_and_autograd():
    """sqrt(sum(x * x)) at 0: 0 * inf. Written with a guard it is finite."""
    assert np.isnan(tracenp.grad(np.linalg.norm)(np.zeros(3))).all()
    np.testing.assert_allclose(tracenp.grad(np.linalg.norm)(np.array([3.0, 4.0])), [0.6, 0.8])
    guarded = tracenp.grad(lambda x: np.sqrt(np.sum(x * x) + 1e-12))(np.zeros(3))
    np.testing.assert_array_equal(guarded, np.zeros(3))


def test_kinks_and_ties():
    g = tracenp.grad
    x = np.array([0.0, 1.0, -1.0])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.maximum(x, 0)))(x), [0.5, 1, 0])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.minimum(x, 0)))(x), [0.5, 0, 1])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.where(x > 0, x, 0)))(x), [0, 1, 0])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.abs(x)))(x), [0, 1, -1])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.clip(x, 0, 1)))(np.array(
        [0.0, 1.0, 0.5, 2.0, -1.0])), [0.5, 0.5, 1, 0, 0])  # maximum, then minimum: ties
    np.testing.assert_array_equal(g(np.max)(np.array([1.0, 3.0, 3.0])), [0, 0.5, 0.5])
    np.testing.assert_array_equal(g(lambda x: x[np.argmax(x)])(np.array([1.0, 3.0, 3.0])),
                                  [0, 1, 0])
    np.testing.assert_array_equal(g(lambda x: np.sum(np.sort(x) * np.arange(4)))(
        np.array([3.0, 1.0, 2.0, 0.5])), [3, 1, 2, 0])
    np.testing.assert_array_equal(g(np.prod)(np.array([3.0, 0.0, 5.0, 2.0])), [0, 30, 0, 0])
    np.testing.assert_array_equal(g(np.median)(np.array([3.0, 1.0, 5.0, 0.5, 2.0])),
                                  [0, 0, 0, 0, 1])


def test_stable_forms_at_zero_logits():
    """Zero-initialized weights make every logit exactly 0, the kink of the where-based
    stable softplus and sigmoid: the gradients there are sigmoid(0) = 1/2 and 1/4."""
    z = np.zeros(3)
    for fn, want in [(lambda x: np.sum(np.log(1 + np.exp(x))), 0.5),
                     (lambda x: np.sum(np.logaddexp(0, x)), 0.5),
                     (lambda x: np.sum(np.log(sigmoid(x))), 0.5),
                     (lambda x: np.sum(np.log(1 - sigmoid(x))), -0.5),
                     (lambda x: np.sum(sigmoid(x)), 0.25),
                     (lambda x: np.log(np.sum(np.exp(x))), 1 / 3)]:
        np.testing.assert_allclose(tracenp.grad(fn)(z), np.full(3, want), rtol=1e-15)


# ----------------------------------------------------------------------------- API behaviour


def test_float32_parameters_get_float32_gradients_and_values_keep_numpys_dtype():
    x32 = normal(4, 3).astype(np.float32)
    cases = [lambda x: np.sum(np.sin(np.pi * x)),
             lambda x: np.sum(np.log(np.sum(np.exp(x - x.max(1, keepdims=True)), 1))),
             lambda x: np.sum((x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)),
             lambda x: np.linalg.norm(x),
             lambda x: np.sum(np.linalg.cholesky(x.T @ x + np.eye(3, dtype=np.float32))),
             lambda x: -np.mean(x[np.arange(4), np.array([0, 2, 1, 1])]),
             lambda x: np.sum(x @ (np.eye(3) * 2)),  # float64 data: a float64 value
             lambda x: np.sum(x * np.arange(3))]
    for fn in cases:
        value, g = tracenp.value_and_grad(fn)(x32)
        assert g.dtype == np.float32
        assert np.asarray(value).dtype == np.asarray(fn(x32)).dtype
        np.testing.assert_allclose(g, tracenp.grad(fn)(x32.astype(np.float64)), rtol=1e-3,
                                   atol=1e-4)
    g16 = tracenp.grad(lambda x: np.sum(x ** 2))(np.ones(2, np.float16))
    assert g16.dtype == np.float16


def test_integer_inputs_are_not_differentiated_and_refused_when_asked():
    f = lambda w, n, labels: np.sum(w[labels] ** n)  # noqa: E731
    w, labels = normal(4), np.array([0, 0, 3])
    np.testing.assert_allclose(tracenp.grad(f)(w, 3, labels), [6 * w[0] ** 2, 0, 0, 3 * w[3] ** 2])
    with pytest.raises(TypeError, match="argument labels has dtype int64"):
        tracenp.grad(f, argnums=(0, 2))(w, 3, labels)
    with pytest.raises(TypeError, match="argument n has dtype int64"):
        tracenp.grad(f, argnums=1)(w, 3, labels)


def test_pytree_arguments_keep_their_structure():
    import dataclasses
    from collections import namedtuple

    @dataclasses.dataclass
    class Layer:
        W: np.ndarray
        b: np.ndarray

    Pair = namedtuple("Pair", "mu log_sigma")
    params = {"layers": [Layer(normal(3, 2), normal(2))], "head": Pair(normal(2), 0.1),
              "frozen": None, "empty": {}}

    def loss(p, x):
        h = np.tanh(x @ p["layers"][0].W + p["layers"][0].b)
        return np.sum((h - p["head"].mu) ** 2 * np.exp(p["head"].log_sigma))

    g = tracenp.grad(loss)(params, normal(4, 3))
    assert isinstance(g["layers"][0], Layer) and isinstance(g["head"], Pair)
    assert g["frozen"] is None and g["empty"] == {} and type(g["head"].log_sigma) is float
    assert list(g) == ["layers", "head", "frozen", "empty"]


def test_gradient_called_again_with_new_shapes_plain_and_jitted():
    def loss(w, X, y):
        return np.mean((np.tanh(X @ w) - y) ** 2)

    for g in (tracenp.grad(loss), tracenp.jit(tracenp.grad(loss))):
        for n, d in [(5, 3), (7, 3), (4, 6)]:
            w, X_, y = normal(d), normal(n, d), normal(n)
            (num,) = numeric_grads(loss, (w, X_, y), (0,))[0]
            assert_grads_close(g(w, X_, y), num)


def test_random_draws_inside_the_loss_are_shared_by_value_and_gradient():
    """Dropout drawn inside the loss: one draw per call, used by the forward and backward."""
    def loss(w):
        mask = np.random.rand(6) > 0.5
        return np.sum((w * mask / 0.5) ** 2)

    w = normal(6)
    np.random.seed(0)
    mask = np.random.rand(6) > 0.5
    np.random.seed(0)
    value, g = tracenp.value_and_grad(loss)(w)
    assert value == pytest.approx(np.sum((w * mask / 0.5) ** 2), rel=1e-12)
    np.testing.assert_allclose(g, 8 * w * mask, rtol=1e-12)


def test_has_aux_argnums_and_kwargs_under_jit():
    def loss(w, b, X, y=None):
        pred = X @ w + b
        return np.mean((pred - y) ** 2), {"pred": pred, "epoch": 3}

    w, X_, y = normal(3), normal(5, 3), normal(5)
    step = tracenp.jit(tracenp.value_and_grad(loss, argnums=(0, 1), has_aux=True))
    (value, aux), (gw, gb) = step(w, 0.5, X_, y=y)
    r = X_ @ w + 0.5 - y
    assert value == pytest.approx(np.mean(r ** 2)) and aux["epoch"] == 3
    np.testing.assert_allclose(aux["pred"], X_ @ w + 0.5)
    np.testing.assert_allclose(gw, 2 * X_.T @ r / 5, rtol=1e-12)
    assert gb == pytest.approx(2 * r.mean(), rel=1e-12)


def test_hessian_vector_product_and_gradient_penalty():
    W = normal(3, 2)
    penalty = lambda W, x: np.sum(tracenp.grad(lambda x: np.sum(np.tanh(x @ W)))(x) ** 2)  # noqa
    check_grads(penalty, (W, normal(4, 3)), argnums=(0, 1))
    hvp = lambda w, v: np.sum(tracenp.grad(lambda w: np.sum(np.tanh(w @ w.T)))(w) * v)  # noqa
    check_grads(hvp, (normal(3, 2), normal(3, 2)))


def test_python_control_flow_on_traced_values_is_a_named_error():
    """`max(x[0], x[1])` folds by `np.where` (its gradient goes to the larger); `float()` of a
    traced value is a traced Python float on the retried trace, with its gradient."""
    np.testing.assert_array_equal(tracenp.grad(lambda x: max(x[0], x[1]))(np.array([1.0, 3.0])),
                                  [0.0, 1.0])
    with pytest.raises(tracenp.errors.ConcretizationError, match="truth value of a traced"):
        tracenp.grad(lambda x: x[0] if x[1] > 0 else x[1])(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(tracenp.grad(lambda x: float(np.sum(x * x)))(
        np.array([1.0, 2.0])), [2.0, 4.0])


DATA = {"X": np.ones((4, 3))}


@pytest.mark.xfail(strict=True, reason="a transform called on arrays compiles once per "
                   "argument signature, like jit, so arrays read from globals are constants of "
                   "that trace; autograd and JAX's un-jitted grad read them at each call")
def test_un_jitted_grad_sees_a_global_changed_between_calls():
    def loss(w):
        return np.sum((DATA["X"] @ w) ** 2)

    g, w = tracenp.grad(loss), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(g(w), 2 * DATA["X"].T @ (DATA["X"] @ w))
    DATA["X"] = np.full((4, 3), 2.0)
    np.testing.assert_allclose(g(w), 2 * DATA["X"].T @ (DATA["X"] @ w))


def test_a_scipy_ufunc_without_a_rule_is_a_named_refusal():
    sps_ = pytest.importorskip("scipy.special")
    for fn in (sps_.erfcx,):  # (digamma's is polygamma(1, x) since stop 31)
        with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="not supported"):
            tracenp.grad(lambda x: np.sum(fn(x)))(np.array([0.5, 1.5]))


def test_det_gradient_of_a_singular_complex_matrix():
    """The SVD branch's det(U) det(Vh) is a phase for complex matrices: taken before the
    conjugation that the `inv(a)^T` convention needs."""
    for a in (np.array([[1 + 1j, 2 + 2j], [1, 2]]),
              np.array([[1 + 2j, 3, 1j], [1 + 2j, 3, 1j], [2, 1 - 1j, 4]])):
        assert np.linalg.det(a) == 0
        _, pull = tracenp.vjp(np.linalg.det, a)
        np.testing.assert_allclose(pull(np.array(1.0 + 0j))[0], _cofactors(a), atol=1e-13)
