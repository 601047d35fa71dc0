"""Corpus, hunt T: NumPy code as the most-copied from-scratch machine-learning repositories
write it. The CS231n assignments: SVM and softmax losses by loops over samples and classes and
vectorized (`margins[np.arange(N), y] = 0`), k-NN distances with two, one and no loops,
`predict_labels` by `np.argsort` and `np.bincount(closest_y).argmax()`, cross-validation folds
by `np.array_split`, `layers.py` (affine, ReLU, batch norm with running statistics kept in a
`bn_param` dict, its backward passes, layer norm, dropout with a given mask, naive convolution
and max pooling by nested loops with `np.pad` and `np.unravel_index`), RNN and LSTM steps and
sequences, word embeddings by `np.add.at`, temporal affine and masked softmax losses, greedy
caption sampling, `optim.py`'s update rules returning `(next_w, config)`, a solver loop, and
finite-difference gradients. The deeplearning.ai courses: parameters in dicts keyed
`"W" + str(l)`, caches as nested tuples, `L_model_forward`/`L_model_backward`, `np.squeeze`
costs, L2 regularisation, dropout by given draws, gradient checking through
`dictionary_to_vector`, Adam and momentum with `v`/`s` dicts, shuffled mini-batches. "Neural
Networks from Scratch": `Layer_Dense`, `Activation_Softmax` with the per-sample Jacobian by
`np.diagflat`, categorical cross-entropy for sparse and one-hot labels, the combined softmax
and loss backward, optimizers updating layer attributes. ML-From-Scratch and numpy-ml:
`normalize`, polynomial features by `combinations_with_replacement`, regression classes with
regularizer objects, logistic regression, PCA by `np.linalg.eig`, naive Bayes with `math`
likelihoods, k-NN by votes, an MLP, im2col convolution by index arrays, a batch-norm layer,
the optimizer classes, activation and loss classes with `__call__`/`gradient`, learning-rate
schedulers and weight initializers given `fan_in`/`fan_out`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import copy
import math
from itertools import combinations_with_replacement

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_exercises import svm_loss_naive  # CS231n's, as the exercises wrote it

# --------------------------------------------------------------- CS231n: linear classifiers


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(num_classes):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    loss /= num_train
    loss += reg * np.sum(W * W)
    dW /= num_train
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct_class_scores = scores[np.arange(num_train), y].reshape(num_train, 1)
    margins = np.maximum(0, scores - correct_class_scores + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train
    loss += reg * np.sum(W * W)
    binary = margins
    binary[margins > 0] = 1
    row_sum = np.sum(binary, axis=1)
    binary[np.arange(num_train), y] = -row_sum.T
    dW = X.T.dot(binary) / num_train
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[np.arange(num_train), y])) / num_train
    loss += reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW


# ------------------------------------------------------------------------- CS231n: k-NN


def compute_distances_two_loops(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        for j in range(num_train):
            dists[i, j] = np.sqrt(np.sum(np.square(X[i, :] - X_train[j, :])))
    return dists


def compute_distances_one_loop(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        dists[i, :] = np.sqrt(np.sum((X_train - X[i, :]) ** 2, axis=1))
    return dists


def compute_distances_no_loops(X, X_train):
    test_sq = np.sum(X ** 2, axis=1, keepdims=True)
    train_sq = np.sum(X_train ** 2, axis=1)
    cross = X.dot(X_train.T)
    return np.sqrt(test_sq - 2 * cross + train_sq)


def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i])[:k]]
        y_pred[i] = np.bincount(closest_y).argmax()
    return y_pred


def knn_cross_validation(X_train, y_train, num_folds=3, k_choices=(1, 3, 5)):
    X_train_folds = np.array_split(X_train, num_folds)
    y_train_folds = np.array_split(y_train, num_folds)
    k_to_accuracies = {}
    for k in k_choices:
        k_to_accuracies[k] = []
        for i in range(num_folds):
            X_tr = np.concatenate(X_train_folds[:i] + X_train_folds[i + 1:])
            y_tr = np.concatenate(y_train_folds[:i] + y_train_folds[i + 1:])
            dists = compute_distances_no_loops(X_train_folds[i], X_tr)
            y_pred = predict_labels(dists, y_tr, k=k)
            k_to_accuracies[k].append(np.mean(y_pred == y_train_folds[i]))
    return k_to_accuracies


# ---------------------------------------------------------------------- CS231n: layers.py


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    out = np.maximum(0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx


def relu_backward_copy(dout, cache):
    dx, x = None, cache
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx


def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db


def affine_relu_roundtrip(x, w, b, dout):
    out, cache = affine_relu_forward(x, w, b)
    dx, dw, db = affine_relu_backward(dout, cache)
    return out, dx, dw, db, relu_backward_copy(dout, out)


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    out, cache = None, None
    if mode == "train":
        sample_mean = np.mean(x, axis=0)
        sample_var = np.var(x, axis=0)
        x_hat = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = gamma * x_hat + beta
        cache = (x, x_hat, sample_mean, sample_var, gamma, eps)
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, gamma, eps = cache
    N = x.shape[0]
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx_hat = dout * gamma
    std = np.sqrt(var + eps)
    dvar = np.sum(dx_hat * (x - mu) * -0.5 * std ** -3, axis=0)
    dmu = np.sum(-dx_hat / std, axis=0) + dvar * np.mean(-2.0 * (x - mu), axis=0)
    dx = dx_hat / std + dvar * 2.0 * (x - mu) / N + dmu / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x, x_hat, mu, var, gamma, eps = cache
    N = x.shape[0]
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx_hat = dout * gamma
    dx = (1.0 / N) / np.sqrt(var + eps) * (
        N * dx_hat - np.sum(dx_hat, axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, dgamma, dbeta


def batchnorm_train_then_test(x, gamma, beta, x_test, bn_param, steps=3):
    for _ in range(steps):
        out, _ = batchnorm_forward(x, gamma, beta, bn_param)
        x = x * 1.1 + 0.1
    bn_param["mode"] = "test"
    test_out, _ = batchnorm_forward(x_test, gamma, beta, bn_param)
    bn_param["mode"] = "train"
    return out, test_out


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    x_t = x.T
    mu = x_t.mean(axis=0)
    var = x_t.var(axis=0)
    x_hat = ((x_t - mu) / np.sqrt(var + eps)).T
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, var + eps)
    return out, cache


def layernorm_backward(dout, cache):
    x_hat, gamma, var_eps = cache
    D = x_hat.shape[1]
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx_hat = (dout * gamma).T
    xh = x_hat.T
    dx = (1.0 / D) / np.sqrt(var_eps) * (
        D * dx_hat - np.sum(dx_hat, axis=0) - xh * np.sum(dx_hat * xh, axis=0))
    return dx.T, dgamma, dbeta


def layernorm_roundtrip(x, gamma, beta, dout, ln_param):
    out, cache = layernorm_forward(x, gamma, beta, ln_param)
    return out, layernorm_backward(dout, cache)


def dropout_forward(x, dropout_param, mask):
    p, mode = dropout_param["p"], dropout_param["mode"]
    out = None
    if mode == "train":
        mask = mask / p
        out = x * mask
    elif mode == "test":
        out = x
    cache = (dropout_param, mask)
    out = out.astype(x.dtype, copy=False)
    return out, cache


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    mode = dropout_param["mode"]
    dx = None
    if mode == "train":
        dx = dout * mask
    elif mode == "test":
        dx = dout
    return dx


def dropout_roundtrip(x, dout, dropout_param, mask):
    out, cache = dropout_forward(x, dropout_param, mask)
    return out, dropout_backward(dout, cache)


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = int(1 + (H + 2 * pad - HH) / stride)
    W_out = int(1 + (W + 2 * pad - WW) / stride)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    out[n, f, i, j] = np.sum(x_pad[n, :, h0:h0 + HH, w0:w0 + WW] * w[f]) + b[f]
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.sum(dout, axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    dw[f] += x_pad[n, :, h0:h0 + HH, w0:w0 + WW] * dout[n, f, i, j]
                    dx_pad[n, :, h0:h0 + HH, w0:w0 + WW] += w[f] * dout[n, f, i, j]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


def conv_naive_roundtrip(x, w, b, dout, conv_param):
    out, cache = conv_forward_naive(x, w, b, conv_param)
    return out, conv_backward_naive(dout, cache)


def max_pool_forward_naive(x, pool_param):
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    out[n, c, i, j] = np.max(x[n, c, hs:hs + ph, ws:ws + pw])
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x[n, c, hs:hs + ph, ws:ws + pw]
                    idx = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, hs + idx[0], ws + idx[1]] += dout[n, c, i, j]
    return dx


def max_pool_backward_by_mask(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            m = np.max(window, axis=(2, 3), keepdims=True)
            mask = window == m
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += (
                mask * dout[:, :, i, j][:, :, None, None])
    return dx


def max_pool_roundtrip(x, dout, pool_param):
    out, cache = max_pool_forward_naive(x, pool_param)
    return out, max_pool_backward_naive(dout, cache), max_pool_backward_by_mask(dout, cache)


def svm_loss(x, y):
    N = x.shape[0]
    correct_class_scores = x[np.arange(N), y]
    margins = np.maximum(0, x - correct_class_scores[:, np.newaxis] + 1.0)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N
    num_pos = np.sum(margins > 0, axis=1)
    dx = np.zeros_like(x)
    dx[margins > 0] = 1
    dx[np.arange(N), y] -= num_pos
    dx /= N
    return loss, dx


def softmax_loss(x, y):
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


# ---------------------------------------------------------------- CS231n: rnn_layers.py


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    dx = dtanh.dot(Wx.T)
    dprev_h = dtanh.dot(Wh.T)
    dWx = x.T.dot(dtanh)
    dWh = prev_h.T.dot(dtanh)
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, cache_t = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(cache_t)
    return h, cache


def rnn_backward(dh, cache):
    x, prev_h, Wx, Wh, next_h = cache[0]
    N, T, H = dh.shape
    D = x.shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db


def rnn_step_roundtrip(x, prev_h, Wx, Wh, b, dnext_h):
    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    return next_h, rnn_step_backward(dnext_h, cache)


def rnn_forward_backward(x, h0, Wx, Wh, b, dh):
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    return h, rnn_backward(dh, cache)


def word_embedding_forward(x, W):
    out = W[x, :]
    cache = (x, W)
    return out, cache


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)
    return dW


def word_embedding_roundtrip(x, W, dout):
    out, cache = word_embedding_forward(x, W)
    return out, word_embedding_backward(dout, cache)


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    M = b.shape[0]
    out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b
    cache = x, w, b, out
    return out, cache


def temporal_affine_backward(dout, cache):
    x, w, b, out = cache
    N, T, D = x.shape
    M = b.shape[0]
    dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)
    dw = dout.reshape(N * T, M).T.dot(x.reshape(N * T, D)).T
    db = dout.sum(axis=(0, 1))
    return dx, dw, db


def temporal_affine_roundtrip(x, w, b, dout):
    out, cache = temporal_affine_forward(x, w, b)
    return out, temporal_affine_backward(dout, cache)


def temporal_softmax_loss(x, y, mask, verbose=False):
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    if verbose:
        print("dx_flat: ", dx_flat.shape)
    dx = dx_flat.reshape(N, T, V)
    return loss, dx


def stable_sigmoid(x):
    pos_mask = x >= 0
    neg_mask = x < 0
    z = np.zeros_like(x)
    z[pos_mask] = np.exp(-x[pos_mask])
    z[neg_mask] = np.exp(x[neg_mask])
    top = np.ones_like(x)
    top[neg_mask] = z[neg_mask]
    return top / (1 + z)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = stable_sigmoid(a[:, :H])
    f = stable_sigmoid(a[:, H:2 * H])
    o = stable_sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    do = dnext_h * tanh_c
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    df = dc * prev_c
    di = dc * g
    dg = dc * i
    dprev_c = dc * f
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g ** 2) * dg))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = np.sum(da, axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_step_roundtrip(x, prev_h, prev_c, Wx, Wh, b, dnext_h, dnext_c):
    next_h, next_c, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    return next_h, next_c, lstm_step_backward(dnext_h, dnext_c, cache)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = {}
    prev_h = h0
    prev_c = np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c, cache[t] = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
    return h, cache[T - 1][-1]


def captioning_sample(features, W_proj, b_proj, W_embed, Wx, Wh, b, W_vocab, b_vocab,
                      max_length=5, start=1):
    N = features.shape[0]
    captions = start * np.ones((N, max_length), dtype=np.int32)
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros_like(h)
    word = start * np.ones(N, dtype=np.int32)
    for t in range(max_length):
        embed, _ = word_embedding_forward(word, W_embed)
        h, c, _ = lstm_step_forward(embed, h, c, Wx, Wh, b)
        scores, _ = affine_forward(h, W_vocab, b_vocab)
        captions[:, t] = np.argmax(scores, axis=1)
        word = captions[:, t]
    return captions


# -------------------------------------------------------------------- CS231n: optim.py


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    mt = config["m"] / (1 - config["beta1"] ** config["t"])
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * (dw ** 2)
    vt = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"])
    return next_w, config


def solver_train(W, X, y, num_iters=4, update_rule="adam", reg=1e-3):
    rule = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}[update_rule]
    optim_config = {"learning_rate": 5e-2}
    loss_history = []
    for it in range(num_iters):
        loss, grad = softmax_loss_vectorized(W, X, y, reg)
        loss_history.append(loss)
        W, optim_config = rule(W, grad, optim_config)
    return W, loss_history


# ------------------------------------------------------- CS231n: gradient_check.py style


def eval_numerical_gradient(f, x, verbose=False, h=0.00001):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        oldval = x[ix]
        x[ix] = oldval + h
        pos = f(x).copy()
        x[ix] = oldval - h
        neg = f(x).copy()
        x[ix] = oldval
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad


def numerical_grads_of_affine(x, w, b, dout):
    dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)
    return dx_num, dw_num, db_num


def numerical_grad_of_softmax_loss(W, X, y):
    grad = np.zeros_like(W)
    h = 1e-5
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            oldval = W[i, j]
            W[i, j] = oldval + h
            fxph = softmax_loss_vectorized(W, X, y, 0.0)[0]
            W[i, j] = oldval - h
            fxmh = softmax_loss_vectorized(W, X, y, 0.0)[0]
            W[i, j] = oldval
            grad[i, j] = (fxph - fxmh) / (2 * h)
    return grad


def numerical_grad_relu_nditer(x, dout):
    return eval_numerical_gradient(lambda x: np.sum(relu_forward(x)[0] * dout), x)


def _bn_cache(s, n, d=5):
    x = _f(n, d, seed=s) * 2 + 1
    gamma, eps = _f(d, seed=s + 1), 1e-5
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return (x, x_hat, mu, var, gamma, eps)


def _lstm_args(s, n, d=3, h=4):
    return (_f(n, d, seed=s), _f(n, h, seed=s + 1), _f(n, h, seed=s + 2),
            _f(d, 4 * h, seed=s + 3) / 2, _f(h, 4 * h, seed=s + 4) / 2, _f(4 * h, seed=s + 5))


CS231N = {
    "softmax_loss_naive": (softmax_loss_naive, {}, lambda s, n: (
        _f(5, 4, seed=s) * 0.1, _f(n, 5, seed=s + 1), _i(4, n, seed=s), 0.1)),
    "svm_loss_vectorized": (svm_loss_vectorized, {}, lambda s, n: (
        _f(5, 4, seed=s) * 0.5, _f(n, 5, seed=s + 1), _i(4, n, seed=s), 0.05)),
    "softmax_loss_vectorized": (softmax_loss_vectorized, {}, lambda s, n: (
        _f(5, 4, seed=s) * 0.1, _f(n, 5, seed=s + 1), _i(4, n, seed=s), 0.1)),
    "compute_distances_two_loops": (compute_distances_two_loops, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(5, 3, seed=s + 1))),
    "compute_distances_one_loop": (compute_distances_one_loop, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(7, 3, seed=s + 1))),
    "compute_distances_no_loops": (compute_distances_no_loops, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(7, 3, seed=s + 1))),
    "predict_labels_k3": (predict_labels, {"k": 3}, lambda s, n: (
        _f(n, 7, seed=s, positive=True), _i(4, 7, seed=s))),
    "knn_cross_validation": (knn_cross_validation, {}, lambda s, n: (
        _f(3 * n, 4, seed=s), _i(3, 3 * n, seed=s))),
    "affine_backward_given_cache": (affine_backward, {}, lambda s, n: (
        _f(n, 4, seed=s + 3), (_f(n, 2, 3, seed=s), _f(6, 4, seed=s + 1), _f(4, seed=s + 2)))),
    "affine_relu_roundtrip": (affine_relu_roundtrip, {}, lambda s, n: (
        _f(n, 2, 3, seed=s), _f(6, 4, seed=s + 1), _f(4, seed=s + 2), _f(n, 4, seed=s + 3))),
    "batchnorm_forward_train_running": (batchnorm_forward, {}, lambda s, n: (
        _f(n, 5, seed=s) * 3 + 2, _f(5, seed=s + 1), _f(5, seed=s + 2),
        {"mode": "train", "momentum": 0.8, "running_mean": _f(5, seed=s + 3),
         "running_var": _f(5, seed=s + 4, positive=True)})),
    "batchnorm_forward_test": (batchnorm_forward, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(5, seed=s + 1), _f(5, seed=s + 2),
        {"mode": "test", "eps": 1e-3, "running_mean": _f(5, seed=s + 3),
         "running_var": _f(5, seed=s + 4, positive=True)})),
    "batchnorm_train_then_test": (batchnorm_train_then_test, {}, lambda s, n: (
        _f(n, 5, seed=s) * 3 + 2, _f(5, seed=s + 1), _f(5, seed=s + 2), _f(3, 5, seed=s + 3),
        {"mode": "train"})),
    "batchnorm_backward": (batchnorm_backward, {}, lambda s, n: (
        _f(n, 5, seed=s + 7), _bn_cache(s, n))),
    "batchnorm_backward_alt": (batchnorm_backward_alt, {}, lambda s, n: (
        _f(n, 5, seed=s + 7), _bn_cache(s, n))),
    "layernorm_roundtrip": (layernorm_roundtrip, {}, lambda s, n: (
        _f(n, 5, seed=s) * 2 - 1, _f(5, seed=s + 1), _f(5, seed=s + 2), _f(n, 5, seed=s + 3),
        {})),
    "dropout_train_roundtrip": (dropout_roundtrip, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(n, 6, seed=s + 1), {"p": 0.6, "mode": "train"},
        np.random.default_rng(s).random((n, 6)) < 0.6)),
    "dropout_test_roundtrip": (dropout_roundtrip, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(n, 6, seed=s + 1), {"p": 0.6, "mode": "test"}, None)),
    "conv_naive_roundtrip_pad1": (conv_naive_roundtrip, {}, lambda s, n: (
        _f(2, 3, n, 4, seed=s), _f(2, 3, 3, 3, seed=s + 1), _f(2, seed=s + 2),
        _f(2, 2, n, 4, seed=s + 3), {"stride": 1, "pad": 1})),
    "conv_naive_roundtrip_stride2": (conv_naive_roundtrip, {}, lambda s, n: (
        _f(1, 2, n + 1, 5, seed=s), _f(3, 2, 3, 3, seed=s + 1), _f(3, seed=s + 2),
        _f(1, 3, n // 2 + 1, 3, seed=s + 3), {"stride": 2, "pad": 1})),
    "max_pool_roundtrip": (max_pool_roundtrip, {}, lambda s, n: (
        _f(2, 2, n, 4, seed=s), _f(2, 2, n // 2, 2, seed=s + 1),
        {"pool_height": 2, "pool_width": 2, "stride": 2})),
    "max_pool_roundtrip_overlapping": (max_pool_roundtrip, {}, lambda s, n: (
        _f(1, 2, n, 5, seed=s), _f(1, 2, n - 2, 3, seed=s + 1),
        {"pool_height": 3, "pool_width": 3, "stride": 1})),
    "svm_loss": (svm_loss, {}, lambda s, n: (_f(n, 5, seed=s), _i(5, n, seed=s))),
    "softmax_loss": (softmax_loss, {}, lambda s, n: (_f(n, 5, seed=s) * 4, _i(5, n, seed=s))),
    "rnn_step_roundtrip": (rnn_step_roundtrip, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 4, seed=s + 1), _f(3, 4, seed=s + 2), _f(4, 4, seed=s + 3) / 2,
        _f(4, seed=s + 4), _f(n, 4, seed=s + 5))),
    "rnn_forward_backward": (rnn_forward_backward, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _f(2, 4, seed=s + 1), _f(3, 4, seed=s + 2),
        _f(4, 4, seed=s + 3) / 2, _f(4, seed=s + 4), _f(2, n, 4, seed=s + 5))),
    "word_embedding_roundtrip": (word_embedding_roundtrip, {}, lambda s, n: (
        _i(5, 2, n, seed=s), _f(5, 3, seed=s + 1), _f(2, n, 3, seed=s + 2))),
    "temporal_affine_roundtrip": (temporal_affine_roundtrip, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, seed=s + 2), _f(2, n, 4, seed=s + 3))),
    "temporal_softmax_loss": (temporal_softmax_loss, {}, lambda s, n: (
        _f(2, n, 5, seed=s) * 2, _i(5, 2, n, seed=s),
        np.random.default_rng(s).random((2, n)) > 0.3)),
    "lstm_step_roundtrip": (lstm_step_roundtrip, {}, lambda s, n: (
        *_lstm_args(s, n), _f(n, 4, seed=s + 6), _f(n, 4, seed=s + 7))),
    "lstm_forward": (lstm_forward, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _f(2, 4, seed=s + 1), *_lstm_args(s, 2)[3:])),
    "captioning_sample": (captioning_sample, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(6, 4, seed=s + 1), _f(4, seed=s + 2), _f(7, 3, seed=s + 3),
        *_lstm_args(s, n)[3:], _f(4, 7, seed=s + 8), _f(7, seed=s + 9))),
    "sgd_without_config": (sgd, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "sgd_momentum_fresh_config": (sgd_momentum, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), {"learning_rate": 1e-3})),
    "rmsprop": (rmsprop, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1),
        {"learning_rate": 1e-2, "cache": _f(n, 3, seed=s + 2, positive=True)})),
    "adam_fresh_config": (adam, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), {})),
    "adam_resumed_config": (adam, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1),
        {"learning_rate": 1e-2, "m": _f(n, 3, seed=s + 2) * 0.1,
         "v": _f(n, 3, seed=s + 3, positive=True) * 0.01, "t": 5})),
    "solver_train_adam": (solver_train, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.01, _f(n, 5, seed=s + 1), _i(3, n, seed=s))),
    "solver_train_sgd_momentum": (solver_train, {"update_rule": "sgd_momentum"}, lambda s, n: (
        _f(5, 3, seed=s) * 0.01, _f(n, 5, seed=s + 1), _i(3, n, seed=s))),
    "numerical_grads_of_affine": (numerical_grads_of_affine, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(2, 3, seed=s + 1), _f(3, seed=s + 2), _f(n, 3, seed=s + 3))),
    "numerical_grad_of_softmax_loss": (numerical_grad_of_softmax_loss, {}, lambda s, n: (
        _f(3, 3, seed=s) * 0.1, _f(n, 3, seed=s + 1), _i(3, n, seed=s))),
}


@pytest.mark.parametrize("name", list(CS231N))
def test_cs231n_assignments_match_numpy(name):
    check_like_numpy(*CS231N[name])


# ------------------------------------------ CS231n: fast layers, nets, preprocessing, grids


def conv_forward_strides(x, w, b, conv_param):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    p = pad
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    H += 2 * pad
    W += 2 * pad
    out_h = (H - HH) // stride + 1
    out_w = (W - WW) // stride + 1
    shape = (C, HH, WW, N, out_h, out_w)
    strides = (H * W, W, 1, C * H * W, stride * W, stride)
    strides = x.itemsize * np.array(strides)
    x_stride = np.lib.stride_tricks.as_strided(x_padded, shape=shape, strides=strides)
    x_cols = np.ascontiguousarray(x_stride)
    x_cols.shape = (C * HH * WW, N * out_h * out_w)
    res = w.reshape(F, -1).dot(x_cols) + b.reshape(-1, 1)
    res.shape = (F, N, out_h, out_w)
    out = res.transpose(1, 0, 2, 3)
    out = np.ascontiguousarray(out)
    cache = (x, w, b, conv_param, x_cols)
    return out, cache


def max_pool_forward_reshape(x, pool_param):
    N, C, H, W = x.shape
    pool_height, pool_width = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    assert pool_height == pool_width == stride, "Invalid pool params"
    assert H % pool_height == 0
    assert W % pool_height == 0
    x_reshaped = x.reshape(N, C, H // pool_height, pool_height, W // pool_width, pool_width)
    out = x_reshaped.max(axis=3).max(axis=4)
    cache = (x, x_reshaped, out)
    return out, cache


def max_pool_backward_reshape(dout, cache):
    x, x_reshaped, out = cache
    dx_reshaped = np.zeros_like(x_reshaped)
    out_newaxis = out[:, :, :, np.newaxis, :, np.newaxis]
    mask = x_reshaped == out_newaxis
    dout_newaxis = dout[:, :, :, np.newaxis, :, np.newaxis]
    dout_broadcast, _ = np.broadcast_arrays(dout_newaxis, dx_reshaped)
    dx_reshaped[mask] = dout_broadcast[mask]
    dx_reshaped /= np.sum(mask, axis=(3, 5), keepdims=True)
    dx = dx_reshaped.reshape(x.shape)
    return dx


def fast_layers_roundtrip(x, w, b, dout, conv_param, pool_param):
    out, _ = conv_forward_strides(x, w, b, conv_param)
    pooled, cache = max_pool_forward_reshape(out, pool_param)
    return out, pooled, max_pool_backward_reshape(dout, cache)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_flat, cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dout_flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx_flat, dgamma, dbeta = batchnorm_backward_alt(dout_flat, cache)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x_group = np.reshape(x, (N, G, C // G, H, W))
    mean = np.mean(x_group, axis=(2, 3, 4), keepdims=True)
    var = np.var(x_group, axis=(2, 3, 4), keepdims=True)
    x_groupnorm = (x_group - mean) / np.sqrt(var + eps)
    x_norm = np.reshape(x_groupnorm, (N, C, H, W))
    out = x_norm * gamma + beta
    cache = (G, x, x_norm, mean, var, beta, gamma, eps)
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    G, x, x_norm, mean, var, beta, gamma, eps = cache
    dbeta = np.sum(dout, axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * x_norm, axis=(0, 2, 3), keepdims=True)
    x = np.reshape(x, (N, G, C // G, H, W))
    m = C // G * H * W
    dfdu = dout * gamma
    dfdu = np.reshape(dfdu, (N, G, C // G, H, W))
    dudx = 1 / np.sqrt(var + eps)
    dfdvar = np.sum(dfdu * (x - mean) * -0.5 * (var + eps) ** -1.5, axis=(2, 3, 4), keepdims=True)
    dfdmean = (np.sum(dfdu * -dudx, axis=(2, 3, 4), keepdims=True)
               + dfdvar * np.sum(-2 * (x - mean), axis=(2, 3, 4), keepdims=True) / m)
    dx = dfdu * dudx + dfdvar * 2 * (x - mean) / m + dfdmean / m
    dx = np.reshape(dx, (N, C, H, W))
    return dx, dgamma, dbeta


def spatial_norms_roundtrip(x, gamma, beta, dout, bn_param, G=2):
    out_bn, cache_bn = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    grads_bn = spatial_batchnorm_backward(dout, cache_bn)
    g4, b4 = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    out_gn, cache_gn = spatial_groupnorm_forward(x, g4, b4, G, {})
    return out_bn, grads_bn, out_gn, spatial_groupnorm_backward(dout, cache_gn)


class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim, num_classes, draws, normalization=None, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32):
        self.normalization = normalization
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        dims = [input_dim] + hidden_dims + [num_classes]
        for i in range(self.num_layers):
            self.params["W%d" % (i + 1)] = weight_scale * draws[i]
            self.params["b%d" % (i + 1)] = np.zeros(dims[i + 1])
            if self.normalization and i < self.num_layers - 1:
                self.params["gamma%d" % (i + 1)] = np.ones(dims[i + 1])
                self.params["beta%d" % (i + 1)] = np.zeros(dims[i + 1])
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for i in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for i in range(self.num_layers - 1)]
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        caches = []
        out = X
        for i in range(self.num_layers - 1):
            W, b = self.params["W%d" % (i + 1)], self.params["b%d" % (i + 1)]
            out, fc_cache = affine_forward(out, W, b)
            norm_cache = None
            if self.normalization == "batchnorm":
                out, norm_cache = batchnorm_forward(out, self.params["gamma%d" % (i + 1)],
                                                    self.params["beta%d" % (i + 1)],
                                                    self.bn_params[i])
            elif self.normalization == "layernorm":
                out, norm_cache = layernorm_forward(out, self.params["gamma%d" % (i + 1)],
                                                    self.params["beta%d" % (i + 1)],
                                                    self.bn_params[i])
            out, relu_cache = relu_forward(out)
            caches.append((fc_cache, norm_cache, relu_cache))
        W, b = self.params["W%d" % self.num_layers], self.params["b%d" % self.num_layers]
        scores, last_cache = affine_forward(out, W, b)
        if mode == "test":
            return scores
        loss, grads = 0.0, {}
        loss, dscores = softmax_loss(scores, y)
        for i in range(self.num_layers):
            W = self.params["W%d" % (i + 1)]
            loss += 0.5 * self.reg * np.sum(W * W)
        dout, dW, db = affine_backward(dscores, last_cache)
        grads["W%d" % self.num_layers] = dW + self.reg * self.params["W%d" % self.num_layers]
        grads["b%d" % self.num_layers] = db
        for i in reversed(range(self.num_layers - 1)):
            fc_cache, norm_cache, relu_cache = caches[i]
            dout = relu_backward(dout, relu_cache)
            if self.normalization == "batchnorm":
                dout, dgamma, dbeta = batchnorm_backward_alt(dout, norm_cache)
                grads["gamma%d" % (i + 1)] = dgamma
                grads["beta%d" % (i + 1)] = dbeta
            elif self.normalization == "layernorm":
                dout, dgamma, dbeta = layernorm_backward(dout, norm_cache)
                grads["gamma%d" % (i + 1)] = dgamma
                grads["beta%d" % (i + 1)] = dbeta
            dout, dW, db = affine_backward(dout, fc_cache)
            grads["W%d" % (i + 1)] = dW + self.reg * self.params["W%d" % (i + 1)]
            grads["b%d" % (i + 1)] = db
        return loss, grads


def fc_net_loss(X, y, draws, normalization=None, dtype=np.float64):
    model = FullyConnectedNet([5, 4], X.shape[1], 3, draws, normalization=normalization,
                              reg=0.1, weight_scale=5e-1, dtype=dtype)
    loss, grads = model.loss(X, y)
    scores = model.loss(X)
    return loss, grads, scores, model.bn_params


class TwoLayerNet:
    def __init__(self, W1, W2, std=1e-1):
        self.params = {}
        self.params["W1"] = std * W1
        self.params["b1"] = np.zeros(W1.shape[1])
        self.params["W2"] = std * W2
        self.params["b2"] = np.zeros(W2.shape[1])

    def loss(self, X, y=None, reg=0.0):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N, D = X.shape
        h1 = np.maximum(0, X.dot(W1) + b1)
        scores = h1.dot(W2) + b2
        if y is None:
            return scores
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).sum() / N
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads["W2"] = h1.T.dot(dscores) + 2 * reg * W2
        grads["b2"] = dscores.sum(axis=0)
        dh1 = dscores.dot(W2.T)
        dh1[h1 <= 0] = 0
        grads["W1"] = X.T.dot(dh1) + 2 * reg * W1
        grads["b1"] = dh1.sum(axis=0)
        return loss, grads

    def train(self, X, y, X_val, y_val, batch_indices, learning_rate=1e-3,
              learning_rate_decay=0.95, reg=5e-6, num_iters=100, batch_size=200, verbose=False):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history = []
        train_acc_history = []
        val_acc_history = []
        for it in range(num_iters):
            sample_indices = batch_indices[it]
            X_batch = X[sample_indices]
            y_batch = y[sample_indices]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            self.params["W1"] += -learning_rate * grads["W1"]
            self.params["b1"] += -learning_rate * grads["b1"]
            self.params["W2"] += -learning_rate * grads["W2"]
            self.params["b2"] += -learning_rate * grads["b2"]
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
            if it % iterations_per_epoch == 0:
                train_acc = (self.predict(X_batch) == y_batch).mean()
                val_acc = (self.predict(X_val) == y_val).mean()
                train_acc_history.append(train_acc)
                val_acc_history.append(val_acc)
                learning_rate *= learning_rate_decay
        return {"loss_history": loss_history, "train_acc_history": train_acc_history,
                "val_acc_history": val_acc_history}

    def predict(self, X):
        h1 = np.maximum(0, X.dot(self.params["W1"]) + self.params["b1"])
        scores = h1.dot(self.params["W2"]) + self.params["b2"]
        y_pred = np.argmax(scores, axis=1)
        return y_pred


def two_layer_net_train(X, y, X_val, y_val, W1, W2, batch_indices, num_iters=4):
    net = TwoLayerNet(W1, W2)
    stats = net.train(X, y, X_val, y_val, batch_indices, learning_rate=0.5, reg=1e-3,
                      num_iters=num_iters, batch_size=batch_indices.shape[1])
    return stats, net.params


def preprocess_for_linear_classifier(X_train, X_val, X_test):
    X_train = np.reshape(X_train, (X_train.shape[0], -1))
    X_val = np.reshape(X_val, (X_val.shape[0], -1))
    X_test = np.reshape(X_test, (X_test.shape[0], -1))
    mean_image = np.mean(X_train, axis=0)
    X_train -= mean_image
    X_val -= mean_image
    X_test -= mean_image
    X_train = np.hstack([X_train, np.ones((X_train.shape[0], 1))])
    X_val = np.hstack([X_val, np.ones((X_val.shape[0], 1))])
    X_test = np.hstack([X_test, np.ones((X_test.shape[0], 1))])
    return X_train, X_val, X_test, mean_image


def visualize_grid(Xs, ubound=255.0, padding=1):
    (N, H, W, C) = Xs.shape
    grid_size = int(math.ceil(math.sqrt(N)))
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))
    next_idx = 0
    y0, y1 = 0, H
    for y in range(grid_size):
        x0, x1 = 0, W
        for x in range(grid_size):
            if next_idx < N:
                img = Xs[next_idx]
                low, high = np.min(img), np.max(img)
                grid[y0:y1, x0:x1] = ubound * (img - low) / (high - low)
                next_idx += 1
            x0 += W + padding
            x1 += W + padding
        y0 += H + padding
        y1 += H + padding
    return grid


def rgb2gray(rgb):
    return np.dot(rgb[..., :3], [0.299, 0.587, 0.144])


def block_uniform_filter(image, size):
    sx, sy = image.shape
    return image[:sx // size * size, :sy // size * size].reshape(
        sx // size, size, sy // size, size).mean(axis=(1, 3))


def hog_feature(im):
    if im.ndim == 3:
        image = rgb2gray(im)
    else:
        image = np.atleast_2d(im)
    sx, sy = image.shape
    orientations = 9
    cx, cy = (4, 4)
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    grad_mag = np.sqrt(gx ** 2 + gy ** 2)
    grad_ori = np.arctan2(gy, (gx + 1e-15)) * (180 / np.pi) + 90
    n_cellsx = int(np.floor(sx / cx))
    n_cellsy = int(np.floor(sy / cy))
    orientation_histogram = np.zeros((n_cellsx, n_cellsy, orientations))
    for i in range(orientations):
        temp_ori = np.where(grad_ori < 180 / orientations * (i + 1), grad_ori, 0)
        temp_ori = np.where(grad_ori >= 180 / orientations * i, temp_ori, 0)
        cond2 = temp_ori > 0
        temp_mag = np.where(cond2, grad_mag, 0)
        orientation_histogram[:, :, i] = block_uniform_filter(temp_mag, cx).T
    return orientation_histogram.ravel()


def gray_histogram(im, nbin=10, xmin=0, xmax=255, normalized=True):
    bins = np.linspace(xmin, xmax, nbin + 1)
    imhist, bin_edges = np.histogram(rgb2gray(im), bins=bins, density=normalized)
    imhist = imhist * np.diff(bin_edges)
    return imhist


def extract_features(imgs, feature_fns=(hog_feature, gray_histogram), verbose=False):
    num_images = imgs.shape[0]
    if num_images == 0:
        return np.array([])
    feature_dims = []
    first_image_features = []
    for feature_fn in feature_fns:
        feats = feature_fn(imgs[0].squeeze())
        assert len(feats.shape) == 1, "Feature functions must be one-dimensional"
        feature_dims.append(feats.size)
        first_image_features.append(feats)
    total_feature_dim = sum(feature_dims)
    imgs_features = np.zeros((num_images, total_feature_dim))
    imgs_features[0] = np.hstack(first_image_features).T
    for i in range(1, num_images):
        idx = 0
        for feature_fn, feature_dim in zip(feature_fns, feature_dims):
            next_idx = idx + feature_dim
            imgs_features[i, idx:next_idx] = feature_fn(imgs[i].squeeze())
            idx = next_idx
        if verbose and i % 1000 == 999:
            print("Done extracting features for %d / %d images" % (i + 1, num_images))
    return imgs_features


def features_then_normalize(X_train, X_val):
    X_train_feats = extract_features(X_train)
    X_val_feats = extract_features(X_val)
    mean_feat = np.mean(X_train_feats, axis=0, keepdims=True)
    X_train_feats -= mean_feat
    X_val_feats -= mean_feat
    std_feat = np.std(X_train_feats, axis=0, keepdims=True)
    X_train_feats /= std_feat + 1e-8
    X_val_feats /= std_feat + 1e-8
    X_train_feats = np.hstack([X_train_feats, np.ones((X_train_feats.shape[0], 1))])
    return X_train_feats, X_val_feats


def _fc_draws(s, d=6):
    return [_f(d, 5, seed=s), _f(5, 4, seed=s + 1), _f(4, 3, seed=s + 2)]


CS231N_MORE = {
    "fast_layers_roundtrip": (fast_layers_roundtrip, {}, lambda s, n: (
        _f(2, 3, n, 4, seed=s), _f(2, 3, 3, 3, seed=s + 1), _f(2, seed=s + 2),
        _f(2, 2, n // 2, 2, seed=s + 3), {"stride": 1, "pad": 1},
        {"pool_height": 2, "pool_width": 2, "stride": 2})),
    "spatial_norms_roundtrip": (spatial_norms_roundtrip, {}, lambda s, n: (
        _f(2, 4, n, 3, seed=s) * 2 + 1, _f(4, seed=s + 1), _f(4, seed=s + 2),
        _f(2, 4, n, 3, seed=s + 3), {"mode": "train"})),
    "fc_net_loss_plain_float32": (fc_net_loss, {"dtype": np.float32}, lambda s, n: (
        _f(n, 6, seed=s), _i(3, n, seed=s), _fc_draws(s))),
    "fc_net_loss_batchnorm": (fc_net_loss, {"normalization": "batchnorm"}, lambda s, n: (
        _f(n, 6, seed=s), _i(3, n, seed=s), _fc_draws(s))),
    "fc_net_loss_layernorm": (fc_net_loss, {"normalization": "layernorm"}, lambda s, n: (
        _f(n, 6, seed=s), _i(3, n, seed=s), _fc_draws(s))),
    "two_layer_net_train": (two_layer_net_train, {}, lambda s, n: (
        _f(3 * n, 4, seed=s), _i(3, 3 * n, seed=s), _f(n, 4, seed=s + 1), _i(3, n, seed=s + 1),
        _f(4, 6, seed=s + 2), _f(6, 3, seed=s + 3),
        np.random.default_rng(s).integers(0, 3 * n, (4, n)))),
    "preprocess_in_place_views": (preprocess_for_linear_classifier, {}, lambda s, n: (
        _f(n, 2, 2, 3, seed=s), _f(3, 2, 2, 3, seed=s + 1), _f(2, 2, 2, 3, seed=s + 2))),
    "visualize_grid": (visualize_grid, {}, lambda s, n: (_f(n + 1, 3, 2, 3, seed=s),)),
    "extract_features_hog_and_histogram": (features_then_normalize, {}, lambda s, n: (
        np.random.default_rng(s).uniform(0, 255, (n, 8, 8, 3)),
        np.random.default_rng(s + 1).uniform(0, 255, (3, 8, 8, 3)))),
}


@pytest.mark.parametrize("name", list(CS231N_MORE))
def test_cs231n_nets_and_fast_layers_match_numpy(name):
    check_like_numpy(*CS231N_MORE[name])


# ------------------------------------------------------------------- deeplearning.ai (Ng)


def initialize_parameters_deep(draws, layer_dims):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = draws[l - 1] * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
        assert parameters["W" + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters["b" + str(l)].shape == (layer_dims[l], 1)
    return parameters


def initialize_parameters_he(draws, layers_dims):
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        parameters["W" + str(l)] = draws[l - 1] * np.sqrt(2.0 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def ng_sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def ng_relu(Z):
    A = np.maximum(0, Z)
    assert A.shape == Z.shape
    cache = Z
    return A, cache


def ng_relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    assert dZ.shape == Z.shape
    return dZ


def ng_sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = ng_sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = ng_relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)],
                                             parameters["b" + str(l)], activation="relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)],
                                          activation="sigmoid")
    caches.append(cache)
    assert AL.shape == (1, X.shape[1])
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    cost = np.squeeze(cost)
    assert cost.shape == ()
    return cost


def compute_cost_by_dot(AL, Y):
    m = Y.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)
    return cost


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = ng_relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = ng_sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, "sigmoid"))
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = (parameters["W" + str(l + 1)]
                                        - learning_rate * grads["dW" + str(l + 1)])
        parameters["b" + str(l + 1)] = (parameters["b" + str(l + 1)]
                                        - learning_rate * grads["db" + str(l + 1)])
    return parameters


def update_parameters_deepcopy(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return parameters


def forward_backward_update(X, Y, parameters, learning_rate=0.0075):
    AL, caches = L_model_forward(X, parameters)
    cost = compute_cost(AL, Y)
    grads = L_model_backward(AL, Y, caches)
    new_parameters = update_parameters_deepcopy(parameters, grads, learning_rate)
    return cost, grads, new_parameters


def L_layer_model(X, Y, draws, layers_dims=(4, 5, 3, 1), learning_rate=0.0075,
                  num_iterations=3, print_cost=False):
    costs = []
    parameters = initialize_parameters_he(draws, layers_dims)
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 100 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
        costs.append(cost)
    return parameters, costs


def ng_course2_cost(a3, Y):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1. / m * np.nansum(logprobs)
    return cost


def forward_propagation_3(X, parameters):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = np.dot(W1, X) + b1
    a1 = ng_relu(z1)[0]
    z2 = np.dot(W2, a1) + b2
    a2 = ng_relu(z2)[0]
    z3 = np.dot(W3, a2) + b3
    a3 = ng_sigmoid(z3)[0]
    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
    return a3, cache


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]
    cross_entropy_cost = ng_course2_cost(A3, Y)
    L2_regularization_cost = (1 / m) * (lambd / 2) * (
        np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    cost = cross_entropy_cost + L2_regularization_cost
    return cost


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def regularized_cost_and_grads(X, Y, parameters, lambd):
    a3, cache = forward_propagation_3(X, parameters)
    cost = compute_cost_with_regularization(a3, Y, parameters, lambd)
    return cost, backward_propagation_with_regularization(X, Y, cache, lambd)


def forward_propagation_with_dropout(X, parameters, D1_draws, D2_draws, keep_prob=0.5):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = ng_relu(Z1)[0]
    D1 = D1_draws[:A1.shape[0], :A1.shape[1]]
    D1 = (D1 < keep_prob).astype(int)
    A1 = A1 * D1
    A1 = A1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = ng_relu(Z2)[0]
    D2 = D2_draws
    D2 = (D2 < keep_prob).astype(int)
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = ng_sigmoid(Z3)[0]
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dA2 = dA2 * D2
    dA2 = dA2 / keep_prob
    dZ2 = np.multiply(dA2, A2 > 0)
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    dZ1 = np.multiply(dA1, A1 > 0)
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def dropout_model_step(X, Y, parameters, D1_draws, D2_draws, keep_prob=0.86):
    a3, cache = forward_propagation_with_dropout(X, parameters, D1_draws, D2_draws, keep_prob)
    cost = ng_course2_cost(a3, Y)
    grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)
    return cost, grads


def dictionary_to_vector(parameters):
    keys = []
    count = 0
    for key in ["W1", "b1", "W2", "b2", "W3", "b3"]:
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys = keys + [key] * new_vector.shape[0]
        if count == 0:
            theta = new_vector
        else:
            theta = np.concatenate((theta, new_vector), axis=0)
        count = count + 1
    return theta, keys


def vector_to_dictionary(theta):
    parameters = {}
    parameters["W1"] = theta[:20].reshape((5, 4))
    parameters["b1"] = theta[20:25].reshape((5, 1))
    parameters["W2"] = theta[25:40].reshape((3, 5))
    parameters["b2"] = theta[40:43].reshape((3, 1))
    parameters["W3"] = theta[43:46].reshape((1, 3))
    parameters["b3"] = theta[46:47].reshape((1, 1))
    return parameters


def gradients_to_vector(gradients):
    count = 0
    for key in ["dW1", "db1", "dW2", "db2", "dW3", "db3"]:
        new_vector = np.reshape(gradients[key], (-1, 1))
        if count == 0:
            theta = new_vector
        else:
            theta = np.concatenate((theta, new_vector), axis=0)
        count = count + 1
    return theta


def forward_propagation_n(X, Y, parameters):
    m = X.shape[1]
    a3, cache = forward_propagation_3(X, parameters)
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)
    return cost, cache


def backward_propagation_n(X, Y, cache):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, (A2 > 0).astype(np.int64))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, (A1 > 0).astype(np.int64))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def gradient_check_n(parameters, X, Y, epsilon=1e-2, print_msg=False):
    cost, cache = forward_propagation_n(X, Y, parameters)
    gradients = backward_propagation_n(X, Y, cache)
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i] = thetaplus[i] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
        thetaminus = np.copy(parameters_values)
        thetaminus[i] = thetaminus[i] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    if print_msg:
        print("difference = " + str(difference))
    return difference, gradapprox


def vector_roundtrip(parameters):
    theta, keys = dictionary_to_vector(parameters)
    return theta, keys, vector_to_dictionary(theta * 2)


def initialize_adam(parameters):
    L = len(parameters) // 2
    v = {}
    s = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
        s["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        s["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = beta1 * v["dW" + str(l)] + (1 - beta1) * grads["dW" + str(l)]
        v["db" + str(l)] = beta1 * v["db" + str(l)] + (1 - beta1) * grads["db" + str(l)]
        v_corrected["dW" + str(l)] = v["dW" + str(l)] / (1 - np.power(beta1, t))
        v_corrected["db" + str(l)] = v["db" + str(l)] / (1 - np.power(beta1, t))
        s["dW" + str(l)] = (beta2 * s["dW" + str(l)]
                            + (1 - beta2) * np.power(grads["dW" + str(l)], 2))
        s["db" + str(l)] = (beta2 * s["db" + str(l)]
                            + (1 - beta2) * np.power(grads["db" + str(l)], 2))
        s_corrected["dW" + str(l)] = s["dW" + str(l)] / (1 - np.power(beta2, t))
        s_corrected["db" + str(l)] = s["db" + str(l)] / (1 - np.power(beta2, t))
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v_corrected[
            "dW" + str(l)] / (np.sqrt(s_corrected["dW" + str(l)]) + epsilon)
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v_corrected[
            "db" + str(l)] / (np.sqrt(s_corrected["db" + str(l)]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = (parameters["W" + str(l + 1)]
                                        - learning_rate * v["dW" + str(l + 1)])
        parameters["b" + str(l + 1)] = (parameters["b" + str(l + 1)]
                                        - learning_rate * v["db" + str(l + 1)])
    return parameters, v


def random_mini_batches(X, Y, permutation, mini_batch_size=64):
    m = X.shape[1]
    mini_batches = []
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)
    return mini_batches


def model_with_adam_minibatches(X, Y, parameters, permutation, num_epochs=2, mini_batch_size=3,
                                learning_rate=0.0007, decay_rate=1.0, learning_rate0=0.1):
    L = len(parameters)
    costs = []
    t = 0
    v, s = initialize_adam(parameters)
    m = X.shape[1]
    for i in range(num_epochs):
        minibatches = random_mini_batches(X, Y, permutation, mini_batch_size)
        cost_total = 0
        for minibatch in minibatches:
            (minibatch_X, minibatch_Y) = minibatch
            a3, caches = forward_propagation_3(minibatch_X, parameters)
            cost_total += ng_course2_cost(a3, minibatch_Y)
            grads = backward_propagation_n(minibatch_X, minibatch_Y, caches)
            t = t + 1
            parameters, v, s, _, _ = update_parameters_with_adam(
                parameters, grads, v, s, t, learning_rate)
        learning_rate = 1 / (1 + decay_rate * np.floor(i / 1000)) * learning_rate0
        costs.append(cost_total / m)
    assert L == 6
    return parameters, costs


def ng_logistic_propagate(w, b, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def ng_logistic_optimize(w, b, X, Y, num_iterations=4, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    for i in range(num_iterations):
        grads, cost = ng_logistic_propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 2 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    Y_prediction = (A > 0.5).astype(float)
    return params, grads, costs, Y_prediction


def ng_planar_forward(X, parameters):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = 1 / (1 + np.exp(-Z2))
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def ng_planar_backward(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def ng_planar_model(X, Y, parameters, num_iterations=3, learning_rate=1.2):
    parameters = copy.deepcopy(parameters)
    for i in range(num_iterations):
        A2, cache = ng_planar_forward(X, parameters)
        grads = ng_planar_backward(parameters, cache, X, Y)
        for key in ("W1", "b1", "W2", "b2"):
            parameters[key] = parameters[key] - learning_rate * grads["d" + key]
    A2, _ = ng_planar_forward(X, parameters)
    predictions = np.round(A2)
    accuracy = (np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100
    return parameters, predictions, accuracy


def ng_planar_cost_by_float(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    cost = float(np.squeeze(cost))
    return cost


def ng_predict_by_loop(X, parameters):
    m = X.shape[1]
    p = np.zeros((1, m))
    probas, caches = L_model_forward(X, parameters)
    for i in range(0, probas.shape[1]):
        if probas[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0
    return p


def _ng_params(s, dims=(4, 5, 3, 1), scale=0.5):
    p = {}
    for l in range(1, len(dims)):
        p["W" + str(l)] = _f(dims[l], dims[l - 1], seed=s + l) * scale
        p["b" + str(l)] = _f(dims[l], 1, seed=s + 10 + l) * 0.1
    return p


def _ng_xy(s, n, d=4):
    return _f(d, 2 * n, seed=s), _i(2, 1, 2 * n, seed=s).astype(float)


def _ng_grads(s, dims=(4, 5, 3, 1)):
    return {k.replace("W", "dW").replace("b", "db"): v for k, v in _ng_params(s + 20, dims).items()}


NG = {
    "initialize_parameters_deep": (initialize_parameters_deep, {"layer_dims": (4, 5, 3, 1)},
                                   lambda s, n: ([_f(5, 4, seed=s), _f(3, 5, seed=s + 1),
                                                  _f(1, 3, seed=s + 2)],)),
    "L_model_forward": (L_model_forward, {}, lambda s, n: (_ng_xy(s, n)[0], _ng_params(s))),
    "compute_cost": (compute_cost, {}, lambda s, n: (
        np.random.default_rng(s).uniform(0.05, 0.95, (1, n)), _ng_xy(s, n)[1][:, :n])),
    "compute_cost_by_dot": (compute_cost_by_dot, {}, lambda s, n: (
        np.random.default_rng(s).uniform(0.05, 0.95, (1, n)), _ng_xy(s, n)[1][:, :n])),
    "forward_backward_update": (forward_backward_update, {}, lambda s, n: (
        *_ng_xy(s, n), _ng_params(s))),
    "update_parameters_in_place": (update_parameters, {}, lambda s, n: (
        _ng_params(s, (n, 3, 1)), _ng_grads(s, (n, 3, 1)), 0.1)),
    "L_layer_model": (L_layer_model, {}, lambda s, n: (
        *_ng_xy(s, n), [_f(5, 4, seed=s), _f(3, 5, seed=s + 1), _f(1, 3, seed=s + 2)])),
    "dropout_model_step": (dropout_model_step, {}, lambda s, n: (
        *_ng_xy(s, n), _ng_params(s), np.random.default_rng(s).random((6, 2 * n)),
        np.random.default_rng(s + 1).random((3, 2 * n)))),
    "vector_roundtrip": (vector_roundtrip, {}, lambda s, n: (_ng_params(s, (4, 5, 3, 1)),)),
    "gradient_check_n": (gradient_check_n, {}, lambda s, n: (
        _ng_params(s, (4, 5, 3, 1), scale=1.0), *_ng_xy(s, n))),
    "update_parameters_with_adam": (update_parameters_with_adam, {}, lambda s, n: (
        _ng_params(s, (n, 3, 1)), _ng_grads(s, (n, 3, 1)),
        {k: v * 0.1 for k, v in _ng_grads(s + 1, (n, 3, 1)).items()},
        {k: v ** 2 for k, v in _ng_grads(s + 2, (n, 3, 1)).items()}, s + 1)),
    "update_parameters_with_momentum": (update_parameters_with_momentum, {}, lambda s, n: (
        _ng_params(s, (n, 3, 1)), _ng_grads(s, (n, 3, 1)),
        {k: v * 0.1 for k, v in _ng_grads(s + 1, (n, 3, 1)).items()}, 0.9, 0.01)),
    "random_mini_batches": (random_mini_batches, {"mini_batch_size": 3}, lambda s, n: (
        *_ng_xy(s, n), np.random.default_rng(s).permutation(2 * n))),
    "model_with_adam_minibatches": (model_with_adam_minibatches, {}, lambda s, n: (
        *_ng_xy(s, n), _ng_params(s, (4, 5, 3, 1)), np.random.default_rng(s).permutation(2 * n))),
    "ng_logistic_optimize": (ng_logistic_optimize, {}, lambda s, n: (
        _f(4, 1, seed=s) * 0.1, 0.0, *_ng_xy(s, n))),
    "ng_planar_model": (ng_planar_model, {}, lambda s, n: (
        *_ng_xy(s, n, d=2), _ng_params(s, (2, 4, 1)))),
}


@pytest.mark.parametrize("name", list(NG))
def test_deeplearning_ai_courses_match_numpy(name):
    check_like_numpy(*NG[name])


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant",
                   constant_values=(0, 0))
    return X_pad


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + np.squeeze(b)
    return Z


def conv_single_step_by_item(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + b.item()
    return Z


def ng_conv_forward(A_prev, W, b, hparameters, single_step=conv_single_step):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    weights = W[:, :, :, c]
                    biases = b[:, :, :, c]
                    Z[i, h, w, c] = single_step(a_slice_prev, weights, biases)
    cache = (A_prev, W, b, hparameters)
    return Z, cache


def ng_conv_forward_by_item(A_prev, W, b, hparameters):
    return ng_conv_forward(A_prev, W, b, hparameters, conv_single_step_by_item)


def ng_conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C_prev))
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = stride * h
                    vert_end = vert_start + f
                    horiz_start = stride * w
                    horiz_end = horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += (
                        W[:, :, :, c] * dZ[i, h, w, c])
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i, :, :, :] = da_prev_pad[pad:-pad, pad:-pad, :]
    return dA_prev, dW, db


def pool_forward(A_prev, hparameters, mode="max"):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = int(1 + (n_H_prev - f) / stride)
    n_W = int(1 + (n_W_prev - f) / stride)
    n_C = n_C_prev
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    elif mode == "average":
                        A[i, h, w, c] = np.mean(a_prev_slice)
    cache = (A_prev, hparameters)
    return A, cache


def create_mask_from_window(x):
    mask = (x == np.max(x))
    return mask


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.ones(shape) * average
    return a


def pool_backward(dA, cache, mode="max"):
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += np.multiply(
                            mask, dA[i, h, w, c])
                    elif mode == "average":
                        da = dA[i, h, w, c]
                        shape = (f, f)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += (
                            distribute_value(da, shape))
    return dA_prev


def ng_cnn_roundtrip(A_prev, W, b, dZ, dA, mode="max"):
    Z, cache = ng_conv_forward(A_prev, W, b, {"pad": 1, "stride": 1})
    dA_prev, dW, db = ng_conv_backward(dZ, cache)
    A, pool_cache = pool_forward(Z, {"f": 2, "stride": 2}, mode=mode)
    return Z, dA_prev, dW, db, A, pool_backward(dA, pool_cache, mode=mode)


def rnn_softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def rnn_cell_forward(xt, a_prev, parameters):
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)
    yt_pred = rnn_softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def ng_rnn_forward(x, a0, parameters):
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        xt = x[:, :, t]
        a_next, yt_pred, cache = rnn_cell_forward(xt, a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    caches = (caches, x)
    return a, y_pred, caches


def rnn_cell_backward(da_next, cache):
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    dtanh = (1 - a_next ** 2) * da_next
    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, axis=1, keepdims=1)
    gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients


def ng_rnn_backward(da, caches):
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        dxt, da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], gradients["da_prev"], gradients[
            "dWax"], gradients["dWaa"], gradients["dba"]
        dx[:, :, t] = dxt
        dWax += dWaxt
        dWaa += dWaat
        dba += dbat
    da0 = da_prevt
    return {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def ng_rnn_roundtrip(x, a0, parameters, da):
    a, y_pred, caches = ng_rnn_forward(x, a0, parameters)
    return a, y_pred, ng_rnn_backward(da, caches)


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    Wf, bf = parameters["Wf"], parameters["bf"]
    Wi, bi = parameters["Wi"], parameters["bi"]
    Wc, bc = parameters["Wc"], parameters["bc"]
    Wo, bo = parameters["Wo"], parameters["bo"]
    Wy, by = parameters["Wy"], parameters["by"]
    n_x, m = xt.shape
    n_y, n_a = Wy.shape
    concat = np.zeros((n_a + n_x, m))
    concat[:n_a, :] = a_prev
    concat[n_a:, :] = xt
    ft = ng_sigmoid(np.dot(Wf, concat) + bf)[0]
    it = ng_sigmoid(np.dot(Wi, concat) + bi)[0]
    cct = np.tanh(np.dot(Wc, concat) + bc)
    c_next = ft * c_prev + it * cct
    ot = ng_sigmoid(np.dot(Wo, concat) + bo)[0]
    a_next = ot * np.tanh(c_next)
    yt_pred = rnn_softmax(np.dot(Wy, a_next) + by)
    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache


def ng_lstm_forward(x, a0, parameters):
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros(a_next.shape)
    for t in range(T_x):
        xt = x[:, :, t]
        a_next, c_next, yt, cache = lstm_cell_forward(xt, a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    caches = (caches, x)
    return a, y, c


def clip(gradients, maxValue):
    dWaa, dWax, dWya = gradients["dWaa"], gradients["dWax"], gradients["dWya"]
    db, dby = gradients["db"], gradients["dby"]
    for gradient in [dWax, dWaa, dWya, db, dby]:
        np.clip(gradient, -maxValue, maxValue, out=gradient)
    gradients = {"dWaa": dWaa, "dWax": dWax, "dWya": dWya, "db": db, "dby": dby}
    return gradients


def word_vector_algebra(u, v, g, e_w1, e_w2):
    def cosine_similarity(u, v):
        dot = np.dot(u, v)
        norm_u = np.sqrt(np.sum(u * u))
        norm_v = np.sqrt(np.sum(v * v))
        return dot / (norm_u * norm_v)

    def neutralize(word_vec, g):
        e_biascomponent = np.dot(word_vec, g) / np.sum(g * g) * g
        return word_vec - e_biascomponent

    def equalize(e_w1, e_w2, bias_axis):
        mu = (e_w1 + e_w2) / 2
        mu_B = np.dot(mu, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis
        mu_orth = mu - mu_B
        e_w1B = np.dot(e_w1, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis
        e_w2B = np.dot(e_w2, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis
        corrected_e_w1B = np.sqrt(np.abs(1 - np.sum(mu_orth * mu_orth))) * (
            e_w1B - mu_B) / np.linalg.norm(e_w1 - mu_orth - mu_B)
        corrected_e_w2B = np.sqrt(np.abs(1 - np.sum(mu_orth * mu_orth))) * (
            e_w2B - mu_B) / np.linalg.norm(e_w2 - mu_orth - mu_B)
        return corrected_e_w1B + mu_orth, corrected_e_w2B + mu_orth

    e_debiased = neutralize(u, g)
    return (cosine_similarity(u, v), cosine_similarity(u - v, g), e_debiased,
            cosine_similarity(e_debiased, g), equalize(e_w1, e_w2, g))


def convert_to_one_hot(Y, C):
    Y = np.eye(C)[Y.reshape(-1)]
    return Y


def sentence_to_avg(sentence, word_to_vec_map):
    any_word = list(word_to_vec_map.keys())[0]
    words = sentence.lower().split()
    avg = np.zeros(word_to_vec_map[any_word].shape)
    count = 0
    for w in words:
        if w in word_to_vec_map:
            avg += word_to_vec_map[w]
            count += 1
    if count > 0:
        avg = avg / count
    return avg


def emojify_v1(Y, word_to_vec_map, W, b, sentences, learning_rate=0.01, num_iterations=2):
    any_word = list(word_to_vec_map.keys())[0]
    m = Y.shape[0]
    n_y = len(np.unique(np.arange(5)))
    n_h = word_to_vec_map[any_word].shape[0]
    Y_oh = convert_to_one_hot(Y, C=n_y)
    costs = []
    for t in range(num_iterations):
        for i in range(m):
            avg = sentence_to_avg(sentences[i], word_to_vec_map)
            z = np.dot(W, avg) + b
            a = rnn_softmax(z)
            cost = -np.sum(np.multiply(Y_oh[i], np.log(a)))
            dz = a - Y_oh[i]
            dW = np.dot(dz.reshape(n_y, 1), avg.reshape(1, n_h))
            db = dz
            W = W - learning_rate * dW
            b = b - learning_rate * db
        costs.append(cost)
    pred = np.zeros((m, 1))
    for j in range(m):
        avg = sentence_to_avg(sentences[j], word_to_vec_map)
        A = rnn_softmax(np.dot(W, avg) + b)
        pred[j] = np.argmax(A)
    return W, b, costs, pred, np.mean((pred[:] == Y.reshape(Y.shape[0], 1)[:]))


_WORDS = ("i love you so much", "food is life", "lets play baseball", "not feeling happy",
          "i am so hungry", "what a fun game")


def _word_vectors(s, d=6):
    vocab = sorted({w for sent in _WORDS for w in sent.split()})
    return {w: _f(d, seed=s * 100 + k) for k, w in enumerate(vocab)}


def _rnn_params(s, n_x=3, n_a=5, n_y=2):
    return {"Wax": _f(n_a, n_x, seed=s), "Waa": _f(n_a, n_a, seed=s + 1) / 2,
            "Wya": _f(n_y, n_a, seed=s + 2), "ba": _f(n_a, 1, seed=s + 3),
            "by": _f(n_y, 1, seed=s + 4)}


def _lstm_params(s, n_x=3, n_a=5, n_y=2):
    p = {}
    for k, gate in enumerate("fico"):
        p["W" + gate] = _f(n_a, n_a + n_x, seed=s + k) / 2
        p["b" + gate] = _f(n_a, 1, seed=s + 10 + k)
    p["Wy"], p["by"] = _f(n_y, n_a, seed=s + 5), _f(n_y, 1, seed=s + 6)
    return p


NG_SEQUENCE_AND_CNN = {
    "ng_cnn_roundtrip_max": (ng_cnn_roundtrip, {}, lambda s, n: (
        _f(2, n, 4, 3, seed=s), _f(3, 3, 3, 2, seed=s + 1), _f(1, 1, 1, 2, seed=s + 2),
        _f(2, n, 4, 2, seed=s + 3), _f(2, n // 2, 2, 2, seed=s + 4))),
    "ng_cnn_roundtrip_average": (ng_cnn_roundtrip, {"mode": "average"}, lambda s, n: (
        _f(2, n, 4, 3, seed=s), _f(3, 3, 3, 2, seed=s + 1), _f(1, 1, 1, 2, seed=s + 2),
        _f(2, n, 4, 2, seed=s + 3), _f(2, n // 2, 2, 2, seed=s + 4))),
    "ng_rnn_roundtrip": (ng_rnn_roundtrip, {}, lambda s, n: (
        _f(3, 4, n, seed=s), _f(5, 4, seed=s + 1), _rnn_params(s), _f(5, 4, n, seed=s + 2))),
    "ng_lstm_forward": (ng_lstm_forward, {}, lambda s, n: (
        _f(3, 4, n, seed=s), _f(5, 4, seed=s + 1), _lstm_params(s))),
    "ng_clip_gradients_in_place": (clip, {}, lambda s, n: (
        {"dWaa": _f(n, n, seed=s) * 10, "dWax": _f(n, 3, seed=s + 1) * 10,
         "dWya": _f(2, n, seed=s + 2) * 10, "db": _f(n, 1, seed=s + 3) * 10,
         "dby": _f(2, 1, seed=s + 4) * 10}, 5.0)),
    "ng_word_vector_algebra": (word_vector_algebra, {}, lambda s, n: (
        _f(5 * n, seed=s) * 0.3, _f(5 * n, seed=s + 1) * 0.3, _f(5 * n, seed=s + 2) * 0.3,
        _f(5 * n, seed=s + 3) * 0.3, _f(5 * n, seed=s + 4) * 0.3)),
    "ng_emojify_v1": (emojify_v1, {"sentences": _WORDS}, lambda s, n: (
        _i(5, 6, seed=s), _word_vectors(s), _f(5, 6, seed=s + 1) * 0.3, np.zeros((5,)))),
}


@pytest.mark.parametrize("name", list(NG_SEQUENCE_AND_CNN))
def test_deeplearning_ai_cnn_and_sequence_models_match_numpy(name):
    check_like_numpy(*NG_SEQUENCE_AND_CNN[name])


# ------------------------------------------------------ Neural Networks from Scratch (nnfs)


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons, weights, weight_regularizer_l1=0,
                 weight_regularizer_l2=0, bias_regularizer_l1=0, bias_regularizer_l2=0):
        self.weights = 0.01 * weights
        self.biases = np.zeros((1, n_neurons))
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        if self.weight_regularizer_l1 > 0:
            dL1 = np.ones_like(self.weights)
            dL1[self.weights < 0] = -1
            self.dweights += self.weight_regularizer_l1 * dL1
        if self.weight_regularizer_l2 > 0:
            self.dweights += 2 * self.weight_regularizer_l2 * self.weights
        if self.bias_regularizer_l1 > 0:
            dL1 = np.ones_like(self.biases)
            dL1[self.biases < 0] = -1
            self.dbiases += self.bias_regularizer_l1 * dL1
        if self.bias_regularizer_l2 > 0:
            self.dbiases += 2 * self.bias_regularizer_l2 * self.biases
        self.dinputs = np.dot(dvalues, self.weights.T)


class Layer_Dropout:
    def __init__(self, rate):
        self.rate = 1 - rate

    def forward(self, inputs, draws, training=True):
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return
        self.binary_mask = (draws < self.rate) / self.rate
        self.output = inputs * self.binary_mask

    def backward(self, dvalues):
        self.dinputs = dvalues * self.binary_mask


class Activation_ReLU:
    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0

    def predictions(self, outputs):
        return outputs


class Activation_Softmax:
    def forward(self, inputs, training=True):
        self.inputs = inputs
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)
        self.output = probabilities

    def backward(self, dvalues):
        self.dinputs = np.empty_like(dvalues)
        for index, (single_output, single_dvalues) in enumerate(zip(self.output, dvalues)):
            single_output = single_output.reshape(-1, 1)
            jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)
            self.dinputs[index] = np.dot(jacobian_matrix, single_dvalues)

    def predictions(self, outputs):
        return np.argmax(outputs, axis=1)


class Activation_Sigmoid:
    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = 1 / (1 + np.exp(-inputs))

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output

    def predictions(self, outputs):
        return (outputs > 0.5) * 1


class Activation_Linear:
    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = inputs

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()


class Loss:
    def regularization_loss(self, layer):
        regularization_loss = 0
        if layer.weight_regularizer_l1 > 0:
            regularization_loss += layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights))
        if layer.weight_regularizer_l2 > 0:
            regularization_loss += layer.weight_regularizer_l2 * np.sum(
                layer.weights * layer.weights)
        if layer.bias_regularizer_l1 > 0:
            regularization_loss += layer.bias_regularizer_l1 * np.sum(np.abs(layer.biases))
        if layer.bias_regularizer_l2 > 0:
            regularization_loss += layer.bias_regularizer_l2 * np.sum(layer.biases * layer.biases)
        return regularization_loss

    def calculate(self, output, y):
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        return data_loss


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        samples = len(y_pred)
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[range(samples), y_true]
        elif len(y_true.shape) == 2:
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        labels = len(dvalues[0])
        if len(y_true.shape) == 1:
            y_true = np.eye(labels)[y_true]
        self.dinputs = -y_true / dvalues
        self.dinputs = self.dinputs / samples


class Loss_BinaryCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        sample_losses = -(y_true * np.log(y_pred_clipped)
                          + (1 - y_true) * np.log(1 - y_pred_clipped))
        sample_losses = np.mean(sample_losses, axis=-1)
        return sample_losses

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        clipped_dvalues = np.clip(dvalues, 1e-7, 1 - 1e-7)
        self.dinputs = -(y_true / clipped_dvalues - (1 - y_true) / (1 - clipped_dvalues)) / outputs
        self.dinputs = self.dinputs / samples


class Loss_MeanSquaredError(Loss):
    def forward(self, y_pred, y_true):
        sample_losses = np.mean((y_true - y_pred) ** 2, axis=-1)
        return sample_losses

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = -2 * (y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples


class Loss_MeanAbsoluteError(Loss):
    def forward(self, y_pred, y_true):
        sample_losses = np.mean(np.abs(y_true - y_pred), axis=-1)
        return sample_losses

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = np.sign(y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.activation.forward(inputs)
        self.output = self.activation.output
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Optimizer_SGD:
    def __init__(self, learning_rate=1., decay=0., momentum=0.):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.momentum = momentum

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (
                1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            weight_updates = (self.momentum * layer.weight_momentums
                              - self.current_learning_rate * layer.dweights)
            layer.weight_momentums = weight_updates
            bias_updates = (self.momentum * layer.bias_momentums
                            - self.current_learning_rate * layer.dbiases)
            layer.bias_momentums = bias_updates
        else:
            weight_updates = -self.current_learning_rate * layer.dweights
            bias_updates = -self.current_learning_rate * layer.dbiases
        layer.weights += weight_updates
        layer.biases += bias_updates

    def post_update_params(self):
        self.iterations += 1


class Optimizer_Adagrad:
    def __init__(self, learning_rate=1., decay=0., epsilon=1e-7):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (
                1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_cache += layer.dweights ** 2
        layer.bias_cache += layer.dbiases ** 2
        layer.weights += -self.current_learning_rate * layer.dweights / (
            np.sqrt(layer.weight_cache) + self.epsilon)
        layer.biases += -self.current_learning_rate * layer.dbiases / (
            np.sqrt(layer.bias_cache) + self.epsilon)

    def post_update_params(self):
        self.iterations += 1


class Optimizer_Adam:
    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (
                1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_momentums = (self.beta_1 * layer.weight_momentums
                                  + (1 - self.beta_1) * layer.dweights)
        layer.bias_momentums = (self.beta_1 * layer.bias_momentums
                                + (1 - self.beta_1) * layer.dbiases)
        weight_momentums_corrected = layer.weight_momentums / (
            1 - self.beta_1 ** (self.iterations + 1))
        bias_momentums_corrected = layer.bias_momentums / (1 - self.beta_1 ** (self.iterations + 1))
        layer.weight_cache = (self.beta_2 * layer.weight_cache
                              + (1 - self.beta_2) * layer.dweights ** 2)
        layer.bias_cache = self.beta_2 * layer.bias_cache + (1 - self.beta_2) * layer.dbiases ** 2
        weight_cache_corrected = layer.weight_cache / (1 - self.beta_2 ** (self.iterations + 1))
        bias_cache_corrected = layer.bias_cache / (1 - self.beta_2 ** (self.iterations + 1))
        layer.weights += -self.current_learning_rate * weight_momentums_corrected / (
            np.sqrt(weight_cache_corrected) + self.epsilon)
        layer.biases += -self.current_learning_rate * bias_momentums_corrected / (
            np.sqrt(bias_cache_corrected) + self.epsilon)

    def post_update_params(self):
        self.iterations += 1


def nnfs_forward_and_loss(X, y, W1, W2):
    dense1 = Layer_Dense(2, 3, W1)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(3, 3, W2)
    activation2 = Activation_Softmax()
    loss_function = Loss_CategoricalCrossentropy()
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y)
    predictions = np.argmax(activation2.output, axis=1)
    if len(y.shape) == 2:
        y = np.argmax(y, axis=1)
    accuracy = np.mean(predictions == y)
    return activation2.output[:5], loss, accuracy


def nnfs_softmax_backward_two_ways(softmax_outputs, class_targets):
    softmax_loss = Activation_Softmax_Loss_CategoricalCrossentropy()
    softmax_loss.backward(softmax_outputs, class_targets)
    dvalues1 = softmax_loss.dinputs
    activation = Activation_Softmax()
    activation.output = softmax_outputs
    loss = Loss_CategoricalCrossentropy()
    loss.backward(softmax_outputs, class_targets)
    activation.backward(loss.dinputs)
    dvalues2 = activation.dinputs
    return dvalues1, dvalues2


def nnfs_train_classifier(X, y, W1, W2, epochs=3, optimizer="adam"):
    dense1 = Layer_Dense(2, 8, W1, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(8, 3, W2)
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    if optimizer == "adam":
        optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-7)
    elif optimizer == "sgd":
        optimizer = Optimizer_SGD(learning_rate=1.0, decay=1e-3, momentum=0.9)
    else:
        optimizer = Optimizer_Adagrad(decay=1e-4)
    losses, accuracies = [], []
    for epoch in range(epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        data_loss = loss_activation.forward(dense2.output, y)
        regularization_loss = (loss_activation.loss.regularization_loss(dense1)
                               + loss_activation.loss.regularization_loss(dense2))
        loss = data_loss + regularization_loss
        predictions = np.argmax(loss_activation.output, axis=1)
        if len(y.shape) == 2:
            y = np.argmax(y, axis=1)
        accuracy = np.mean(predictions == y)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()
        losses.append(loss)
        accuracies.append(accuracy)
    return dense1.weights, dense1.biases, dense2.weights, dense2.biases, losses, accuracies


def nnfs_binary_with_dropout(X, y, W1, W2, drop_draws):
    y = y.reshape(-1, 1)
    dense1 = Layer_Dense(2, 8, W1, weight_regularizer_l1=5e-4, bias_regularizer_l1=5e-4)
    activation1 = Activation_ReLU()
    dropout1 = Layer_Dropout(0.1)
    dense2 = Layer_Dense(8, 1, W2)
    activation2 = Activation_Sigmoid()
    loss_function = Loss_BinaryCrossentropy()
    optimizer = Optimizer_Adam(decay=5e-7)
    dense1.forward(X)
    activation1.forward(dense1.output)
    dropout1.forward(activation1.output, drop_draws)
    dense2.forward(dropout1.output)
    activation2.forward(dense2.output)
    data_loss = loss_function.calculate(activation2.output, y)
    regularization_loss = (loss_function.regularization_loss(dense1)
                           + loss_function.regularization_loss(dense2))
    predictions = activation2.predictions(activation2.output)
    accuracy = np.mean(predictions == y)
    loss_function.backward(activation2.output, y)
    activation2.backward(loss_function.dinputs)
    dense2.backward(activation2.dinputs)
    dropout1.backward(dense2.dinputs)
    activation1.backward(dropout1.dinputs)
    dense1.backward(activation1.dinputs)
    optimizer.pre_update_params()
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    optimizer.post_update_params()
    return data_loss + regularization_loss, accuracy, dense1.weights, dense2.biases


def nnfs_regression_step(X, y, W1, W2, use_mae=False):
    dense1 = Layer_Dense(1, 8, W1)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(8, 1, W2)
    activation2 = Activation_Linear()
    loss_function = Loss_MeanAbsoluteError() if use_mae else Loss_MeanSquaredError()
    optimizer = Optimizer_Adam(learning_rate=0.005, decay=1e-3)
    accuracy_precision = np.std(y) / 250
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y)
    predictions = activation2.output
    accuracy = np.mean(np.absolute(predictions - y) < accuracy_precision)
    loss_function.backward(activation2.output, y)
    activation2.backward(loss_function.dinputs)
    dense2.backward(activation2.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)
    optimizer.pre_update_params()
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    optimizer.post_update_params()
    return loss, accuracy, dense1.weights, dense2.weights


class Layer_Input:
    def forward(self, inputs, training):
        self.output = inputs


class Accuracy:
    def calculate(self, predictions, y):
        comparisons = self.compare(predictions, y)
        accuracy = np.mean(comparisons)
        self.accumulated_sum += np.sum(comparisons)
        self.accumulated_count += len(comparisons)
        return accuracy

    def calculate_accumulated(self):
        accuracy = self.accumulated_sum / self.accumulated_count
        return accuracy

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Categorical(Accuracy):
    def __init__(self, *, binary=False):
        self.binary = binary

    def init(self, y):
        pass

    def compare(self, predictions, y):
        if not self.binary and len(y.shape) == 2:
            y = np.argmax(y, axis=1)
        return predictions == y


class Loss_Accumulating(Loss_CategoricalCrossentropy):
    def remember_trainable_layers(self, trainable_layers):
        self.trainable_layers = trainable_layers

    def regularization_loss(self):
        regularization_loss = 0
        for layer in self.trainable_layers:
            regularization_loss += Loss.regularization_loss(self, layer)
        return regularization_loss

    def calculate(self, output, y, *, include_regularization=False):
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        self.accumulated_sum += np.sum(sample_losses)
        self.accumulated_count += len(sample_losses)
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def calculate_accumulated(self, *, include_regularization=False):
        data_loss = self.accumulated_sum / self.accumulated_count
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Model:
    def __init__(self):
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        self.layers.append(layer)

    def set(self, *, loss, optimizer, accuracy):
        self.loss = loss
        self.optimizer = optimizer
        self.accuracy = accuracy

    def finalize(self):
        self.input_layer = Layer_Input()
        layer_count = len(self.layers)
        self.trainable_layers = []
        for i in range(layer_count):
            if i == 0:
                self.layers[i].prev = self.input_layer
                self.layers[i].next = self.layers[i + 1]
            elif i < layer_count - 1:
                self.layers[i].prev = self.layers[i - 1]
                self.layers[i].next = self.layers[i + 1]
            else:
                self.layers[i].prev = self.layers[i - 1]
                self.layers[i].next = self.loss
                self.output_layer_activation = self.layers[i]
            if hasattr(self.layers[i], "weights"):
                self.trainable_layers.append(self.layers[i])
        self.loss.remember_trainable_layers(self.trainable_layers)
        if isinstance(self.layers[-1], Activation_Softmax) and \
                isinstance(self.loss, Loss_CategoricalCrossentropy):
            self.softmax_classifier_output = Activation_Softmax_Loss_CategoricalCrossentropy()

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None):
        self.accuracy.init(y)
        train_steps = 1
        if batch_size is not None:
            train_steps = len(X) // batch_size
            if train_steps * batch_size < len(X):
                train_steps += 1
        history = []
        for epoch in range(1, epochs + 1):
            self.loss.new_pass()
            self.accuracy.new_pass()
            for step in range(train_steps):
                if batch_size is None:
                    batch_X = X
                    batch_y = y
                else:
                    batch_X = X[step * batch_size:(step + 1) * batch_size]
                    batch_y = y[step * batch_size:(step + 1) * batch_size]
                output = self.forward(batch_X, training=True)
                data_loss, regularization_loss = self.loss.calculate(
                    output, batch_y, include_regularization=True)
                loss = data_loss + regularization_loss
                predictions = self.output_layer_activation.predictions(output)
                accuracy = self.accuracy.calculate(predictions, batch_y)
                self.backward(output, batch_y)
                self.optimizer.pre_update_params()
                for layer in self.trainable_layers:
                    self.optimizer.update_params(layer)
                self.optimizer.post_update_params()
            epoch_data_loss, epoch_regularization_loss = self.loss.calculate_accumulated(
                include_regularization=True)
            epoch_loss = epoch_data_loss + epoch_regularization_loss
            epoch_accuracy = self.accuracy.calculate_accumulated()
            history.append((epoch_loss, epoch_accuracy, loss, accuracy))
        return history

    def forward(self, X, training):
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        return layer.output

    def backward(self, output, y):
        if self.softmax_classifier_output is not None:
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def predict(self, X, *, batch_size=None):
        prediction_steps = 1
        if batch_size is not None:
            prediction_steps = len(X) // batch_size
            if prediction_steps * batch_size < len(X):
                prediction_steps += 1
        output = []
        for step in range(prediction_steps):
            if batch_size is None:
                batch_X = X
            else:
                batch_X = X[step * batch_size:(step + 1) * batch_size]
            batch_output = self.forward(batch_X, training=False)
            output.append(batch_output)
        return np.vstack(output)


def nnfs_model_train(X, y, W1, W2, epochs=2, batch_size=4):
    model = Model()
    model.add(Layer_Dense(2, 8, W1, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(8, 3, W2))
    model.add(Activation_Softmax())
    model.set(loss=Loss_Accumulating(), optimizer=Optimizer_Adam(learning_rate=0.05, decay=5e-5),
              accuracy=Accuracy_Categorical())
    model.finalize()
    history = model.train(X, y, epochs=epochs, batch_size=batch_size)
    return history, model.predict(X, batch_size=batch_size)


def _spiral(s, n, classes=3):
    rng = np.random.default_rng(s)
    X = np.zeros((n * classes, 2))
    y = np.zeros(n * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(n * class_number, n * (class_number + 1))
        r = np.linspace(0.0, 1, n)
        t = np.linspace(class_number * 4, (class_number + 1) * 4, n) + rng.standard_normal(n) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[ix] = class_number
    return X, y


NNFS = {
    "nnfs_forward_and_loss_sparse": (nnfs_forward_and_loss, {}, lambda s, n: (
        *_spiral(s, n), _f(2, 3, seed=s), _f(3, 3, seed=s + 1))),
    "nnfs_forward_and_loss_one_hot": (nnfs_forward_and_loss, {}, lambda s, n: (
        _spiral(s, n)[0], np.eye(3)[_spiral(s, n)[1]], _f(2, 3, seed=s), _f(3, 3, seed=s + 1))),
    "nnfs_softmax_backward_two_ways": (nnfs_softmax_backward_two_ways, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.ones(3), n), _i(3, n, seed=s))),
    "nnfs_train_adam": (nnfs_train_classifier, {}, lambda s, n: (
        *_spiral(s, n), _f(2, 8, seed=s) * 50, _f(8, 3, seed=s + 1) * 50)),
    "nnfs_train_sgd_momentum_one_hot": (nnfs_train_classifier, {"optimizer": "sgd"}, lambda s, n: (
        _spiral(s, n)[0], np.eye(3)[_spiral(s, n)[1]], _f(2, 8, seed=s) * 50,
        _f(8, 3, seed=s + 1) * 50)),
    "nnfs_binary_with_dropout": (nnfs_binary_with_dropout, {}, lambda s, n: (
        _spiral(s, n, 2)[0], _spiral(s, n, 2)[1], _f(2, 8, seed=s) * 50, _f(8, 1, seed=s + 1) * 50,
        np.random.default_rng(s).random((2 * n, 8)))),
    "nnfs_regression_mse": (nnfs_regression_step, {}, lambda s, n: (
        np.linspace(0, 1, 4 * n)[:, None], np.sin(np.linspace(0, 6, 4 * n))[:, None],
        _f(1, 8, seed=s) * 10, _f(8, 1, seed=s + 1) * 10)),
    "nnfs_model_train_batches": (nnfs_model_train, {}, lambda s, n: (
        *_spiral(s, n), _f(2, 8, seed=s) * 50, _f(8, 3, seed=s + 1) * 50)),
}


@pytest.mark.parametrize("name", list(NNFS))
def test_neural_networks_from_scratch_matches_numpy(name):
    check_like_numpy(*NNFS[name])


# ------------------------------------------------ ML-From-Scratch: utilities and data helpers


def normalize(X, axis=-1, order=2):
    l2 = np.atleast_1d(np.linalg.norm(X, order, axis))
    l2[l2 == 0] = 1
    return X / np.expand_dims(l2, axis)


def standardize(X):
    X_std = X
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    for col in range(np.shape(X)[1]):
        if std[col]:
            X_std[:, col] = (X_std[:, col] - mean[col]) / std[col]
    return X_std


def polynomial_features(X, degree):
    n_samples, n_features = np.shape(X)

    def index_combinations():
        combs = [combinations_with_replacement(range(n_features), i) for i in range(0, degree + 1)]
        flat_combs = [item for sublist in combs for item in sublist]
        return flat_combs

    combinations = index_combinations()
    n_output_features = len(combinations)
    X_new = np.empty((n_samples, n_output_features))
    for i, index_combs in enumerate(combinations):
        X_new[:, i] = np.prod(X[:, index_combs], axis=1)
    return X_new


def shuffle_data(X, y, idx):
    return X[idx], y[idx]


def train_test_split(X, y, idx, test_size=0.5, shuffle=True):
    if shuffle:
        X, y = shuffle_data(X, y, idx)
    split_i = len(y) - int(len(y) // (1 / test_size))
    X_train, X_test = X[:split_i], X[split_i:]
    y_train, y_test = y[:split_i], y[split_i:]
    return X_train, X_test, y_train, y_test


def accuracy_score(y_true, y_pred):
    accuracy = np.sum(y_true == y_pred, axis=0) / len(y_true)
    return accuracy


def to_categorical(x, n_col=None):
    if not n_col:
        n_col = np.amax(x) + 1
    one_hot = np.zeros((x.shape[0], n_col))
    one_hot[np.arange(x.shape[0]), x] = 1
    return one_hot


def batch_iterator(X, y=None, batch_size=64):
    n_samples = X.shape[0]
    for i in np.arange(0, n_samples, batch_size):
        begin, end = i, min(i + batch_size, n_samples)
        if y is not None:
            yield X[begin:end], y[begin:end]
        else:
            yield X[begin:end]


def calculate_variance(X):
    mean = np.ones(np.shape(X)) * X.mean(0)
    n_samples = np.shape(X)[0]
    variance = (1 / n_samples) * np.diag((X - mean).T.dot(X - mean))
    return variance


def calculate_std_dev(X):
    std_dev = np.sqrt(calculate_variance(X))
    return std_dev


def mean_squared_error(y_true, y_pred):
    mse = np.mean(np.power(y_true - y_pred, 2))
    return mse


def euclidean_distance(x1, x2):
    distance = 0
    for i in range(len(x1)):
        distance += pow((x1[i] - x2[i]), 2)
    return math.sqrt(distance)


def calculate_covariance_matrix(X, Y=None):
    if Y is None:
        Y = X
    n_samples = np.shape(X)[0]
    covariance_matrix = (1 / (n_samples - 1)) * (X - X.mean(axis=0)).T.dot(Y - Y.mean(axis=0))
    return np.array(covariance_matrix, dtype=float)


def calculate_correlation_matrix(X, Y=None):
    if Y is None:
        Y = X
    n_samples = np.shape(X)[0]
    covariance = (1 / n_samples) * (X - X.mean(0)).T.dot(Y - Y.mean(0))
    std_dev_X = np.expand_dims(calculate_std_dev(X), 1)
    std_dev_y = np.expand_dims(calculate_std_dev(Y), 1)
    correlation_matrix = np.divide(covariance, std_dev_X.dot(std_dev_y.T))
    return np.array(correlation_matrix, dtype=float)


def calculate_entropy(y):
    log2 = lambda x: math.log(x) / math.log(2)
    unique_labels = np.unique(y)
    entropy = 0
    for label in unique_labels:
        count = len(y[y == label])
        p = count / len(y)
        entropy += -p * log2(p)
    return entropy


def data_helpers(X, y, idx, n_col=3):
    X_train, X_test, y_train, y_test = train_test_split(X, y, idx, test_size=0.4)
    batches = [xb.sum(0) + yb.sum() for xb, yb in batch_iterator(X_train, y_train, batch_size=3)]
    return (normalize(X), normalize(X, axis=0, order=1), X_test, y_test, batches,
            to_categorical(y, n_col), accuracy_score(y, y[::-1]),
            mean_squared_error(X[:, 0], X[:, 1]), euclidean_distance(X[0], X[1]))


def statistics_helpers(X):
    return (calculate_variance(X), calculate_std_dev(X), calculate_covariance_matrix(X),
            calculate_correlation_matrix(X), calculate_covariance_matrix(X, X[:, ::-1]))


# ---------------------------------- ML-From-Scratch: activations, losses, optimizers classes


class Sigmoid:
    def __call__(self, x):
        return 1 / (1 + np.exp(-x))

    def gradient(self, x):
        return self.__call__(x) * (1 - self.__call__(x))


class Softmax:
    def __call__(self, x):
        e_x = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e_x / np.sum(e_x, axis=-1, keepdims=True)

    def gradient(self, x):
        p = self.__call__(x)
        return p * (1 - p)


class TanH:
    def __call__(self, x):
        return 2 / (1 + np.exp(-2 * x)) - 1

    def gradient(self, x):
        return 1 - np.power(self.__call__(x), 2)


class ReLU:
    def __call__(self, x):
        return np.where(x >= 0, x, 0)

    def gradient(self, x):
        return np.where(x >= 0, 1, 0)


class LeakyReLU:
    def __init__(self, alpha=0.2):
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x >= 0, x, self.alpha * x)

    def gradient(self, x):
        return np.where(x >= 0, 1, self.alpha)


class ELU:
    def __init__(self, alpha=0.1):
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x >= 0.0, x, self.alpha * (np.exp(x) - 1))

    def gradient(self, x):
        return np.where(x >= 0.0, 1, self.__call__(x) + self.alpha)


class SELU:
    def __init__(self):
        self.alpha = 1.6732632423543772848170429916717
        self.scale = 1.0507009873554804934193349852946

    def __call__(self, x):
        return self.scale * np.where(x >= 0.0, x, self.alpha * (np.exp(x) - 1))

    def gradient(self, x):
        return self.scale * np.where(x >= 0.0, 1, self.alpha * np.exp(x))


class SoftPlus:
    def __call__(self, x):
        return np.log(1 + np.exp(x))

    def gradient(self, x):
        return 1 / (1 + np.exp(-x))


def mlfs_activations(x):
    out = []
    for act in (Sigmoid(), Softmax(), TanH(), ReLU(), LeakyReLU(), ELU(), SELU(), SoftPlus()):
        out.append((act(x), act.gradient(x)))
    return out


class SquareLoss:
    def loss(self, y, y_pred):
        return 0.5 * np.power((y - y_pred), 2)

    def gradient(self, y, y_pred):
        return -(y - y_pred)


class CrossEntropy:
    def loss(self, y, p):
        p = np.clip(p, 1e-15, 1 - 1e-15)
        return - y * np.log(p) - (1 - y) * np.log(1 - p)

    def acc(self, y, p):
        return accuracy_score(np.argmax(y, axis=1), np.argmax(p, axis=1))

    def gradient(self, y, p):
        p = np.clip(p, 1e-15, 1 - 1e-15)
        return - (y / p) + (1 - y) / (1 - p)


def mlfs_losses(y, p):
    sq, ce = SquareLoss(), CrossEntropy()
    return (np.mean(sq.loss(y, p)), sq.gradient(y, p), np.mean(ce.loss(y, p)), ce.acc(y, p),
            ce.gradient(y, p))


class StochasticGradientDescent:
    def __init__(self, learning_rate=0.01, momentum=0):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.w_updt = None

    def update(self, w, grad_wrt_w):
        if self.w_updt is None:
            self.w_updt = np.zeros(np.shape(w))
        self.w_updt = self.momentum * self.w_updt + (1 - self.momentum) * grad_wrt_w
        return w - self.learning_rate * self.w_updt


class NesterovAcceleratedGradient:
    def __init__(self, learning_rate=0.001, momentum=0.4):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.w_updt = np.array([])

    def update(self, w, grad_func):
        if not self.w_updt.any():
            self.w_updt = np.zeros(np.shape(w))
        approx_future_grad = np.clip(grad_func(w - self.momentum * self.w_updt), -1, 1)
        self.w_updt = self.momentum * self.w_updt + self.learning_rate * approx_future_grad
        return w - self.w_updt


class Adagrad:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate
        self.G = None
        self.eps = 1e-8

    def update(self, w, grad_wrt_w):
        if self.G is None:
            self.G = np.zeros(np.shape(w))
        self.G += np.power(grad_wrt_w, 2)
        return w - self.learning_rate * grad_wrt_w / np.sqrt(self.G + self.eps)


class Adadelta:
    def __init__(self, rho=0.95, eps=1e-6):
        self.E_w_updt = None
        self.E_grad = None
        self.w_updt = None
        self.eps = eps
        self.rho = rho

    def update(self, w, grad_wrt_w):
        if self.w_updt is None:
            self.w_updt = np.zeros(np.shape(w))
            self.E_w_updt = np.zeros(np.shape(w))
            self.E_grad = np.zeros(np.shape(grad_wrt_w))
        self.E_grad = self.rho * self.E_grad + (1 - self.rho) * np.power(grad_wrt_w, 2)
        RMS_delta_w = np.sqrt(self.E_w_updt + self.eps)
        RMS_grad = np.sqrt(self.E_grad + self.eps)
        adaptive_lr = RMS_delta_w / RMS_grad
        self.w_updt = adaptive_lr * grad_wrt_w
        self.E_w_updt = self.rho * self.E_w_updt + (1 - self.rho) * np.power(self.w_updt, 2)
        return w - self.w_updt


class RMSprop:
    def __init__(self, learning_rate=0.01, rho=0.9):
        self.learning_rate = learning_rate
        self.Eg = None
        self.eps = 1e-8
        self.rho = rho

    def update(self, w, grad_wrt_w):
        if self.Eg is None:
            self.Eg = np.zeros(np.shape(grad_wrt_w))
        self.Eg = self.rho * self.Eg + (1 - self.rho) * np.power(grad_wrt_w, 2)
        return w - self.learning_rate * grad_wrt_w / np.sqrt(self.Eg + self.eps)


class Adam:
    def __init__(self, learning_rate=0.001, b1=0.9, b2=0.999):
        self.learning_rate = learning_rate
        self.eps = 1e-8
        self.m = None
        self.v = None
        self.b1 = b1
        self.b2 = b2

    def update(self, w, grad_wrt_w):
        if self.m is None:
            self.m = np.zeros(np.shape(grad_wrt_w))
            self.v = np.zeros(np.shape(grad_wrt_w))
        self.m = self.b1 * self.m + (1 - self.b1) * grad_wrt_w
        self.v = self.b2 * self.v + (1 - self.b2) * np.power(grad_wrt_w, 2)
        m_hat = self.m / (1 - self.b1)
        v_hat = self.v / (1 - self.b2)
        self.w_updt = self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
        return w - self.w_updt


def mlfs_optimizers_on_least_squares(A, b, w0, steps=3):
    grad = lambda w: A.T @ (A @ w - b)
    out = []
    for opt in (StochasticGradientDescent(0.01, momentum=0.9), Adagrad(), Adadelta(), RMSprop(),
                Adam()):
        w = w0.copy()
        for _ in range(steps):
            w = opt.update(w, grad(w))
        out.append(w)
    return out


def nesterov_on_least_squares(A, b, w0, steps=3):
    grad = lambda w: A.T @ (A @ w - b)
    nag = NesterovAcceleratedGradient()
    w = w0.copy()
    for _ in range(steps):
        w = nag.update(w, grad)
    return w


# ---------------------------------------------------- ML-From-Scratch: supervised learning


class l1_regularization:
    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, w):
        return self.alpha * np.linalg.norm(w)

    def grad(self, w):
        return self.alpha * np.sign(w)


class l2_regularization:
    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, w):
        return self.alpha * 0.5 * w.T.dot(w)

    def grad(self, w):
        return self.alpha * w


class l1_l2_regularization:
    def __init__(self, alpha, l1_ratio=0.5):
        self.alpha = alpha
        self.l1_ratio = l1_ratio

    def __call__(self, w):
        l1_contr = self.l1_ratio * np.linalg.norm(w)
        l2_contr = (1 - self.l1_ratio) * 0.5 * w.T.dot(w)
        return self.alpha * (l1_contr + l2_contr)

    def grad(self, w):
        l1_contr = self.l1_ratio * np.sign(w)
        l2_contr = (1 - self.l1_ratio) * w
        return self.alpha * (l1_contr + l2_contr)


class Regression:
    def __init__(self, n_iterations, learning_rate):
        self.n_iterations = n_iterations
        self.learning_rate = learning_rate

    def initialize_weights(self, n_features, u):
        limit = 1 / math.sqrt(n_features)
        self.w = -limit + 2 * limit * u[:n_features]

    def fit(self, X, y, u):
        X = np.insert(X, 0, 1, axis=1)
        self.training_errors = []
        self.initialize_weights(X.shape[1], u)
        for i in range(self.n_iterations):
            y_pred = X.dot(self.w)
            mse = np.mean(0.5 * (y - y_pred) ** 2 + self.regularization(self.w))
            self.training_errors.append(mse)
            grad_w = -(y - y_pred).dot(X) + self.regularization.grad(self.w)
            self.w -= self.learning_rate * grad_w

    def predict(self, X):
        X = np.insert(X, 0, 1, axis=1)
        y_pred = X.dot(self.w)
        return y_pred


class LinearRegression(Regression):
    def __init__(self, n_iterations=100, learning_rate=0.001, gradient_descent=True):
        self.gradient_descent = gradient_descent
        self.regularization = lambda x: 0
        self.regularization.grad = lambda x: 0
        super().__init__(n_iterations=n_iterations, learning_rate=learning_rate)

    def fit(self, X, y, u):
        if not self.gradient_descent:
            X = np.insert(X, 0, 1, axis=1)
            U, S, V = np.linalg.svd(X.T.dot(X))
            S = np.diag(S)
            X_sq_reg_inv = V.dot(np.linalg.pinv(S)).dot(U.T)
            self.w = X_sq_reg_inv.dot(X.T).dot(y)
        else:
            super().fit(X, y, u)


class LassoRegression(Regression):
    def __init__(self, degree, reg_factor, n_iterations=3000, learning_rate=0.01):
        self.degree = degree
        self.regularization = l1_regularization(alpha=reg_factor)
        super().__init__(n_iterations, learning_rate)

    def fit(self, X, y, u):
        X = normalize(polynomial_features(X, degree=self.degree))
        super().fit(X, y, u)

    def predict(self, X):
        X = normalize(polynomial_features(X, degree=self.degree))
        return super().predict(X)


class PolynomialRidgeRegression(Regression):
    def __init__(self, degree, reg_factor, n_iterations=3000, learning_rate=0.01):
        self.degree = degree
        self.regularization = l2_regularization(alpha=reg_factor)
        super().__init__(n_iterations, learning_rate)

    def fit(self, X, y, u):
        X = normalize(polynomial_features(X, degree=self.degree))
        super().fit(X, y, u)

    def predict(self, X):
        X = normalize(polynomial_features(X, degree=self.degree))
        return super().predict(X)


class ElasticNet(Regression):
    def __init__(self, degree=1, reg_factor=0.05, l1_ratio=0.5, n_iterations=3000,
                 learning_rate=0.01):
        self.degree = degree
        self.regularization = l1_l2_regularization(alpha=reg_factor, l1_ratio=l1_ratio)
        super().__init__(n_iterations, learning_rate)

    def fit(self, X, y, u):
        X = normalize(polynomial_features(X, degree=self.degree))
        super().fit(X, y, u)

    def predict(self, X):
        X = normalize(polynomial_features(X, degree=self.degree))
        return super().predict(X)


def fit_regression(X, y, u, X_test, model="linear", n_iterations=5):
    if model == "linear":
        reg = LinearRegression(n_iterations=n_iterations, learning_rate=0.01)
    elif model == "linear_svd":
        reg = LinearRegression(gradient_descent=False)
    elif model == "lasso":
        reg = LassoRegression(degree=2, reg_factor=0.05, n_iterations=n_iterations)
    elif model == "ridge":
        reg = PolynomialRidgeRegression(degree=3, reg_factor=0.1, n_iterations=n_iterations)
    else:
        reg = ElasticNet(degree=2, n_iterations=n_iterations)
    reg.fit(X, y, u)
    y_pred = reg.predict(X_test)
    return y_pred, mean_squared_error(X_test[:, 0], y_pred), getattr(reg, "training_errors", [])


class LogisticRegression:
    def __init__(self, learning_rate=.1, gradient_descent=True):
        self.param = None
        self.learning_rate = learning_rate
        self.gradient_descent = gradient_descent
        self.sigmoid = Sigmoid()

    def _initialize_parameters(self, X, u):
        n_features = np.shape(X)[1]
        limit = 1 / math.sqrt(n_features)
        self.param = -limit + 2 * limit * u[:n_features]

    def fit(self, X, y, u, n_iterations=4000):
        self._initialize_parameters(X, u)
        for i in range(n_iterations):
            y_pred = self.sigmoid(X.dot(self.param))
            if self.gradient_descent:
                self.param -= self.learning_rate * -(y - y_pred).dot(X)
            else:
                diag_gradient = np.diag(self.sigmoid.gradient(X.dot(self.param)))
                self.param = np.linalg.pinv(X.T.dot(diag_gradient).dot(X)).dot(X.T).dot(
                    diag_gradient.dot(X).dot(self.param) + y - y_pred)

    def predict(self, X):
        y_pred = np.round(self.sigmoid(X.dot(self.param))).astype(int)
        return y_pred


def fit_logistic_regression(X, y, u, X_test, n_iterations=5, gradient_descent=True):
    clf = LogisticRegression(gradient_descent=gradient_descent)
    clf.fit(X, y, u, n_iterations=n_iterations)
    y_pred = clf.predict(X_test)
    return clf.param, y_pred, accuracy_score(y[:len(y_pred)], y_pred)


class PCA:
    def transform(self, X, n_components):
        covariance_matrix = calculate_covariance_matrix(X)
        eigenvalues, eigenvectors = np.linalg.eig(covariance_matrix)
        idx = eigenvalues.argsort()[::-1]
        eigenvalues = eigenvalues[idx][:n_components]
        eigenvectors = np.atleast_1d(eigenvectors[:, idx])[:, :n_components]
        X_transformed = X.dot(eigenvectors)
        return X_transformed


def pca_transform(X, n_components=2):
    X_transformed = PCA().transform(X, n_components)
    return np.abs(X_transformed), X_transformed.dtype


class NaiveBayes:
    def fit(self, X, y, n_classes):
        self.X, self.y = X, y
        self.classes = np.arange(n_classes)
        self.parameters = []
        for i, c in enumerate(self.classes):
            X_where_c = X[np.where(y == c)]
            self.parameters.append([])
            for col in X_where_c.T:
                parameters = {"mean": col.mean(), "var": col.var()}
                self.parameters[i].append(parameters)

    def _calculate_likelihood(self, mean, var, x):
        eps = 1e-4
        coeff = 1.0 / math.sqrt(2.0 * math.pi * var + eps)
        exponent = math.exp(-(math.pow(x - mean, 2) / (2 * var + eps)))
        return coeff * exponent

    def _calculate_prior(self, c):
        frequency = np.mean(self.y == c)
        return frequency

    def _classify(self, sample):
        posteriors = []
        for i, c in enumerate(self.classes):
            posterior = self._calculate_prior(c)
            for feature_value, params in zip(sample, self.parameters[i]):
                likelihood = self._calculate_likelihood(params["mean"], params["var"],
                                                        feature_value)
                posterior *= likelihood
            posteriors.append(posterior)
        return self.classes[np.argmax(posteriors)]

    def predict(self, X):
        y_pred = [self._classify(sample) for sample in X]
        return y_pred


def naive_bayes_fit_predict(X, y, X_test, n_classes=3):
    clf = NaiveBayes()
    clf.fit(X, y, n_classes)
    return clf.predict(X_test), [[p["mean"] for p in ps] for ps in clf.parameters]


class GaussianNaiveBayes:
    def fit(self, X, y, n_classes):
        n_samples, n_features = X.shape
        self._classes = np.arange(n_classes)
        self._mean = np.zeros((n_classes, n_features), dtype=np.float64)
        self._var = np.zeros((n_classes, n_features), dtype=np.float64)
        self._priors = np.zeros(n_classes, dtype=np.float64)
        for idx, c in enumerate(self._classes):
            X_c = X[y == c]
            self._mean[idx, :] = X_c.mean(axis=0)
            self._var[idx, :] = X_c.var(axis=0)
            self._priors[idx] = np.sum(y == c) / float(n_samples)

    def predict(self, X):
        y_pred = [self._predict(x) for x in X]
        return np.array(y_pred)

    def _predict(self, x):
        posteriors = []
        for idx, c in enumerate(self._classes):
            prior = np.log(self._priors[idx])
            posterior = np.sum(np.log(self._pdf(idx, x)))
            posterior = prior + posterior
            posteriors.append(posterior)
        return self._classes[np.argmax(posteriors)]

    def _pdf(self, class_idx, x):
        mean = self._mean[class_idx]
        var = self._var[class_idx]
        numerator = np.exp(-((x - mean) ** 2) / (2 * var))
        denominator = np.sqrt(2 * np.pi * var)
        return numerator / denominator


def gaussian_naive_bayes(X, y, X_test, n_classes=3):
    clf = GaussianNaiveBayes()
    clf.fit(X, y, n_classes)
    return clf.predict(X_test), clf._mean, clf._var, clf._priors


class KNN:
    def __init__(self, k=5):
        self.k = k

    def _vote(self, neighbor_labels):
        counts = np.bincount(neighbor_labels.astype("int"))
        return counts.argmax()

    def predict(self, X_test, X_train, y_train):
        y_pred = np.empty(X_test.shape[0])
        for i, test_sample in enumerate(X_test):
            idx = np.argsort([euclidean_distance(test_sample, x) for x in X_train])[:self.k]
            k_nearest_neighbors = np.array([y_train[i] for i in idx])
            y_pred[i] = self._vote(k_nearest_neighbors)
        return y_pred


def knn_vote_predict(X_test, X_train, y_train, k=3):
    return KNN(k=k).predict(X_test, X_train, y_train)


class MultilayerPerceptron:
    def __init__(self, n_hidden, n_iterations=3000, learning_rate=0.01):
        self.n_hidden = n_hidden
        self.n_iterations = n_iterations
        self.learning_rate = learning_rate
        self.hidden_activation = Sigmoid()
        self.output_activation = Softmax()
        self.loss = CrossEntropy()

    def _initialize_weights(self, X, y, u1, u2):
        n_samples, n_features = X.shape
        _, n_outputs = y.shape
        limit = 1 / math.sqrt(n_features)
        self.W = -limit + 2 * limit * u1
        self.w0 = np.zeros((1, self.n_hidden))
        limit = 1 / math.sqrt(self.n_hidden)
        self.V = -limit + 2 * limit * u2
        self.v0 = np.zeros((1, n_outputs))

    def fit(self, X, y, u1, u2):
        self._initialize_weights(X, y, u1, u2)
        for i in range(self.n_iterations):
            hidden_input = X.dot(self.W) + self.w0
            hidden_output = self.hidden_activation(hidden_input)
            output_layer_input = hidden_output.dot(self.V) + self.v0
            y_pred = self.output_activation(output_layer_input)
            grad_wrt_out_l_input = self.loss.gradient(y, y_pred) * self.output_activation.gradient(
                output_layer_input)
            grad_v = hidden_output.T.dot(grad_wrt_out_l_input)
            grad_v0 = np.sum(grad_wrt_out_l_input, axis=0, keepdims=True)
            grad_wrt_hidden_l_input = grad_wrt_out_l_input.dot(self.V.T) * (
                self.hidden_activation.gradient(hidden_input))
            grad_w = X.T.dot(grad_wrt_hidden_l_input)
            grad_w0 = np.sum(grad_wrt_hidden_l_input, axis=0, keepdims=True)
            self.V -= self.learning_rate * grad_v
            self.v0 -= self.learning_rate * grad_v0
            self.W -= self.learning_rate * grad_w
            self.w0 -= self.learning_rate * grad_w0

    def predict(self, X):
        hidden_input = X.dot(self.W) + self.w0
        hidden_output = self.hidden_activation(hidden_input)
        output_layer_input = hidden_output.dot(self.V) + self.v0
        y_pred = self.output_activation(output_layer_input)
        return y_pred


def mlp_fit_predict(X, y, u1, u2, n_iterations=4):
    clf = MultilayerPerceptron(n_hidden=u1.shape[1], n_iterations=n_iterations)
    y_onehot = to_categorical(y, n_col=u2.shape[1])
    clf.fit(X, y_onehot, u1, u2)
    y_pred = np.argmax(clf.predict(X), axis=1)
    return clf.W, clf.V, y_pred, accuracy_score(y, y_pred)


# ------------------------------------------ ML-From-Scratch: deep learning layers (im2col)


def determine_padding(filter_shape, output_shape="same"):
    if output_shape == "valid":
        return (0, 0), (0, 0)
    elif output_shape == "same":
        filter_height, filter_width = filter_shape
        pad_h1 = int(math.floor((filter_height - 1) / 2))
        pad_h2 = int(math.ceil((filter_height - 1) / 2))
        pad_w1 = int(math.floor((filter_width - 1) / 2))
        pad_w2 = int(math.ceil((filter_width - 1) / 2))
        return (pad_h1, pad_h2), (pad_w1, pad_w2)


def get_im2col_indices(images_shape, filter_shape, padding, stride=1):
    batch_size, channels, height, width = images_shape
    filter_height, filter_width = filter_shape
    pad_h, pad_w = padding
    out_height = int((height + np.sum(pad_h) - filter_height) / stride + 1)
    out_width = int((width + np.sum(pad_w) - filter_width) / stride + 1)
    i0 = np.repeat(np.arange(filter_height), filter_width)
    i0 = np.tile(i0, channels)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(filter_width), filter_height * channels)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(channels), filter_height * filter_width).reshape(-1, 1)
    return (k, i, j)


def image_to_column(images, filter_shape, stride, output_shape="same"):
    filter_height, filter_width = filter_shape
    pad_h, pad_w = determine_padding(filter_shape, output_shape)
    images_padded = np.pad(images, ((0, 0), (0, 0), pad_h, pad_w), mode="constant")
    k, i, j = get_im2col_indices(images.shape, filter_shape, (pad_h, pad_w), stride)
    cols = images_padded[:, k, i, j]
    channels = images.shape[1]
    cols = cols.transpose(1, 2, 0).reshape(filter_height * filter_width * channels, -1)
    return cols


def column_to_image(cols, images_shape, filter_shape, stride, output_shape="same"):
    batch_size, channels, height, width = images_shape
    pad_h, pad_w = determine_padding(filter_shape, output_shape)
    height_padded = height + np.sum(pad_h)
    width_padded = width + np.sum(pad_w)
    images_padded = np.zeros((batch_size, channels, height_padded, width_padded))
    k, i, j = get_im2col_indices(images_shape, filter_shape, (pad_h, pad_w), stride)
    cols = cols.reshape(channels * np.prod(filter_shape), -1, batch_size)
    cols = cols.transpose(2, 0, 1)
    np.add.at(images_padded, (slice(None), k, i, j), cols)
    return images_padded[:, :, pad_h[0]:height + pad_h[0], pad_w[0]:width + pad_w[0]]


class Conv2D:
    def __init__(self, n_filters, filter_shape, input_shape=None, padding="same", stride=1):
        self.n_filters = n_filters
        self.filter_shape = filter_shape
        self.padding = padding
        self.stride = stride
        self.input_shape = input_shape
        self.trainable = True

    def initialize(self, optimizer, u):
        filter_height, filter_width = self.filter_shape
        channels = self.input_shape[0]
        limit = 1 / math.sqrt(np.prod(self.filter_shape))
        self.W = -limit + 2 * limit * u
        self.w0 = np.zeros((self.n_filters, 1))
        self.W_opt = copy.copy(optimizer)
        self.w0_opt = copy.copy(optimizer)
        assert self.W.shape == (self.n_filters, channels, filter_height, filter_width)

    def forward_pass(self, X, training=True):
        batch_size, channels, height, width = X.shape
        self.layer_input = X
        self.X_col = image_to_column(X, self.filter_shape, stride=self.stride,
                                     output_shape=self.padding)
        self.W_col = self.W.reshape((self.n_filters, -1))
        output = self.W_col.dot(self.X_col) + self.w0
        output = output.reshape(self.output_shape() + (batch_size,))
        return output.transpose(3, 0, 1, 2)

    def backward_pass(self, accum_grad):
        accum_grad = accum_grad.transpose(1, 2, 3, 0).reshape(self.n_filters, -1)
        if self.trainable:
            grad_w = accum_grad.dot(self.X_col.T).reshape(self.W.shape)
            grad_w0 = np.sum(accum_grad, axis=1, keepdims=True)
            self.W = self.W_opt.update(self.W, grad_w)
            self.w0 = self.w0_opt.update(self.w0, grad_w0)
        accum_grad = self.W_col.T.dot(accum_grad)
        accum_grad = column_to_image(accum_grad, self.layer_input.shape, self.filter_shape,
                                     stride=self.stride, output_shape=self.padding)
        return accum_grad

    def output_shape(self):
        channels, height, width = self.input_shape
        pad_h, pad_w = determine_padding(self.filter_shape, output_shape=self.padding)
        output_height = (height + np.sum(pad_h) - self.filter_shape[0]) / self.stride + 1
        output_width = (width + np.sum(pad_w) - self.filter_shape[1]) / self.stride + 1
        return self.n_filters, int(output_height), int(output_width)


def conv2d_layer_step(X, u, accum_grad, padding="same", stride=1):
    layer = Conv2D(n_filters=u.shape[0], filter_shape=u.shape[2:], input_shape=X.shape[1:],
                   padding=padding, stride=stride)
    layer.initialize(Adam(), u)
    out = layer.forward_pass(X)
    dX = layer.backward_pass(accum_grad)
    return out, dX, layer.W, layer.w0


class BatchNormalization:
    def __init__(self, momentum=0.99):
        self.momentum = momentum
        self.trainable = True
        self.eps = 0.01
        self.running_mean = None
        self.running_var = None

    def initialize(self, optimizer, input_shape):
        self.gamma = np.ones(input_shape)
        self.beta = np.zeros(input_shape)
        self.gamma_opt = copy.copy(optimizer)
        self.beta_opt = copy.copy(optimizer)

    def forward_pass(self, X, training=True):
        if self.running_mean is None:
            self.running_mean = np.mean(X, axis=0)
            self.running_var = np.var(X, axis=0)
        if training and self.trainable:
            mean = np.mean(X, axis=0)
            var = np.var(X, axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mean = self.running_mean
            var = self.running_var
        self.X_centered = X - mean
        self.stddev_inv = 1 / np.sqrt(var + self.eps)
        X_norm = self.X_centered * self.stddev_inv
        output = self.gamma * X_norm + self.beta
        return output

    def backward_pass(self, accum_grad):
        gamma = self.gamma
        if self.trainable:
            X_norm = self.X_centered * self.stddev_inv
            grad_gamma = np.sum(accum_grad * X_norm, axis=0)
            grad_beta = np.sum(accum_grad, axis=0)
            self.gamma = self.gamma_opt.update(self.gamma, grad_gamma)
            self.beta = self.beta_opt.update(self.beta, grad_beta)
        batch_size = accum_grad.shape[0]
        accum_grad = (1 / batch_size) * gamma * self.stddev_inv * (
            batch_size * accum_grad - np.sum(accum_grad, axis=0)
            - self.X_centered * self.stddev_inv ** 2 * np.sum(accum_grad * self.X_centered, axis=0))
        return accum_grad


def batchnorm_layer_steps(X, accum_grad, X_test, steps=3):
    layer = BatchNormalization()
    layer.initialize(StochasticGradientDescent(0.1, momentum=0.5), X.shape[1:])
    for _ in range(steps):
        out = layer.forward_pass(X)
        dX = layer.backward_pass(accum_grad)
        X = X + 0.1 * dX
    return out, dX, layer.forward_pass(X_test, training=False), layer.running_var


def multivariate_gaussian(X, params):
    n_features = np.shape(X)[1]
    mean = params["mean"]
    covar = params["cov"]
    determinant = np.linalg.det(covar)
    likelihoods = np.zeros(np.shape(X)[0])
    for i, sample in enumerate(X):
        d = n_features
        coeff = (1.0 / (math.pow((2.0 * math.pi), d / 2) * math.sqrt(determinant)))
        exponent = math.exp(-0.5 * (sample - mean).T.dot(np.linalg.pinv(covar)).dot(
            (sample - mean)))
        likelihoods[i] = coeff * exponent
    return likelihoods


class GaussianMixtureModel:
    def __init__(self, k=2, max_iterations=2000):
        self.k = k
        self.parameters = []
        self.max_iterations = max_iterations
        self.responsibilities = []
        self.sample_assignments = None
        self.responsibility = None

    def _init_random_gaussians(self, X, init_idx):
        n_samples = np.shape(X)[0]
        self.priors = (1 / self.k) * np.ones(self.k)
        for i in range(self.k):
            params = {}
            params["mean"] = X[init_idx[i]]
            params["cov"] = calculate_covariance_matrix(X)
            self.parameters.append(params)
        assert n_samples > self.k

    def _get_likelihoods(self, X):
        n_samples = np.shape(X)[0]
        likelihoods = np.zeros((n_samples, self.k))
        for i in range(self.k):
            likelihoods[:, i] = multivariate_gaussian(X, self.parameters[i])
        return likelihoods

    def _expectation(self, X):
        weighted_likelihoods = self._get_likelihoods(X) * self.priors
        sum_likelihoods = np.expand_dims(np.sum(weighted_likelihoods, axis=1), axis=1)
        self.responsibility = weighted_likelihoods / sum_likelihoods
        self.sample_assignments = self.responsibility.argmax(axis=1)
        self.responsibilities.append(np.max(self.responsibility, axis=1))

    def _maximization(self, X):
        for i in range(self.k):
            resp = np.expand_dims(self.responsibility[:, i], axis=1)
            mean = (resp * X).sum(axis=0) / resp.sum()
            covariance = (X - mean).T.dot((X - mean) * resp) / resp.sum()
            self.parameters[i]["mean"], self.parameters[i]["cov"] = mean, covariance
        n_samples = np.shape(X)[0]
        self.priors = self.responsibility.sum(axis=0) / n_samples

    def predict(self, X, init_idx):
        self._init_random_gaussians(X, init_idx)
        for _ in range(self.max_iterations):
            self._expectation(X)
            self._maximization(X)
        self._expectation(X)
        return self.sample_assignments


def gmm_em(X, init_idx, k=2, max_iterations=2):
    gmm = GaussianMixtureModel(k=k, max_iterations=max_iterations)
    labels = gmm.predict(X, init_idx)
    return labels, gmm.priors, gmm.parameters, gmm.responsibilities[-1]


class RNNLayer:
    def __init__(self, n_units, activation, U, W, V, bptt_trunc=5):
        self.n_units = n_units
        self.activation = activation
        self.bptt_trunc = bptt_trunc
        self.U, self.W, self.V = U, W, V
        self.U_opt = Adam()
        self.V_opt = Adam()
        self.W_opt = Adam()

    def forward_pass(self, X, training=True):
        self.layer_input = X
        batch_size, timesteps, input_dim = X.shape
        self.state_input = np.zeros((batch_size, timesteps, self.n_units))
        self.states = np.zeros((batch_size, timesteps + 1, self.n_units))
        self.outputs = np.zeros((batch_size, timesteps, input_dim))
        self.states[:, -1] = np.zeros((batch_size, self.n_units))
        for t in range(timesteps):
            self.state_input[:, t] = X[:, t].dot(self.U.T) + self.states[:, t - 1].dot(self.W.T)
            self.states[:, t] = self.activation(self.state_input[:, t])
            self.outputs[:, t] = self.states[:, t].dot(self.V.T)
        return self.outputs

    def backward_pass(self, accum_grad):
        _, timesteps, _ = accum_grad.shape
        grad_U = np.zeros_like(self.U)
        grad_V = np.zeros_like(self.V)
        grad_W = np.zeros_like(self.W)
        accum_grad_next = np.zeros_like(accum_grad)
        for t in reversed(range(timesteps)):
            grad_V += accum_grad[:, t].T.dot(self.states[:, t])
            grad_wrt_state = accum_grad[:, t].dot(self.V) * self.activation.gradient(
                self.state_input[:, t])
            accum_grad_next[:, t] = grad_wrt_state.dot(self.U)
            for t_ in reversed(np.arange(max(0, t - self.bptt_trunc), t + 1)):
                grad_U += grad_wrt_state.T.dot(self.layer_input[:, t_])
                grad_W += grad_wrt_state.T.dot(self.states[:, t_ - 1])
                grad_wrt_state = grad_wrt_state.dot(self.W) * self.activation.gradient(
                    self.state_input[:, t_ - 1])
        self.U = self.U_opt.update(self.U, grad_U)
        self.V = self.V_opt.update(self.V, grad_V)
        self.W = self.W_opt.update(self.W, grad_W)
        return accum_grad_next


def rnn_layer_step(X, accum_grad, U, W, V, bptt_trunc=2):
    layer = RNNLayer(U.shape[0], TanH(), U, W, V, bptt_trunc=bptt_trunc)
    out = layer.forward_pass(X)
    return out, layer.backward_pass(accum_grad), layer.U, layer.W


class PoolingLayer:
    def __init__(self, pool_shape=(2, 2), stride=1, padding="valid", input_shape=None):
        self.pool_shape = pool_shape
        self.stride = stride
        self.padding = padding
        self.input_shape = input_shape

    def forward_pass(self, X, training=True):
        self.layer_input = X
        batch_size, channels, height, width = X.shape
        _, out_height, out_width = self.output_shape()
        X = X.reshape(batch_size * channels, 1, height, width)
        X_col = image_to_column(X, self.pool_shape, self.stride, self.padding)
        output = self._pool_forward(X_col)
        output = output.reshape(out_height, out_width, batch_size, channels)
        output = output.transpose(2, 3, 0, 1)
        return output

    def backward_pass(self, accum_grad):
        batch_size, _, _, _ = accum_grad.shape
        channels, height, width = self.input_shape
        accum_grad = accum_grad.transpose(2, 3, 0, 1).ravel()
        accum_grad_col = self._pool_backward(accum_grad)
        accum_grad = column_to_image(accum_grad_col, (batch_size * channels, 1, height, width),
                                     self.pool_shape, self.stride, self.padding)
        accum_grad = accum_grad.reshape((batch_size,) + self.input_shape)
        return accum_grad

    def output_shape(self):
        channels, height, width = self.input_shape
        out_height = (height - self.pool_shape[0]) / self.stride + 1
        out_width = (width - self.pool_shape[1]) / self.stride + 1
        assert out_height % 1 == 0
        assert out_width % 1 == 0
        return channels, int(out_height), int(out_width)


class MaxPooling2D(PoolingLayer):
    def _pool_forward(self, X_col):
        arg_max = np.argmax(X_col, axis=0).flatten()
        output = X_col[arg_max, range(arg_max.size)]
        self.cache = arg_max
        return output

    def _pool_backward(self, accum_grad):
        accum_grad_col = np.zeros((np.prod(self.pool_shape), accum_grad.size))
        arg_max = self.cache
        accum_grad_col[arg_max, range(accum_grad.size)] = accum_grad
        return accum_grad_col


class AveragePooling2D(PoolingLayer):
    def _pool_forward(self, X_col):
        output = np.mean(X_col, axis=0)
        return output

    def _pool_backward(self, accum_grad):
        accum_grad_col = np.zeros((np.prod(self.pool_shape), accum_grad.size))
        accum_grad_col[:, range(accum_grad.size)] = 1. / accum_grad_col.shape[0] * accum_grad
        return accum_grad_col


def pooling_layers(X, accum_grad):
    out = []
    for layer in (MaxPooling2D(pool_shape=(2, 2), stride=2, input_shape=X.shape[1:]),
                  AveragePooling2D(pool_shape=(2, 2), stride=2, input_shape=X.shape[1:])):
        out.append((layer.forward_pass(X), layer.backward_pass(accum_grad)))
    return out


class DenseLayer:
    def __init__(self, n_units, input_shape=None):
        self.layer_input = None
        self.input_shape = input_shape
        self.n_units = n_units
        self.trainable = True
        self.W = None
        self.w0 = None

    def set_input_shape(self, shape):
        self.input_shape = shape

    def initialize(self, optimizer, u):
        limit = 1 / math.sqrt(self.input_shape[0])
        self.W = -limit + 2 * limit * u
        self.w0 = np.zeros((1, self.n_units))
        self.W_opt = copy.copy(optimizer)
        self.w0_opt = copy.copy(optimizer)

    def forward_pass(self, X, training=True):
        self.layer_input = X
        return X.dot(self.W) + self.w0

    def backward_pass(self, accum_grad):
        W = self.W
        if self.trainable:
            grad_w = self.layer_input.T.dot(accum_grad)
            grad_w0 = np.sum(accum_grad, axis=0, keepdims=True)
            self.W = self.W_opt.update(self.W, grad_w)
            self.w0 = self.w0_opt.update(self.w0, grad_w0)
        accum_grad = accum_grad.dot(W.T)
        return accum_grad

    def output_shape(self):
        return (self.n_units,)


activation_functions = {"relu": ReLU, "sigmoid": Sigmoid, "softmax": Softmax,
                        "leaky_relu": LeakyReLU, "tanh": TanH, "elu": ELU, "selu": SELU,
                        "softplus": SoftPlus}


class ActivationLayer:
    def __init__(self, name):
        self.activation_name = name
        self.activation_func = activation_functions[name]()
        self.trainable = True

    def set_input_shape(self, shape):
        self.input_shape = shape

    def forward_pass(self, X, training=True):
        self.layer_input = X
        return self.activation_func(X)

    def backward_pass(self, accum_grad):
        return accum_grad * self.activation_func.gradient(self.layer_input)

    def output_shape(self):
        return self.input_shape


class NeuralNetwork:
    def __init__(self, optimizer, loss, validation_data=None):
        self.optimizer = optimizer
        self.layers = []
        self.errors = {"training": [], "validation": []}
        self.loss_function = loss()
        self.val_set = None
        if validation_data:
            X, y = validation_data
            self.val_set = {"X": X, "y": y}

    def add(self, layer, u=None):
        if self.layers:
            layer.set_input_shape(shape=self.layers[-1].output_shape())
        if hasattr(layer, "initialize"):
            layer.initialize(optimizer=self.optimizer, u=u)
        self.layers.append(layer)

    def test_on_batch(self, X, y):
        y_pred = self._forward_pass(X, training=False)
        loss = np.mean(self.loss_function.loss(y, y_pred))
        acc = self.loss_function.acc(y, y_pred)
        return loss, acc

    def train_on_batch(self, X, y):
        y_pred = self._forward_pass(X)
        loss = np.mean(self.loss_function.loss(y, y_pred))
        acc = self.loss_function.acc(y, y_pred)
        loss_grad = self.loss_function.gradient(y, y_pred)
        self._backward_pass(loss_grad=loss_grad)
        return loss, acc

    def fit(self, X, y, n_epochs, batch_size):
        for _ in range(n_epochs):
            batch_error = []
            for X_batch, y_batch in batch_iterator(X, y, batch_size=batch_size):
                loss, _ = self.train_on_batch(X_batch, y_batch)
                batch_error.append(loss)
            self.errors["training"].append(np.mean(batch_error))
            if self.val_set is not None:
                val_loss, _ = self.test_on_batch(self.val_set["X"], self.val_set["y"])
                self.errors["validation"].append(val_loss)
        return self.errors["training"], self.errors["validation"]

    def _forward_pass(self, X, training=True):
        layer_output = X
        for layer in self.layers:
            layer_output = layer.forward_pass(layer_output, training)
        return layer_output

    def _backward_pass(self, loss_grad):
        for layer in reversed(self.layers):
            loss_grad = layer.backward_pass(loss_grad)

    def predict(self, X):
        return self._forward_pass(X, training=False)


def mlfs_neural_network_fit(X, y, X_val, y_val, u1, u2, n_epochs=2, batch_size=4):
    clf = NeuralNetwork(optimizer=Adam(), loss=CrossEntropy, validation_data=(X_val, y_val))
    clf.add(DenseLayer(u1.shape[1], input_shape=(X.shape[1],)), u1)
    clf.add(ActivationLayer("leaky_relu"))
    clf.add(DenseLayer(u2.shape[1]), u2)
    clf.add(ActivationLayer("softmax"))
    train_err, val_err = clf.fit(X, y, n_epochs=n_epochs, batch_size=batch_size)
    _, accuracy = clf.test_on_batch(X_val, y_val)
    return train_err, val_err, accuracy, np.argmax(clf.predict(X_val), axis=1)


def _clustered(s, n, k=3, d=3):
    rng = np.random.default_rng(s)
    y = rng.permutation(np.arange(3 * n) % k)
    return rng.standard_normal((3 * n, d)) + 2.0 * y[:, None], y


MLFS = {
    "data_helpers": (data_helpers, {}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s), np.zeros((1, 3))]), _i(3, n + 1, seed=s),
        np.random.default_rng(s).permutation(n + 1))),
    "polynomial_features_degree3": (polynomial_features, {"degree": 3}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "statistics_helpers": (statistics_helpers, {}, lambda s, n: (_f(2 * n, 3, seed=s),)),
    "mlfs_activations": (mlfs_activations, {}, lambda s, n: (_f(n, 4, seed=s) * 3,)),
    "mlfs_losses": (mlfs_losses, {}, lambda s, n: (
        np.eye(3)[_i(3, n, seed=s)], np.random.default_rng(s).dirichlet(np.ones(3), n))),
    "mlfs_optimizers_on_least_squares": (mlfs_optimizers_on_least_squares, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), _f(2 * n, seed=s + 1), _f(3, seed=s + 2))),
    "linear_regression_gd": (fit_regression, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), np.random.default_rng(s).random(10),
        _f(n, 2, seed=s + 2))),
    "linear_regression_svd": (fit_regression, {"model": "linear_svd"}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), np.random.default_rng(s).random(10),
        _f(n, 2, seed=s + 2))),
    "lasso_regression": (fit_regression, {"model": "lasso"}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), np.random.default_rng(s).random(10),
        _f(n, 2, seed=s + 2))),
    "polynomial_ridge_regression": (fit_regression, {"model": "ridge"}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), np.random.default_rng(s).random(12),
        _f(n, 2, seed=s + 2))),
    "logistic_regression_gd": (fit_logistic_regression, {}, lambda s, n: (
        _f(3 * n, 3, seed=s), _i(2, 3 * n, seed=s), np.random.default_rng(s).random(3),
        _f(n, 3, seed=s + 2))),
    "logistic_regression_newton": (fit_logistic_regression, {"gradient_descent": False},
                                   lambda s, n: (_f(3 * n, 3, seed=s), _i(2, 3 * n, seed=s),
                                                 np.random.default_rng(s).random(3),
                                                 _f(n, 3, seed=s + 2))),
    "pca_eig": (pca_transform, {}, lambda s, n: (_f(3 * n, 4, seed=s) * [3, 2, 1, 0.5],)),
    "gaussian_naive_bayes_by_masks": (gaussian_naive_bayes, {}, lambda s, n: (
        *_clustered(s, n), _f(n, 3, seed=s + 5) + 2)),
    "knn_vote": (knn_vote_predict, {}, lambda s, n: (
        _f(n, 3, seed=s + 5) + 2, *_clustered(s, n))),
    "mlp_fit_predict": (mlp_fit_predict, {}, lambda s, n: (
        _clustered(s, n)[0], _clustered(s, n)[1], np.random.default_rng(s).random((3, 5)),
        np.random.default_rng(s + 1).random((5, 3)))),
    "conv2d_im2col_same": (conv2d_layer_step, {}, lambda s, n: (
        _f(2, 2, n, 5, seed=s), np.random.default_rng(s).random((3, 2, 3, 3)),
        _f(2, 3, n, 5, seed=s + 1))),
    "conv2d_im2col_valid_stride2": (conv2d_layer_step, {"padding": "valid", "stride": 2},
                                    lambda s, n: (_f(2, 2, n + 1, 5, seed=s),
                                                  np.random.default_rng(s).random((3, 2, 3, 3)),
                                                  _f(2, 3, (n + 1 - 3) // 2 + 1, 2, seed=s + 1))),
    "batchnorm_layer_steps": (batchnorm_layer_steps, {}, lambda s, n: (
        _f(n, 4, seed=s) * 2 + 1, _f(n, 4, seed=s + 1), _f(3, 4, seed=s + 2))),
    "gmm_em": (gmm_em, {}, lambda s, n: (
        np.vstack([_f(n, 2, seed=s), _f(n, 2, seed=s + 1) + 3]), np.array([0, 2 * n - 1]))),
    "rnn_layer_bptt": (rnn_layer_step, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _f(2, n, 3, seed=s + 1), _f(4, 3, seed=s + 2) / 2,
        _f(4, 4, seed=s + 3) / 2, _f(3, 4, seed=s + 4) / 2)),
    "pooling_layers": (pooling_layers, {}, lambda s, n: (
        _f(2, 3, n, 4, seed=s), _f(2, 3, n // 2, 2, seed=s + 1))),
    "mlfs_neural_network_fit": (mlfs_neural_network_fit, {}, lambda s, n: (
        _clustered(s, n)[0], np.eye(3)[_clustered(s, n)[1]], _f(4, 3, seed=s + 7),
        np.eye(3)[_i(3, 4, seed=s)], np.random.default_rng(s).random((3, 6)),
        np.random.default_rng(s + 1).random((6, 3)))),
}


@pytest.mark.parametrize("name", list(MLFS))
def test_ml_from_scratch_matches_numpy(name):
    check_like_numpy(*MLFS[name])


# ------------------------------------------------------------------------------- numpy-ml


class NMLSigmoid:
    def fn(self, z):
        return 1 / (1 + np.exp(-z))

    def grad(self, x):
        fn_x = self.fn(x)
        return fn_x * (1 - fn_x)

    def grad2(self, x):
        fn_x = self.fn(x)
        return fn_x * (1 - fn_x) * (1 - 2 * fn_x)


class NMLReLU:
    def fn(self, z):
        return np.clip(z, 0, np.inf)

    def grad(self, x):
        return (x > 0).astype(int)

    def grad2(self, x):
        return np.zeros_like(x)


class NMLLeakyReLU:
    def __init__(self, alpha=0.3):
        self.alpha = alpha

    def fn(self, z):
        _z = z.copy()
        _z[z < 0] = _z[z < 0] * self.alpha
        return _z

    def grad(self, x):
        out = np.ones_like(x)
        out[x < 0] *= self.alpha
        return out

    def grad2(self, x):
        return np.zeros_like(x)


class NMLTanh:
    def fn(self, z):
        return np.tanh(z)

    def grad(self, x):
        return 1 - np.tanh(x) ** 2

    def grad2(self, x):
        tanh_x = np.tanh(x)
        return -2 * tanh_x * (1 - tanh_x ** 2)


class NMLELU:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fn(self, z):
        return np.where(z > 0, z, self.alpha * (np.exp(z) - 1))

    def grad(self, x):
        return np.where(x > 0, np.ones_like(x), self.alpha * np.exp(x))

    def grad2(self, x):
        return np.where(x >= 0, np.zeros_like(x), self.alpha * np.exp(x))


class NMLSELU:
    def __init__(self):
        self.alpha = 1.6732632423543772848170429916717
        self.scale = 1.0507009873554804934193349852946
        self.elu = NMLELU(alpha=self.alpha)

    def fn(self, z):
        return self.scale * self.elu.fn(z)

    def grad(self, x):
        return np.where(x >= 0, np.ones_like(x), np.exp(x) * self.alpha) * self.scale

    def grad2(self, x):
        return np.where(x > 0, np.zeros_like(x), np.exp(x) * self.alpha) * self.scale


class NMLHardSigmoid:
    def fn(self, z):
        return np.clip((0.2 * z) + 0.5, 0.0, 1.0)

    def grad(self, x):
        return ((x >= -2.5) & (x <= 2.5)) * 0.2

    def grad2(self, x):
        return np.zeros_like(x)


class NMLSoftPlus:
    def fn(self, z):
        return np.log(np.exp(z) + 1)

    def grad(self, x):
        exp_x = np.exp(x)
        return exp_x / (exp_x + 1)

    def grad2(self, x):
        exp_x = np.exp(x)
        return exp_x / ((exp_x + 1) ** 2)


class NMLGELU:
    def __init__(self, approximate=True):
        self.approximate = approximate

    def fn(self, z):
        pi, sqrt, tanh = np.pi, np.sqrt, np.tanh
        if self.approximate:
            return 0.5 * z * (1 + tanh(sqrt(2 / pi) * (z + 0.044715 * z ** 3)))
        return 0.5 * z * (1 + np.vectorize(math.erf)(z / sqrt(2)))

    def grad(self, x):
        from math import erf
        s = x / np.sqrt(2)
        erf_prime = lambda x: (2 / np.sqrt(np.pi)) * np.exp(-(x ** 2))
        if self.approximate:
            approx = np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))
            dx = 0.5 + 0.5 * approx + ((0.5 * x * erf_prime(s)) / np.sqrt(2))
        else:
            dx = 0.5 + 0.5 * np.vectorize(erf)(s) + ((0.5 * x * erf_prime(s)) / np.sqrt(2))
        return dx


def numpy_ml_activations(z):
    acts = (NMLSigmoid(), NMLReLU(), NMLLeakyReLU(), NMLTanh(), NMLELU(alpha=0.7), NMLSELU(),
            NMLHardSigmoid(), NMLSoftPlus())
    out = [(a.fn(z), a.grad(z), a.grad2(z)) for a in acts]
    out.append((NMLGELU().fn(z), NMLGELU().grad(z), NMLGELU(approximate=False).fn(z),
                NMLGELU(approximate=False).grad(z)))
    return out


class SquaredError:
    @staticmethod
    def loss(y, y_pred):
        return 0.5 * np.linalg.norm(y_pred - y) ** 2

    @staticmethod
    def grad(y, y_pred, z, act_fn):
        return (y_pred - y) * act_fn.grad(z)


class NMLCrossEntropy:
    @staticmethod
    def loss(y, y_pred):
        eps = np.finfo(float).eps
        cross_entropy = -np.sum(y * np.log(y_pred + eps))
        return cross_entropy

    @staticmethod
    def grad(y, y_pred):
        grad = y_pred - y
        return grad


class VAELoss:
    @staticmethod
    def loss(y, y_pred, t_mean, t_log_var):
        eps = np.finfo(float).eps
        y_pred = np.clip(y_pred, eps, 1 - eps)
        rec_loss = -np.sum(y * np.log(y_pred) + (1 - y) * np.log(1 - y_pred), axis=1)
        kl_loss = -0.5 * np.sum(1 + t_log_var - t_mean ** 2 - np.exp(t_log_var), axis=1)
        loss = rec_loss + kl_loss
        return np.mean(loss)

    @staticmethod
    def grad(y, y_pred, t_mean, t_log_var):
        N = y.shape[0]
        eps = np.finfo(float).eps
        y_pred = np.clip(y_pred, eps, 1 - eps)
        dY_pred = -y / (N * y_pred) - (y - 1) / (N - N * y_pred)
        dLogVar = (np.exp(t_log_var) - 1) / (2 * N)
        dMean = t_mean / N
        return dY_pred, dLogVar, dMean


def numpy_ml_losses(y, y_pred, z, t_mean, t_log_var):
    return (SquaredError.loss(y, y_pred), SquaredError.grad(y, y_pred, z, NMLSigmoid()),
            NMLCrossEntropy.loss(y, y_pred), NMLCrossEntropy.grad(y, y_pred),
            VAELoss.loss(y, y_pred, t_mean, t_log_var), VAELoss.grad(y, y_pred, t_mean, t_log_var))


def logsumexp(log_probs, axis=None):
    _max = np.max(log_probs)
    ds = log_probs - _max
    exp_sum = np.exp(ds).sum(axis=axis)
    return _max + np.log(exp_sum)


def pairwise_l2_distances(X, Y):
    D = -2 * X @ Y.T + np.sum(Y ** 2, axis=1) + np.sum(X ** 2, axis=1)[:, np.newaxis]
    D[D < 0] = 0
    return np.sqrt(D)


def kernel_and_distance_utils(X, Y, L):
    return (logsumexp(L), logsumexp(L, axis=1), pairwise_l2_distances(X, Y),
            pairwise_l2_distances(X, X))


class ConstantScheduler:
    def __init__(self, lr=0.01):
        self.lr = lr

    def learning_rate(self, **kwargs):
        return self.lr


class ExponentialScheduler:
    def __init__(self, initial_lr=0.01, stage_length=500, staircase=False, decay=0.1):
        self.decay = decay
        self.staircase = staircase
        self.initial_lr = initial_lr
        self.stage_length = stage_length

    def learning_rate(self, step, **kwargs):
        cur_stage = step / self.stage_length
        if self.staircase:
            cur_stage = np.floor(cur_stage)
        return self.initial_lr * self.decay ** cur_stage


class NoamScheduler:
    def __init__(self, model_dim=512, scale_factor=1, warmup_steps=4000):
        self.model_dim = model_dim
        self.scale_factor = scale_factor
        self.warmup_steps = warmup_steps

    def learning_rate(self, step, **kwargs):
        warmup, d_model = self.warmup_steps, self.model_dim
        new_lr = d_model ** (-0.5) * min(step ** (-0.5), step * warmup ** (-1.5))
        return self.scale_factor * new_lr


def sgd_with_schedulers(w, X, y, n_steps=4):
    schedulers = (ConstantScheduler(0.05), ExponentialScheduler(0.1, stage_length=2, decay=0.5),
                  ExponentialScheduler(0.1, stage_length=2, staircase=True, decay=0.5),
                  NoamScheduler(model_dim=16, scale_factor=2, warmup_steps=2))
    out = []
    for sched in schedulers:
        w_s = w.copy()
        for step in range(1, n_steps + 1):
            lr = sched.learning_rate(step=step)
            grad = X.T @ (X @ w_s - y) / len(y)
            w_s -= lr * grad
        out.append(w_s)
    return out


def calc_fan(weight_shape):
    if len(weight_shape) == 2:
        fan_in, fan_out = weight_shape
    elif len(weight_shape) in [3, 4]:
        in_ch, out_ch = weight_shape[-2:]
        kernel_size = np.prod(weight_shape[:-2])
        fan_in, fan_out = in_ch * kernel_size, out_ch * kernel_size
    else:
        raise ValueError("Unrecognized weight dimension: {}".format(weight_shape))
    return fan_in, fan_out


def he_uniform(weight_shape, u):
    fan_in, fan_out = calc_fan(weight_shape)
    b = np.sqrt(6 / fan_in)
    return -b + 2 * b * u


def he_normal(weight_shape, z):
    fan_in, fan_out = calc_fan(weight_shape)
    std = np.sqrt(2 / fan_in)
    return 0.0 + std * np.clip(z, -2, 2)


def glorot_uniform(weight_shape, u, gain=1.0):
    fan_in, fan_out = calc_fan(weight_shape)
    b = gain * np.sqrt(6 / (fan_in + fan_out))
    return -b + 2 * b * u


def glorot_normal(weight_shape, z, gain=1.0):
    fan_in, fan_out = calc_fan(weight_shape)
    std = gain * np.sqrt(2 / (fan_in + fan_out))
    return std * z


def weight_initializers(u, z, u4, z4):
    return (he_uniform(u.shape, u), he_normal(z.shape, z), glorot_uniform(u.shape, u, gain=2.0),
            glorot_normal(z.shape, z), he_uniform(u4.shape, u4), glorot_normal(z4.shape, z4))


def minibatch_indices(X, ix, batchsize=3):
    N = X.shape[0]
    n_batches = int(np.ceil(N / batchsize))

    def mb_generator():
        for i in range(n_batches):
            yield ix[i * batchsize:(i + 1) * batchsize]

    return [X[b].mean(axis=0) for b in mb_generator()], n_batches


def embedding_lookup_and_loop_backward(W, X, dLdy):
    Y = W[X]
    n_out = W.shape[1]
    dW = np.zeros_like(W)
    dLdy = dLdy.reshape(-1, n_out)
    for ix, v_id in enumerate(X.flatten()):
        dW[v_id] += dLdy[ix]
    return Y, dW


def logistic_nll_and_grad(X, y, beta, gamma=0.5, penalty="l2"):
    N, M = X.shape
    y_pred = 1 / (1 + np.exp(-(X @ beta)))
    order = 2 if penalty == "l2" else 1
    norm_beta = np.linalg.norm(beta, ord=order)
    nll = -np.log(y_pred[y == 1]).sum() - np.log(1 - y_pred[y == 0]).sum()
    penalty_term = (gamma / 2) * norm_beta ** 2 if order == 2 else gamma * norm_beta
    d_penalty = gamma * beta if penalty == "l2" else gamma * np.sign(beta)
    return (penalty_term + nll) / N, -(np.dot(y - y_pred, X) + d_penalty) / N


def gaussian_nb_log_posterior(X, mean, sigma, prior, labels):
    K = len(labels)
    log_posterior = np.zeros((X.shape[0], K))
    for i in range(K):
        mu = mean[i]
        sigsq = sigma[i]
        log_likelihood = -0.5 * np.sum(np.log(2 * np.pi * sigsq))
        log_likelihood -= 0.5 * np.sum(((X - mu) ** 2) / sigsq, axis=1)
        log_posterior[:, i] = log_likelihood + np.log(prior[i])
    return labels[log_posterior.argmax(axis=1)], log_posterior


def kernels_and_distances(X, Y, x, y):
    def kernel_checks(X, Y):
        X = X.reshape(-1, 1) if X.ndim == 1 else X
        Y = X if Y is None else Y
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        return X, Y

    def linear_kernel(X, Y=None, c0=0):
        X, Y = kernel_checks(X, Y)
        return X @ Y.T + c0

    def polynomial_kernel(X, Y=None, d=3, gamma=None, c0=1):
        X, Y = kernel_checks(X, Y)
        gamma = 1 / X.shape[1] if gamma is None else gamma
        return (gamma * (X @ Y.T) + c0) ** d

    def rbf_kernel(X, Y=None, sigma=None):
        X, Y = kernel_checks(X, Y)
        C = X.shape[1]
        sigma = np.sqrt(C / 2) if sigma is None else sigma
        return np.exp(-0.5 * pairwise_l2_distances(X / sigma, Y / sigma) ** 2)

    return (linear_kernel(X, Y), polynomial_kernel(X), rbf_kernel(X, Y), rbf_kernel(x, y),
            np.sqrt(np.sum((x - y) ** 2)), np.sum(np.abs(x - y)), np.max(np.abs(x - y)),
            np.sum(np.abs(x - y) ** 3) ** (1 / 3), np.sum(x > y) / len(x))


class MultinomialHMM:
    def __init__(self, A, B, pi, eps=None):
        self.eps = np.finfo(float).eps if eps is None else eps
        self.A, self.B, self.pi = A, B, pi
        self.N = A.shape[0]

    def _forward(self, Obs):
        eps = self.eps
        T = Obs.shape[0]
        forward = np.zeros((self.N, T))
        ot = Obs[0]
        for s in range(self.N):
            forward[s, 0] = np.log(self.pi[s] + eps) + np.log(self.B[s, ot] + eps)
        for t in range(1, T):
            ot = Obs[t]
            for s in range(self.N):
                forward[s, t] = logsumexp([
                    forward[s_, t - 1] + np.log(self.A[s_, s] + eps) + np.log(self.B[s, ot] + eps)
                    for s_ in range(self.N)])
        return forward

    def log_likelihood(self, O):
        O = np.atleast_2d(O)
        log_likelihood = 0
        for Obs in O:
            T = Obs.shape[0]
            forward = self._forward(Obs)
            log_likelihood += logsumexp(forward[:, T - 1])
        return log_likelihood

    def decode(self, O):
        eps = self.eps
        if O.ndim == 1:
            O = O.reshape(1, -1)
        T = O.shape[1]
        viterbi = np.zeros((self.N, T))
        ptr = np.zeros((self.N, T)).astype(int)
        ot = O[0, 0]
        for s in range(self.N):
            ptr[s, 0] = 0
            viterbi[s, 0] = np.log(self.pi[s] + eps) + np.log(self.B[s, ot] + eps)
        for t in range(1, T):
            ot = O[0, t]
            for s in range(self.N):
                seq_probs = [viterbi[s_, t - 1] + np.log(self.A[s_, s] + eps)
                             + np.log(self.B[s, ot] + eps) for s_ in range(self.N)]
                viterbi[s, t] = np.max(seq_probs)
                ptr[s, t] = np.argmax(seq_probs)
        best_path_log_prob = viterbi[:, T - 1].max()
        pointer = viterbi[:, T - 1].argmax()
        best_path = [pointer]
        for t in reversed(range(1, T)):
            pointer = ptr[pointer, t]
            best_path.append(pointer)
        best_path = best_path[::-1]
        return best_path, best_path_log_prob


def hmm_likelihood_and_decode(A, B, pi, O):
    hmm = MultinomialHMM(A, B, pi)
    return hmm.log_likelihood(O), hmm.decode(O[0])


NUMPY_ML = {
    "numpy_ml_activations": (numpy_ml_activations, {}, lambda s, n: (_f(n, 4, seed=s) * 3,)),
    "numpy_ml_losses": (numpy_ml_losses, {}, lambda s, n: (
        np.eye(3)[_i(3, n, seed=s)], np.random.default_rng(s).dirichlet(np.ones(3), n),
        _f(n, 3, seed=s + 1), _f(n, 2, seed=s + 2), _f(n, 2, seed=s + 3))),
    "kernel_and_distance_utils": (kernel_and_distance_utils, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(5, 3, seed=s + 1), _f(n, 4, seed=s + 2) * 10)),
    "sgd_with_schedulers": (sgd_with_schedulers, {}, lambda s, n: (
        _f(3, seed=s), _f(2 * n, 3, seed=s + 1), _f(2 * n, seed=s + 2))),
    "weight_initializers": (weight_initializers, {}, lambda s, n: (
        np.random.default_rng(s).random((n, 3)), _f(n, 3, seed=s),
        np.random.default_rng(s).random((3, 3, 2, n)), _f(3, 3, 2, n, seed=s))),
    "minibatch_indices": (minibatch_indices, {}, lambda s, n: (
        _f(2 * n + 1, 3, seed=s), np.random.default_rng(s).permutation(2 * n + 1))),
    "embedding_loop_backward": (embedding_lookup_and_loop_backward, {}, lambda s, n: (
        _f(5, 3, seed=s), _i(5, 2, n, seed=s), _f(2, n, 3, seed=s + 1))),
    "logistic_nll_l2": (logistic_nll_and_grad, {}, lambda s, n: (
        _f(3 * n, 3, seed=s), _i(2, 3 * n, seed=s), _f(3, seed=s + 1))),
    "gaussian_nb_log_posterior": (gaussian_nb_log_posterior, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 3, seed=s + 1), _f(3, 3, seed=s + 2, positive=True),
        np.array([0.2, 0.5, 0.3]), np.array([3, 7, 9]))),
    "kernels_and_distances": (kernels_and_distances, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(4, 3, seed=s + 1), _f(n, seed=s + 2), _f(n, seed=s + 3))),
    "hmm_likelihood_and_decode": (hmm_likelihood_and_decode, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.ones(3), 3),
        np.random.default_rng(s + 1).dirichlet(np.ones(4), 3),
        np.random.default_rng(s + 2).dirichlet(np.ones(3)), _i(4, 2, n, seed=s))),
}


@pytest.mark.parametrize("name", list(NUMPY_ML))
def test_numpy_ml_matches_numpy(name):
    check_like_numpy(*NUMPY_ML[name])


# ------------------------------------------------------------------- refused by name


def kmeans_closest_centroid(sample, centroids):
    closest_i = 0
    closest_dist = float("inf")
    for i, centroid in enumerate(centroids):
        distance = euclidean_distance(sample, centroid)
        if distance < closest_dist:
            closest_i = i
            closest_dist = distance
    return closest_i


def kmeans_create_clusters(centroids, X):
    clusters = [[] for _ in range(len(centroids))]
    for sample_i, sample in enumerate(X):
        centroid_i = kmeans_closest_centroid(sample, centroids)
        clusters[centroid_i].append(sample_i)
    return clusters


def lda_fit(X, y):
    X1 = X[y == 0]
    X2 = X[y == 1]
    cov1 = calculate_covariance_matrix(X1)
    cov2 = calculate_covariance_matrix(X2)
    cov_tot = cov1 + cov2
    mean1 = X1.mean(0)
    mean2 = X2.mean(0)
    mean_diff = np.atleast_1d(mean1 - mean2)
    w = np.linalg.pinv(cov_tot).dot(mean_diff)
    return w


def numpy_ml_gaussian_nb_fit(X, y, n_classes=3):
    N, M = X.shape
    mu = np.zeros((n_classes, M))
    sigma = np.zeros((n_classes, M))
    prior = np.zeros((n_classes,))
    eps = 1e-09
    for i, c in enumerate(range(n_classes)):
        X_c = X[y == c, :]
        mu[i, :] = np.mean(X_c, axis=0)
        sigma[i, :] = np.var(X_c, axis=0) + eps
        prior[i] = X_c.shape[0] / N
    return mu, sigma, prior


REFUSED = {
    "svm_loss_naive_branches_on_margins": (
        "ConcretizationError", svm_loss_naive,
        lambda s: (_f(5, 4, seed=s) * 0.5, _f(4, 5, seed=s + 1), _i(4, 4, seed=s), 0.05)),
    "eval_numerical_gradient_by_nditer": (
        "UnsupportedFunctionError", numerical_grad_relu_nditer,
        lambda s: (_f(3, 2, seed=s), _f(3, 2, seed=s + 1))),
    "ng_predict_by_a_branch_per_example": (
        "ConcretizationError", ng_predict_by_loop, lambda s: (_ng_xy(s, 4)[0], _ng_params(s))),
    "mlfs_standardize_branches_on_std": (
        "ConcretizationError", standardize, lambda s: (_f(5, 3, seed=s),)),
    "mlfs_to_categorical_without_n_col": (
        "ConcretizationError", to_categorical, lambda s: (_i(3, 6, seed=s),)),
    "mlfs_calculate_entropy_by_unique": (
        "DataDependentShapeError", calculate_entropy, lambda s: (_i(3, 8, seed=s),)),
    "mlfs_nesterov_branches_on_any": (
        "ConcretizationError", nesterov_on_least_squares,
        lambda s: (_f(6, 3, seed=s), _f(6, seed=s + 1), _f(3, seed=s + 2))),
    "mlfs_naive_bayes_iterates_a_selection": (
        "DataDependentShapeError", naive_bayes_fit_predict,
        lambda s: (*_clustered(s, 4), _f(4, 3, seed=s + 5) + 2)),
    "mlfs_kmeans_closest_centroid_by_branch": (
        "ConcretizationError", kmeans_create_clusters,
        lambda s: (_f(3, 2, seed=s), _f(6, 2, seed=s + 1))),
    "mlfs_lda_covariance_of_a_selection": (
        "DataDependentShapeError", lda_fit, lambda s: (_f(8, 3, seed=s), _i(2, 8, seed=s))),
    "numpy_ml_naive_bayes_prior_by_selection_shape": (
        "DataDependentShapeError", numpy_ml_gaussian_nb_fit, lambda s: _clustered(s, 4)),
}


PYTHON_NUMBERS = {
    "ng_planar_cost_by_float": (ng_planar_cost_by_float, {}, lambda s, n: (
        np.random.default_rng(s).uniform(0.05, 0.95, (1, 5)), _ng_xy(s, 4)[1][:, :5])),
    "ng_conv_single_step_by_item": (ng_conv_forward_by_item, {}, lambda s, n: (
            _f(1, 3, 3, 2, seed=s), _f(3, 3, 2, 2, seed=s + 1), _f(1, 1, 1, 2, seed=s + 2),
            {"pad": 1, "stride": 1})),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


def test_ng_backward_by_np_int64_of_a_mask_traces():
    """`np.int64(A2 > 0)`, refused until NumPy's scalar types became casts of traced values."""
    check_like_numpy(regularized_cost_and_grads, {},
                     lambda s, n: (*_ng_xy(s, n), _ng_params(s), 0.7))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Python branches on traced values (the naive SVM's `if margin > 0`, Ng's per-example
    `if probas[0, i] > 0.5`, `if std[col]`, Nesterov's `if not self.w_updt.any()`, k-means'
    `if distance < closest_dist`), `np.nditer`,
    `np.zeros` sized by `np.amax(x) + 1`, `np.unique` labels, and the shape of a boolean
    selection (`X_c.shape[0]`, iterating `X[mask].T`): each is refused by name and runs
    NumPy's code under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)
