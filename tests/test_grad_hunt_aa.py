"""Gradient hunt AA: the models of HIPS/autograd's `examples/` and JAX's `examples/` written as
plain NumPy code the way those programs write them, differentiated with tracenp.

From autograd: `neural_net.py` (a list of `(W, b)` tuples, logsumexp by `np.max`, an L2 prior
by flattening, the minibatch picked by the iteration number), `convnet.py` (a flat weight vector
cut by a parser, layer classes, conv by `einsum` over `sliding_window_view`, loops or im2col,
max pooling by reshape), `rnn.py` and `lstm.py` (hidden states in Python loops over time,
`np.hstack`/`np.concatenate` with a column of ones, sigmoid by `tanh`), `gaussian_process.py`,
`gplvm.py`, `deep_gaussian_process.py`, `bayesian_neural_net.py` (a generator unpacking a batch
of weight sets, `einsum`), `black_box_svi.py`, `natural_gradient_black_box_svi.py`,
`mixture_variational_inference.py`, `logistic_regression.py` (boolean targets), Fisher products,
`fluidsim.py` and `wing.py` (`np.roll` projections, semi-Lagrangian advection by `np.floor`
indices and fancy indexing), `ica.py`, `hmm_em.py` (the forward algorithm in log space, EM
statistics as a gradient), `rkhs.py`-like kernel sums, `ode_net.py` (RK4 through an MLP),
`sinusoid.py`/`tanh.py` (higher derivatives by nested `grad` and `vjp` with ones), `gmm.py`,
`variational_autoencoder.py`, `generative_adversarial_net.py`, `fixed_points.py`,
`neural_net_regression.py` and `bayesian_optimization.py`. From JAX:
`mnist_classifier_fromscratch.py`, `differentially_private_sgd.py` (per-example clipped
gradients in a loop), `kernel_lsq.py` (a gram matrix by nested comprehensions, momentum descent
unrolled), `advi.py`, `gaussian_process_regression.py` (params of shape `(1, 1)`, softplus,
Cholesky and `solve`) and `control.py` (rollouts, Riccati recursions, Newton steps). Each case
goes through `check_grads` of `tests/test_grad_hunt_r.py`: the value against eager NumPy,
`value_and_grad`, its `jit`, `grad` and `vjp` under `jit` against float64 central finite
differences, the examples' `scipy.stats`, `scipy.special` and `scipy.linalg` calls
included. (`case` still takes an `xfail` reason for a form tracenp gets wrong: none is left.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sps
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from test_grad_hunt_r import check_grads

rng = np.random.default_rng(77)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


CASES: dict[str, tuple] = {}


def case(name, fn, *args, argnums=0, xfail=None):
    """Add `name -> (fn, args, argnums)`; `xfail` is the reason tracenp gets it wrong."""
    assert name not in CASES, name
    CASES[name] = (fn, args, argnums, xfail)


def logsumexp(x, axis=None, keepdims=False):
    """autograd's `scipy.misc.logsumexp` as the examples' NumPy ports write it."""
    max_x = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - max_x), axis=axis, keepdims=True)) + max_x
    return out if keepdims else np.squeeze(out, axis=axis)


def norm_logpdf(x, loc=0.0, scale=1.0):
    """`scipy.stats.norm.logpdf` written out, as autograd's `autograd.scipy.stats.norm`."""
    return -0.5 * ((x - loc) / scale) ** 2 - np.log(scale) - 0.5 * np.log(2 * np.pi)


def mvn_logpdf(x, mean, cov):
    """`scipy.stats.multivariate_normal.logpdf` by Cholesky, `solve` and `slogdet`."""
    d = x - mean
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, d.T)
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * np.sum(z ** 2, axis=0) - 0.5 * logdet - 0.5 * len(mean) * np.log(2 * np.pi)


def flatten(params):
    """autograd.misc.flatten's vector: every leaf raveled and concatenated."""
    return np.concatenate([np.ravel(a) for layer in params for a in layer])


def init_random_params(scale, layer_sizes, rs=None):
    rs = np.random.RandomState(0) if rs is None else rs
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def one_hot(labels, k):
    return np.array(labels[:, None] == np.arange(k), dtype=float)


# ----------------------------------------------------------------------------- neural_net.py

INPUTS = normal(6, 4)
LABELS = rng.integers(0, 3, 6)
TARGETS = one_hot(LABELS, 3)
NET = init_random_params(0.5, [4, 5, 3])


def neural_net_predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    flattened = flatten(params)
    return np.dot(flattened, flattened)


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def objective_negated(params, inputs, targets):
    return -log_posterior(params, inputs, targets, 1.0) / len(inputs)


def relu_net_layers_unpacked(params, inputs):
    (W1, b1), (W2, b2) = params
    hidden = np.maximum(0.0, inputs @ W1 + b1)
    logits = hidden @ W2 + b2
    return -np.mean(np.sum(TARGETS * (logits - logsumexp(logits, axis=1, keepdims=True)), axis=1))


case("neural_net_log_posterior", log_posterior, NET, INPUTS, TARGETS, 0.1)
case("neural_net_objective_negated", objective_negated, NET, INPUTS, TARGETS)
case("neural_net_l2_flatten_only", l2_norm, NET)
case("neural_net_relu_unpacked_pairs", relu_net_layers_unpacked, NET, INPUTS)
case("neural_net_inputs_grad", lambda x, p, t: log_posterior(p, x, t, 0.0), INPUTS, NET, TARGETS)

# ----------------------------------------------------------------------------- convnet.py


class WeightsParser:
    """convnet.py's parser: named slices of one flat weight vector, reshaped."""

    def __init__(self):
        self.idxs_and_shapes = {}
        self.N = 0

    def add_weights(self, name, shape):
        start = self.N
        self.N += int(np.prod(shape))
        self.idxs_and_shapes[name] = (slice(start, self.N), shape)

    def get(self, vect, name):
        idxs, shape = self.idxs_and_shapes[name]
        return np.reshape(vect[idxs], shape)


def conv_valid(inputs, filters):
    """(batch, in, h, w) x (out, in, kh, kw): a valid cross-correlation by windows and einsum."""
    kh, kw = filters.shape[2:]
    windows = sliding_window_view(inputs, (kh, kw), axis=(2, 3))
    return np.einsum("bchwij,ocij->bohw", windows, filters)


def conv_loops(inputs, filters):
    """The same layer as nested loops over the output positions, writing slices."""
    b, c, h, w = inputs.shape
    o, _, kh, kw = filters.shape
    out = np.zeros((b, o, h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            patch = inputs[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.tensordot(patch, filters, axes=([1, 2, 3], [1, 2, 3]))
    return out


def maxpool(inputs, pool_shape=(2, 2)):
    new_shape = inputs.shape[:2]
    for i in [0, 1]:
        pool_width = pool_shape[i]
        img_width = inputs.shape[i + 2]
        new_shape += (img_width // pool_width, pool_width)
    result = inputs.reshape(new_shape)
    return np.max(np.max(result, axis=3), axis=4)


CONV = WeightsParser()
CONV.add_weights("filters", (2, 1, 3, 3))
CONV.add_weights("conv biases", (1, 2, 1, 1))
CONV.add_weights("full", (2 * 2 * 2, 3))
CONV.add_weights("full bias", (3,))
IMAGES = normal(3, 1, 6, 6)
IMG_TARGETS = one_hot(rng.integers(0, 3, 3), 3)


def convnet_loss(param_vector, images, targets, conv=conv_valid):
    filters = CONV.get(param_vector, "filters")
    h = np.tanh(conv(images, filters) + CONV.get(param_vector, "conv biases"))
    h = maxpool(h)
    h = h.reshape((h.shape[0], np.prod(h.shape[1:])))
    logits = np.dot(h, CONV.get(param_vector, "full")) + CONV.get(param_vector, "full bias")
    logprobs = logits - logsumexp(logits, axis=1, keepdims=True)
    return -np.sum(logprobs * targets) / len(targets)


case("convnet_flat_vector_parser_einsum", convnet_loss, normal(CONV.N, scale=0.5), IMAGES,
     IMG_TARGETS)
case("convnet_loop_conv_tensordot", lambda v, x, t: convnet_loss(v, x, t, conv_loops),
     normal(CONV.N, scale=0.5), IMAGES, IMG_TARGETS)
case("convnet_input_saliency", lambda x, v, t: convnet_loss(v, x, t), IMAGES[:1],
     normal(CONV.N, scale=0.5), IMG_TARGETS[:1])

# ----------------------------------------------------------------------------- rnn.py, lstm.py

T_STEPS, N_SEQ, N_CHARS, STATE = 4, 2, 3, 3
SEQ_IN = one_hot(rng.integers(0, N_CHARS, T_STEPS * N_SEQ), N_CHARS).reshape(T_STEPS, N_SEQ,
                                                                              N_CHARS)
SEQ_OUT = np.roll(SEQ_IN, -1, axis=0)


def create_rnn_params(input_size, state_size, output_size, param_scale=0.5):
    rs = np.random.RandomState(1)
    return {"init hiddens": rs.randn(1, state_size) * param_scale,
            "change": rs.randn(input_size + state_size + 1, state_size) * param_scale,
            "predict": rs.randn(state_size + 1, output_size) * param_scale}


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def rnn_predict(params, inputs):
    def update_rnn(input, hiddens):
        return np.tanh(concat_and_multiply(params["change"], input, hiddens))

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp(output, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    output = [hiddens_to_output_probs(hiddens)]
    for input in inputs:
        hiddens = update_rnn(input, hiddens)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    loglik = 0.0
    num_time_steps, num_examples, _ = inputs.shape
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return loglik / (num_time_steps * num_examples)


def rnn_concatenate_axis1(params, inputs, targets):
    """The variant with `np.concatenate((input, hiddens), axis=1)` and a separate bias."""
    hiddens = np.zeros((inputs.shape[1], params["W"].shape[1]))
    loss = 0.0
    for t in range(inputs.shape[0]):
        hiddens = np.tanh(np.concatenate((inputs[t], hiddens), axis=1) @ params["W"] + params["b"])
        out = hiddens @ params["V"]
        loss = loss - np.sum(targets[t] * (out - logsumexp(out, axis=1, keepdims=True)))
    return loss


def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def create_lstm_params(input_size, state_size, output_size, param_scale=0.5):
    rs = np.random.RandomState(2)

    def rp(*shape):
        return rs.randn(*shape) * param_scale

    return {"init cells": rp(1, state_size), "init hiddens": rp(1, state_size),
            "change": rp(input_size + state_size + 1, state_size),
            "forget": rp(input_size + state_size + 1, state_size),
            "ingate": rp(input_size + state_size + 1, state_size),
            "outgate": rp(input_size + state_size + 1, state_size),
            "predict": rp(state_size + 1, output_size)}


def lstm_predict(params, inputs):
    def update_lstm(input, hiddens, cells):
        change = np.tanh(concat_and_multiply(params["change"], input, hiddens))
        forget = sigmoid(concat_and_multiply(params["forget"], input, hiddens))
        ingate = sigmoid(concat_and_multiply(params["ingate"], input, hiddens))
        outgate = sigmoid(concat_and_multiply(params["outgate"], input, hiddens))
        cells = cells * forget + ingate * change
        hiddens = outgate * np.tanh(cells)
        return hiddens, cells

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp(output, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    cells = np.repeat(params["init cells"], num_sequences, axis=0)
    output = [hiddens_to_output_probs(hiddens)]
    for input in inputs:
        hiddens, cells = update_lstm(input, hiddens, cells)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def lstm_log_likelihood(params, inputs, targets):
    logprobs = lstm_predict(params, inputs)
    loglik = 0.0
    num_time_steps, num_examples, _ = inputs.shape
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return loglik / (num_time_steps * num_examples)


def lstm_stacked_gates(params, inputs, targets):
    """One matrix for all four gates, split with `np.split` along the columns."""
    B = inputs.shape[1]
    h = np.zeros((B, STATE))
    c = np.zeros((B, STATE))
    loss = 0.0
    for x_t, y_t in zip(inputs, targets):
        z = np.concatenate((x_t, h), axis=1) @ params["W"] + params["b"]
        i, f, o, g = np.split(z, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        logits = h @ params["Wy"]
        loss += -np.sum(y_t * (logits - logsumexp(logits, axis=1, keepdims=True)))
    return loss / B


RNN_P = create_rnn_params(N_CHARS, STATE, N_CHARS)
LSTM_P = create_lstm_params(N_CHARS, STATE, N_CHARS)
case("rnn_log_likelihood_dict", rnn_log_likelihood, RNN_P, SEQ_IN, SEQ_OUT)
case("rnn_concatenate_axis1", rnn_concatenate_axis1,
     {"W": normal(N_CHARS + STATE, STATE, scale=0.5), "b": np.zeros(STATE),
      "V": normal(STATE, N_CHARS, scale=0.5)}, SEQ_IN, SEQ_OUT)
case("lstm_log_likelihood_dict", lstm_log_likelihood, LSTM_P, SEQ_IN, SEQ_OUT)
case("lstm_stacked_gates_split", lstm_stacked_gates,
     {"W": normal(N_CHARS + STATE, 4 * STATE, scale=0.5), "b": np.zeros(4 * STATE),
      "Wy": normal(STATE, N_CHARS, scale=0.5)}, SEQ_IN, SEQ_OUT)

# ----------------------------------------------------------------------------- gaussian_process.py

GP_X = np.linspace(-2, 2, 7)[:, None] + normal(7, 1, scale=0.1)
GP_Y = np.sin(2 * GP_X[:, 0]) + normal(7, scale=0.1)
GP_PARAMS = np.array([0.1, -1.0, 0.2, -0.3])


def rbf_covariance(kernel_params, x, xp):
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))


def unpack_kernel_params(params):
    mean = params[0]
    cov_params = params[2:]
    noise_scale = np.exp(params[1]) + 0.0001
    return mean, cov_params, noise_scale


def gp_log_marginal_likelihood(params, x, y):
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    cov_y_y = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    prior_mean = mean * np.ones(len(y))
    return mvn_logpdf(y[None, :], prior_mean, cov_y_y)[0]


def gp_lml_slogdet_solve(params, x, y):
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    K = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    r = y - mean
    sign, logdet = np.linalg.slogdet(K)
    return -0.5 * r @ np.linalg.solve(K, r) - 0.5 * logdet - 0.5 * len(y) * np.log(2 * np.pi)


def gp_predict_mean_and_var(params, x, y, xstar):
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    cov_f_f = rbf_covariance(cov_params, xstar, xstar)
    cov_y_f = rbf_covariance(cov_params, x, xstar)
    cov_y_y = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    pred_mean = mean + np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, y - mean)
    pred_cov = cov_f_f - np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, cov_y_f)
    return np.sum(pred_mean ** 2) + np.sum(np.diag(pred_cov))


case("gp_lml_cholesky_mvn", gp_log_marginal_likelihood, GP_PARAMS, GP_X, GP_Y)
case("gp_lml_slogdet_solve", gp_lml_slogdet_solve, GP_PARAMS, GP_X, GP_Y)
case("gp_predictive_mean_var", gp_predict_mean_and_var, GP_PARAMS, GP_X, GP_Y,
     np.linspace(-2.5, 2.5, 4)[:, None])
case("gp_lml_wrt_inputs", lambda x, p, y: gp_lml_slogdet_solve(p, x, y), GP_X, GP_PARAMS, GP_Y)

# ----------------------------------------------------------------------------- black_box_svi.py

D2 = 2
EPS = normal(5, D2)


def funnel_log_density(x, t):
    mu, log_sigma = x[:, 0], x[:, 1]
    sigma_density = norm_logpdf(log_sigma, 0, 1.35)
    mu_density = norm_logpdf(mu, 0, np.exp(log_sigma))
    return sigma_density + mu_density


def black_box_variational_inference(logprob, D, eps):
    def unpack_params(params):
        mean, log_std = params[:D], params[D:]
        return mean, log_std

    def gaussian_entropy(log_std):
        return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    def variational_objective(params, t):
        mean, log_std = unpack_params(params)
        samples = eps * np.exp(log_std) + mean
        lower_bound = gaussian_entropy(log_std) + np.mean(logprob(samples, t))
        return -lower_bound

    return variational_objective


SVI_OBJ = black_box_variational_inference(funnel_log_density, D2, EPS)
case("bbsvi_funnel_closure", SVI_OBJ, np.array([-0.5, 0.3, -1.0, -0.5]), 0)


def svi_eps_as_argument(params, eps, t):
    mean, log_std = params[:D2], params[D2:]
    samples = eps * np.exp(log_std) + mean
    return -(0.5 * D2 * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
             + np.mean(funnel_log_density(samples, t)))


case("bbsvi_eps_argument_python_float_t", svi_eps_as_argument,
     np.array([-0.5, 0.3, -1.0, -0.5]), EPS, 0.5)

# -------------------------------------------------------------------------- bayesian_neural_net.py

BNN_SHAPES = [(1, 4), (4, 1)]
BNN_NUM_WEIGHTS = sum((m + 1) * n for m, n in BNN_SHAPES)
BNN_X = np.linspace(-2, 2, 5)[:, None]
BNN_Y = np.cos(BNN_X)


def unpack_layers(weights):
    num_weight_sets = len(weights)
    for m, n in BNN_SHAPES:
        yield (weights[:, :m * n].reshape((num_weight_sets, m, n)),
               weights[:, m * n:m * n + n].reshape((num_weight_sets, 1, n)))
        weights = weights[:, (m + 1) * n:]


def bnn_predictions(weights, inputs):
    inputs = np.expand_dims(inputs, 0)
    for W, b in unpack_layers(weights):
        outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def bnn_logprob(weights, inputs, targets, L2_reg=0.1, noise_variance=0.01):
    log_prior = -L2_reg * np.sum(weights ** 2, axis=1)
    preds = bnn_predictions(weights, inputs)
    log_lik = -np.sum((preds - targets) ** 2, axis=1)[:, 0] / noise_variance
    return log_prior + log_lik


def bnn_elbo(params, eps, inputs, targets):
    mean, log_std = params[:BNN_NUM_WEIGHTS], params[BNN_NUM_WEIGHTS:]
    samples = eps * np.exp(log_std) + mean
    entropy = 0.5 * BNN_NUM_WEIGHTS * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
    return -(entropy + np.mean(bnn_logprob(samples, inputs, targets)))


case("bnn_generator_unpack_einsum_elbo", bnn_elbo,
     np.concatenate([normal(BNN_NUM_WEIGHTS, scale=0.5), np.full(BNN_NUM_WEIGHTS, -2.0)]),
     normal(3, BNN_NUM_WEIGHTS), BNN_X, BNN_Y)
case("bnn_logprob_sum_over_sets", lambda w, x, y: np.sum(bnn_logprob(w, x, y)),
     normal(2, BNN_NUM_WEIGHTS, scale=0.5), BNN_X, BNN_Y)

# ----------------------------------------------------------------------------- mixture VI


def diag_gaussian_log_density(x, mu, log_std):
    return np.sum(norm_logpdf(x, mu, np.exp(log_std)), axis=-1)


def mixture_log_density(x, params):
    """A mixture of diagonal Gaussians: params a list of (log weight, mean, log_std) tuples."""
    log_weights = np.array([p[0] for p in params])
    log_weights = log_weights - logsumexp(log_weights)
    component_lls = np.array([diag_gaussian_log_density(x, mean, log_std)
                              for _, mean, log_std in params])
    return logsumexp(log_weights[:, None] + component_lls, axis=0)


def target_log_density(x):
    return logsumexp(np.array([diag_gaussian_log_density(x, np.array([1.0, 1.0]), np.zeros(2)),
                               diag_gaussian_log_density(x, np.array([-1.0, 0.5]),
                                                         np.full(2, -0.5))]), axis=0)


def mixture_elbo(params, eps_per_component):
    """Sample each component with its own fixed draws; weight its ELBO term by its weight."""
    log_weights = np.array([p[0] for p in params])
    weights = np.exp(log_weights - logsumexp(log_weights))
    elbo = 0.0
    for k, (_, mean, log_std) in enumerate(params):
        samples = eps_per_component[k] * np.exp(log_std) + mean
        elbo = elbo + weights[k] * np.mean(target_log_density(samples)
                                           - mixture_log_density(samples, params))
    return -elbo


MIX_PARAMS = [(np.float64(0.2), normal(2), normal(2, scale=0.2)),
              (np.float64(-0.1), normal(2), normal(2, scale=0.2))]
case("mixture_vi_list_of_tuples_np_array_stack", mixture_elbo, MIX_PARAMS, normal(2, 4, 2))

# -------------------------------------------------------------------------- logistic_regression.py

LR_INPUTS = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30],
                      [0.74, -2.49, 1.39]])
LR_TARGETS = np.array([True, True, False, True])


def logistic_sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1)


def logistic_predictions(weights, inputs):
    return logistic_sigmoid(np.dot(inputs, weights))


def logistic_training_loss(weights, inputs, targets):
    preds = logistic_predictions(weights, inputs)
    label_probabilities = preds * targets + (1 - preds) * (1 - targets)
    return -np.sum(np.log(label_probabilities))


case("logistic_boolean_targets", logistic_training_loss, np.array([0.1, -0.2, 0.3]),
     LR_INPUTS, LR_TARGETS)
case("logistic_float_targets", logistic_training_loss, np.array([0.1, -0.2, 0.3]),
     LR_INPUTS, LR_TARGETS.astype(float))

# ----------------------------------------------------------------------------- natural gradients


def logistic_nll(w, X, y):
    z = X @ w
    return np.sum(np.logaddexp(0, z) - y * z)


def fisher_quadratic(w, X, v):
    """0.5 v' F(w) v with F = X' diag(p (1 - p)) X, the logistic model's Fisher matrix."""
    p = logistic_sigmoid(X @ w)
    F = np.dot(X.T * (p * (1 - p)), X)
    return 0.5 * v @ F @ v


def fisher_by_outer_products(w, X, v):
    """E[g g'] over the model's labels, by per-example score outer products in a loop."""
    F = np.zeros((len(w), len(w)))
    p = logistic_sigmoid(X @ w)
    for i in range(len(X)):
        for label, prob in ((1.0, p[i]), (0.0, 1 - p[i])):
            g = (p[i] - label) * X[i]
            F += prob * np.outer(g, g)
    return v @ F @ v


def hessian_vector_product(w, X, y, v):
    g = tracenp.grad(logistic_nll)(w, X, y)
    return np.sum(g * v)


def natural_gradient_step_loss(w, X, y, lr=0.5):
    """One natural-gradient step (solve with the damped Fisher), then the loss."""
    g = tracenp.grad(logistic_nll)(w, X, y)
    p = logistic_sigmoid(X @ w)
    F = (X.T * (p * (1 - p))) @ X + 0.1 * np.eye(len(w))
    w_new = w - lr * np.linalg.solve(F, g)
    return logistic_nll(w_new, X, y)


LR_Y = LR_TARGETS.astype(float)
case("fisher_quadratic_form", fisher_quadratic, np.array([0.1, -0.2, 0.3]), LR_INPUTS,
     np.array([1.0, 0.5, -0.3]))
case("fisher_outer_product_loop", fisher_by_outer_products, np.array([0.1, -0.2, 0.3]),
     LR_INPUTS, np.array([1.0, 0.5, -0.3]))
case("hvp_grad_of_grad", hessian_vector_product, np.array([0.1, -0.2, 0.3]), LR_INPUTS, LR_Y,
     np.array([1.0, 0.5, -0.3]))
case("natural_gradient_step_solve", natural_gradient_step_loss, np.array([0.1, -0.2, 0.3]),
     LR_INPUTS, LR_Y)

# ----------------------------------------------------------------------------- fluidsim.py


def project(vx, vy, iters=5):
    """Project the velocity field to be approximately mass-conserving (Jacobi iterations)."""
    p = np.zeros(vx.shape)
    h = 1.0 / vx.shape[0]
    div = -0.5 * h * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                      + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
    for k in range(iters):
        p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0)
             + np.roll(p, 1, axis=1) + np.roll(p, -1, axis=1)) / 4.0
    vx -= 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy -= 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """Move field f along the velocity: bilinear interpolation at the traced-back points."""
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols))
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left_ix = np.floor(center_xs).astype(int)
    top_ix = np.floor(center_ys).astype(int)
    rw = center_xs - left_ix
    bw = center_ys - top_ix
    left_ix = np.mod(left_ix, rows)
    right_ix = np.mod(left_ix + 1, rows)
    top_ix = np.mod(top_ix, cols)
    bot_ix = np.mod(top_ix + 1, cols)
    flat_f = (1 - rw) * ((1 - bw) * f[left_ix, top_ix] + bw * f[left_ix, bot_ix]) \
        + rw * ((1 - bw) * f[right_ix, top_ix] + bw * f[right_ix, bot_ix])
    return np.reshape(flat_f, (rows, cols))


def simulate(vx, vy, smoke, num_time_steps):
    for t in range(num_time_steps):
        vx_updated = advect(vx, vx, vy)
        vy_updated = advect(vy, vx, vy)
        vx, vy = project(vx_updated, vy_updated)
        smoke = advect(smoke, vx, vy)
    return smoke


FLUID = 6
SMOKE0 = np.exp(-((np.arange(FLUID)[:, None] - 2.3) ** 2 + (np.arange(FLUID) - 2.7) ** 2) / 3)
SMOKE_TARGET = np.roll(SMOKE0, 1, axis=1)


def fluid_distance_from_target(init_vel, smoke, target, num_time_steps=2):
    init_vx = init_vel[0]
    init_vy = init_vel[1]
    final_smoke = simulate(init_vx, init_vy, smoke, num_time_steps)
    return np.mean((target - final_smoke) ** 2)


def fluid_flat_velocity(init_vel, smoke, target):
    """The example's optimizer sees one flat vector: split and reshaped in the objective."""
    vx, vy = np.split(init_vel, 2)
    return np.sum((simulate(vx.reshape(FLUID, FLUID), vy.reshape(FLUID, FLUID), smoke, 1)
                   - target) ** 2)


FLUID_VEL = normal(2, FLUID, FLUID, scale=0.4)
case("fluidsim_final_density_wrt_velocity", fluid_distance_from_target, FLUID_VEL, SMOKE0,
     SMOKE_TARGET)
case("fluidsim_flat_velocity_split", fluid_flat_velocity, FLUID_VEL.ravel(), SMOKE0,
     SMOKE_TARGET)
case("fluidsim_wrt_initial_smoke", lambda s, v, t: fluid_distance_from_target(v, s, t), SMOKE0,
     FLUID_VEL, SMOKE_TARGET)
case("fluidsim_advect_only", lambda v, f: np.sum(advect(f, v[0], v[1]) ** 2), FLUID_VEL, SMOKE0)
case("fluidsim_project_only",
     lambda v: np.sum(np.stack(project(v[0].copy(), v[1].copy())) ** 2), FLUID_VEL)

# ----------------------------------------------------------------------------- wing.py

WING_OCC = np.zeros((FLUID, FLUID), dtype=bool)
WING_OCC[2:4, 2:4] = True


def occlude(f, occlusion):
    return f * (1 - occlusion)


def wing_objective(params, occlusion, steps=2):
    """Free-flowing air past a soft wing: occlude the velocity each step, score lift vs drag."""
    vx = np.ones((FLUID, FLUID)) * 0.5
    vy = np.zeros((FLUID, FLUID))
    occ = 1.0 / (1.0 + np.exp(-params)) * occlusion
    for t in range(steps):
        vx = occlude(advect(vx, vx, vy), occ)
        vy = occlude(advect(vy, vx, vy), occ)
        vx, vy = project(vx, vy, iters=3)
    drag = np.mean(vx[:, -1] - 0.5) ** 2
    lift = -np.mean(vy)
    return lift + drag + 0.01 * np.sum(occ)


case("wing_soft_occlusion_bool_mask", wing_objective, normal(FLUID, FLUID), WING_OCC)

# ----------------------------------------------------------------------------- ica.py


def ica_loglik_slogdet(W, X):
    """Square ICA: log p(x) = log|det W| + sum log p(W x), logistic-density sources."""
    S = X @ W.T
    sign, logdet = np.linalg.slogdet(W)
    log_p_s = -S - 2 * np.log1p(np.exp(-S))
    return -(len(X) * logdet + np.sum(log_p_s)) / len(X)


def ica_loglik_det(W, X):
    S = np.dot(W, X.T)
    return -(np.log(np.abs(np.linalg.det(W))) - np.mean(np.sum(np.log(np.cosh(S)), axis=0)))


def student_t_logpdf(x, df, loc, scale):
    c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    z = (x - loc) / scale
    return c - np.log(scale) - (df + 1) / 2 * np.log1p(z ** 2 / df)


def ica_student_t(weights, latents, observations, noise_std=0.5):
    """autograd's ica.py: observations ~ t(2.4, W @ latents, noise_std), both learned."""
    W = np.reshape(weights, (observations.shape[0], latents.shape[0]))
    preds = np.dot(W, latents)
    log_lik = np.sum(student_t_logpdf(preds, 2.4, observations, noise_std))
    log_prior = np.sum(student_t_logpdf(latents, 2.4, 0.0, 1.0))
    return -(log_lik + log_prior)


ICA_W = np.eye(3) + normal(3, 3, scale=0.3)
ICA_X = normal(8, 3)
case("ica_slogdet_logistic_sources", ica_loglik_slogdet, ICA_W, ICA_X)
case("ica_det_abs_log_cosh", ica_loglik_det, ICA_W, ICA_X)
case("ica_student_t_weights_and_latents", ica_student_t, normal(6), normal(2, 5), normal(3, 5),
     argnums=(0, 1))

# ----------------------------------------------------------------------------- hmm_em.py

HMM_K, HMM_V = 3, 4
HMM_DATA = np.array([0, 2, 1, 3, 1, 0])
HMM_DATA2 = [rng.integers(0, HMM_V, 4), rng.integers(0, HMM_V, 5)]


def log_normalize(x):
    return x - logsumexp(x, axis=-1, keepdims=True)


def hmm_natural_params():
    return (log_normalize(normal(HMM_K)), log_normalize(normal(HMM_K, HMM_K)),
            log_normalize(normal(HMM_K, HMM_V)))


def log_partition_function(natural_params, data):
    if isinstance(data, list):
        return sum(map(lambda d: log_partition_function(natural_params, d), data))
    log_pi, log_A, log_B = natural_params
    log_alpha = log_pi
    for y in data:
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, y]
    return logsumexp(log_alpha)


def em_step_objective(natural_params, data):
    """EM's E-step statistics are the gradient of the log partition function: normalize them
    into new parameters and score the data under those."""
    pi_s, A_s, B_s = tracenp.grad(log_partition_function)(natural_params, data)
    new = (np.log(pi_s / np.sum(pi_s)), np.log(A_s / np.sum(A_s, axis=1, keepdims=True)),
           np.log(B_s / np.sum(B_s, axis=1, keepdims=True)))
    return log_partition_function(new, data)


def hmm_forward_scaled(params, obs):
    """The forward algorithm in probability space with per-step normalizers."""
    pi = np.exp(log_normalize(params["pi"]))
    A = np.exp(log_normalize(params["A"]))
    B = np.exp(log_normalize(params["B"]))
    alpha = pi * B[:, obs[0]]
    ll = 0.0
    for t in range(1, len(obs)):
        c = alpha.sum()
        ll += np.log(c)
        alpha = (alpha / c) @ A * B[:, obs[t]]
    return ll + np.log(alpha.sum())


HMM_P = hmm_natural_params()
case("hmm_log_partition_tuple_iterate_data", log_partition_function, HMM_P, HMM_DATA)
case("hmm_log_partition_list_of_sequences_map", log_partition_function, HMM_P, HMM_DATA2)
case("hmm_em_step_from_gradient_stats", em_step_objective, HMM_P, HMM_DATA)
case("hmm_forward_scaled_dict", hmm_forward_scaled,
     {"pi": normal(HMM_K), "A": normal(HMM_K, HMM_K), "B": normal(HMM_K, HMM_V)}, HMM_DATA)

# ----------------------------------------------------------------------------- rkhs.py


def rbf(x, y, lengthscale=0.7):
    return np.exp(-np.sum((x - y) ** 2) / (2 * lengthscale ** 2))


class RKHSFun:
    """A function in an RKHS: a dict from centres (tuples) to coefficients."""

    def __init__(self, kernel, alphas):
        self.kernel = kernel
        self.alphas = alphas

    def __call__(self, x):
        return sum(a * self.kernel(np.array(c), x) for c, a in self.alphas.items())


def rkhs_objective(alphas, xs, ys, lam=0.1):
    f = RKHSFun(rbf, alphas)
    fit = sum((f(x) - y) ** 2 for x, y in zip(xs, ys))
    norm_sq = sum(a1 * a2 * rbf(np.array(c1), np.array(c2))
                  for c1, a1 in alphas.items() for c2, a2 in alphas.items())
    return fit + lam * norm_sq


def kernel_sum_vectorized(alpha, centres, xs, ys, lam=0.1):
    K_cx = np.exp(-0.5 * np.sum((centres[:, None, :] - xs[None, :, :]) ** 2, axis=-1) / 0.49)
    K_cc = np.exp(-0.5 * np.sum((centres[:, None, :] - centres[None, :, :]) ** 2, axis=-1) / 0.49)
    f = alpha @ K_cx
    return np.sum((f - ys) ** 2) + lam * alpha @ K_cc @ alpha


RK_CENTRES = [(0.0, 0.1), (0.5, -0.4), (-0.8, 0.3)]
RK_XS = normal(5, 2)
RK_YS = np.sin(RK_XS[:, 0])
case("rkhs_dict_of_tuple_centres", rkhs_objective,
     {c: np.float64(a) for c, a in zip(RK_CENTRES, [0.3, -0.2, 0.5])}, RK_XS, RK_YS)
case("rkhs_vectorized_kernel_sums", kernel_sum_vectorized, np.array([0.3, -0.2, 0.5]),
     np.array(RK_CENTRES), RK_XS, RK_YS)
case("rkhs_wrt_centres", lambda c, a, x, y: kernel_sum_vectorized(a, c, x, y),
     np.array(RK_CENTRES), np.array([0.3, -0.2, 0.5]), RK_XS, RK_YS)

# ----------------------------------------------------------------------------- ode_net.py


def nn_predict(inputs, t, params):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def rk4_odeint(func, y0, ts, params):
    ys = [y0]
    y = y0
    for i in range(len(ts) - 1):
        h = ts[i + 1] - ts[i]
        t = ts[i]
        k1 = func(y, t, params)
        k2 = func(y + h * k1 / 2, t + h / 2, params)
        k3 = func(y + h * k2 / 2, t + h / 2, params)
        k4 = func(y + h * k3, t + h, params)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.stack(ys)


ODE_TS = np.linspace(0.0, 1.0, 5)
ODE_TRUE = np.stack([np.array([[np.cos(t), np.sin(t)]]) for t in ODE_TS])


def ode_net_loss(params, y0, ts, targets):
    pred = rk4_odeint(nn_predict, y0, ts, params)
    return np.mean(np.abs(pred - targets) ** 2)


def ode_preallocated_trajectory(params, y0, dt=0.25, steps=4):
    """The trajectory written into a preallocated array, Euler-midpoint steps."""
    traj = np.zeros((steps + 1,) + y0.shape)
    traj[0] = y0
    for i in range(steps):
        mid = traj[i] + 0.5 * dt * nn_predict(traj[i], i * dt, params)
        traj[i + 1] = traj[i] + dt * nn_predict(mid, (i + 0.5) * dt, params)
    return np.sum(traj[-1] ** 2)


ODE_P = init_random_params(0.5, [2, 4, 2], np.random.RandomState(3))
case("ode_net_rk4_list_append_stack", ode_net_loss, ODE_P, np.array([[1.0, 0.0]]), ODE_TS,
     ODE_TRUE)
case("ode_net_rk4_wrt_y0", lambda y0, p, ts, tr: ode_net_loss(p, y0, ts, tr),
     np.array([[1.0, 0.0]]), ODE_P, ODE_TS, ODE_TRUE)
case("ode_net_rk4_wrt_times", lambda ts, p, y0, tr: ode_net_loss(p, y0, ts, tr), ODE_TS, ODE_P,
     np.array([[1.0, 0.0]]), ODE_TRUE)
case("ode_midpoint_preallocated_setitem", ode_preallocated_trajectory, ODE_P,
     np.array([[1.0, 0.0], [0.0, 1.0]]))

# ----------------------------------------------------------------------------- sinusoid.py, tanh.py


def elementwise_grad(fun):
    """autograd's `elementwise_grad`: a vjp with a cotangent of ones."""
    def gradfun(x):
        ans, pullback = tracenp.vjp(fun, x)
        return pullback(np.ones_like(ans))[0]
    return gradfun


def tanh_exp(x):
    return (1.0 - np.exp(-2 * x)) / (1.0 + np.exp(-2 * x))


def sin_taylor(x, terms=8):
    ans = currterm = x
    for i in range(terms):
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
    return ans


def scalar_sin(x):
    return np.sin(x)


COEF = normal(5)
XS = np.linspace(-1.5, 1.5, 5)
case("tanh_egrad", lambda x: np.sum(COEF * elementwise_grad(tanh_exp)(x)), XS)
case("tanh_egrad_egrad", lambda x: np.sum(COEF * elementwise_grad(elementwise_grad(tanh_exp))(x)),
     XS)
case("tanh_egrad_cubed",
     lambda x: np.sum(COEF * elementwise_grad(elementwise_grad(elementwise_grad(tanh_exp)))(x)), XS)
case("sin_grad_grad_scalar", lambda x: tracenp.grad(tracenp.grad(scalar_sin))(x), np.float64(0.7))
case("sin_grad_grad_python_float", lambda x: tracenp.grad(tracenp.grad(scalar_sin))(x), 0.7)
case("sin_taylor_fixed_terms_egrad",
     lambda x: np.sum(COEF * elementwise_grad(sin_taylor)(x)), XS)
case("sin_nth_derivative_loop", lambda x: np.sum(COEF * _nth_grad(np.sin, 3)(x)), XS)


def _nth_grad(fun, n):
    """sinusoid.py plots the first derivatives of sin by grad applied in a loop."""
    for _ in range(n):
        fun = elementwise_grad(fun)
    return fun


# ----------------------------------------------------------------------------- gmm.py


def init_gmm_params(num_components, D, scale):
    rs = np.random.RandomState(4)
    return {"log proportions": rs.randn(num_components) * scale,
            "means": rs.randn(num_components, D) * scale,
            "lower triangles": np.zeros((num_components, D, D)) + np.eye(D)
            + rs.randn(num_components, D, D) * 0.1}


def unpack_gmm_params(params):
    normalized_log_proportions = log_normalize(params["log proportions"])
    return normalized_log_proportions, params["means"], params["lower triangles"]


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params)):
        cov = np.dot(cov_sqrt.T, cov_sqrt)
        cluster_lls.append(log_proportion + mvn_logpdf(data, mean, cov))
    return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))


case("gmm_zip_over_unpacked_arrays_vstack", gmm_log_likelihood, init_gmm_params(2, 2, 0.5),
     normal(6, 2))

# ----------------------------------------------------------------------------- VAE, GAN


def relu(x):
    return np.maximum(0, x)


def mlp_relu(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = relu(outputs)
    return outputs


def nn_predict_gaussian(params, inputs):
    out = mlp_relu(params, inputs)
    D = np.shape(out)[-1] // 2
    return out[:, :D], out[:, D:]


def bernoulli_log_density(targets, unnormalized_logprobs):
    label_probabilities = -np.logaddexp(0, -unnormalized_logprobs * targets)
    return np.sum(label_probabilities, axis=-1)


def vae_lower_bound(gen_params, rec_params, data, eps):
    q_means, q_log_stds = nn_predict_gaussian(rec_params, data)
    latents = eps * np.exp(q_log_stds) + q_means
    q_latents = diag_gaussian_log_density(latents, q_means, q_log_stds)
    p_latents = diag_gaussian_log_density(latents, 0, 0)
    logits = mlp_relu(gen_params, latents)
    p_data = bernoulli_log_density(data, logits)
    return np.mean(p_data + p_latents - q_latents)


VAE_DATA = np.where(normal(4, 5) > 0, 1.0, -1.0)
VAE_GEN = init_random_params(0.5, [2, 3, 5], np.random.RandomState(5))
VAE_REC = init_random_params(0.5, [5, 3, 4], np.random.RandomState(6))
case("vae_lower_bound_gen_and_rec", vae_lower_bound, VAE_GEN, VAE_REC, VAE_DATA, normal(4, 2),
     argnums=(0, 1))


def logsigmoid(x):
    return x - np.logaddexp(0, x)


def gan_objective(gen_params, dsc_params, real_data, noise):
    fake_data = np.tanh(mlp_relu(gen_params, noise))
    logprobs_fake = logsigmoid(mlp_relu(dsc_params, fake_data))
    logprobs_real = logsigmoid(mlp_relu(dsc_params, real_data))
    return np.mean(logprobs_real) - np.mean(logprobs_fake)


GAN_GEN = init_random_params(0.5, [2, 3, 2], np.random.RandomState(7))
GAN_DSC = init_random_params(0.5, [2, 3, 1], np.random.RandomState(8))
case("gan_objective_both_nets", gan_objective, GAN_GEN, GAN_DSC, normal(4, 2), normal(4, 2),
     argnums=(0, 1))

# ------------------------------------------------------------- fixed points, deep GP, regression


def newton_sqrt(a, guess=1.0, iters=12):
    x = guess
    for _ in range(iters):
        x = 0.5 * (x + a / x)
    return x


def deep_gp_objective(params, x, y, z):
    """Two GP layers: the first layer's posterior mean at the data feeds the second."""
    k1, k2 = params[:2], params[2:]
    K1 = rbf_covariance(k1, z, z) + 1e-2 * np.eye(len(z))
    h = rbf_covariance(k1, x, z) @ np.linalg.solve(K1, np.sin(z[:, 0]))
    h = h[:, None]
    K2 = rbf_covariance(k2, h, h) + 0.1 * np.eye(len(y))
    sign, logdet = np.linalg.slogdet(K2)
    return 0.5 * y @ np.linalg.solve(K2, y) + 0.5 * logdet


def neural_net_regression_logprob(weights, inputs, targets, noise_scale=0.1):
    """neural_net_regression.py: a flat weight vector, a Gaussian prior and likelihood."""
    W1, b1 = weights[:4].reshape(1, 4), weights[4:8]
    W2, b2 = weights[8:12].reshape(4, 1), weights[12]
    preds = np.tanh(inputs @ W1 + b1) @ W2 + b2
    log_prior = np.sum(norm_logpdf(weights, 0, 1.0))
    log_lik = np.sum(norm_logpdf(preds, targets, noise_scale))
    return -(log_prior + log_lik)


def expected_improvement(x, X, y, params):
    """bayesian_optimization.py's acquisition, Phi by the error function as math.erf-free
    NumPy code writes it (tanh approximation) at a GP posterior."""
    mean, cov_params, noise = unpack_kernel_params(params)
    K = rbf_covariance(cov_params, X, X) + noise * np.eye(len(y))
    ks = rbf_covariance(cov_params, X, x)
    mu = mean + ks.T @ np.linalg.solve(K, y - mean)
    var = np.exp(cov_params[0]) - np.sum(ks * np.linalg.solve(K, ks), axis=0)
    sd = np.sqrt(var)
    best = np.min(y)
    z = (best - mu) / sd
    cdf = 0.5 * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3)))
    pdf = np.exp(-0.5 * z ** 2) / np.sqrt(2 * np.pi)
    return -np.sum(sd * (z * cdf + pdf))


case("fixed_point_newton_sqrt_unrolled", lambda a: newton_sqrt(a), np.float64(2.5))
case("fixed_point_newton_sqrt_array", lambda a: np.sum(newton_sqrt(a)), np.array([0.5, 2.0, 9.0]))
case("deep_gp_two_layers", deep_gp_objective, np.array([0.0, -0.3, 0.1, 0.2]),
     np.linspace(-1, 1, 5)[:, None], normal(5), np.linspace(-1.2, 1.2, 3)[:, None])
case("neural_net_regression_flat_weights", neural_net_regression_logprob, normal(13, scale=0.5),
     np.linspace(-1, 1, 6)[:, None], np.cos(np.linspace(-1, 1, 6))[:, None])
case("bayes_opt_expected_improvement_wrt_x", expected_improvement,
     np.array([[0.3], [-0.9]]), GP_X, GP_Y, GP_PARAMS)

# ------------------------------------------------------------------------- JAX: mnist from scratch


def jax_predict(params, inputs):
    activations = inputs
    for w, b in params[:-1]:
        outputs = np.dot(activations, w) + b
        activations = np.tanh(outputs)
    final_w, final_b = params[-1]
    logits = np.dot(activations, final_w) + final_b
    return logits - logsumexp(logits, axis=1, keepdims=True)


def jax_loss(params, batch):
    inputs, targets = batch
    preds = jax_predict(params, inputs)
    return -np.mean(np.sum(preds * targets, axis=1))


def jax_update(params, batch, step_size=0.1):
    grads = tracenp.grad(jax_loss)(params, batch)
    return [(w - step_size * dw, b - step_size * db)
            for (w, b), (dw, db) in zip(params, grads)]


def loss_after_update(params, batch, val_batch):
    """Differentiate through one SGD update (a meta-gradient)."""
    return jax_loss(jax_update(params, batch), val_batch)


def loss_after_jitted_updates(params, batch, steps=2):
    update = tracenp.jit(jax_update)
    for _ in range(steps):
        params = update(params, batch)
    return jax_loss(params, batch)


MNIST_P = init_random_params(0.5, [4, 4, 4, 3], np.random.RandomState(9))
BATCH = (INPUTS, TARGETS)
case("jax_mnist_loss_batch_tuple", jax_loss, MNIST_P, BATCH)
case("jax_mnist_loss_wrt_batch_argnums_1", jax_loss, MNIST_P, BATCH, argnums=1)
case("jax_mnist_meta_grad_through_update", loss_after_update, MNIST_P, BATCH,
     (normal(4, 4), TARGETS[:4]))
case("jax_mnist_through_jitted_updates", loss_after_jitted_updates, MNIST_P, BATCH)

# ----------------------------------------------------------------------------- JAX: DP-SGD


def l2_norm_clip_tree(grads):
    return np.sqrt(sum(np.sum(w ** 2) + np.sum(b ** 2) for w, b in grads))


def private_grad(params, batch, noise, l2_norm_clip=0.5, noise_multiplier=0.3):
    inputs, targets = batch
    clipped = []
    for i in range(len(inputs)):
        g = tracenp.grad(jax_loss)(params, (inputs[i:i + 1], targets[i:i + 1]))
        total = l2_norm_clip_tree(g)
        divisor = np.maximum(total / l2_norm_clip, 1.0)
        clipped.append([(w / divisor, b / divisor) for w, b in g])
    summed = [(sum(c[k][0] for c in clipped), sum(c[k][1] for c in clipped))
              for k in range(len(params))]
    noised = [(w + l2_norm_clip * noise_multiplier * nw, b + l2_norm_clip * noise_multiplier * nb)
              for (w, b), (nw, nb) in zip(summed, noise)]
    return [(w / len(inputs), b / len(inputs)) for w, b in noised]


def dp_sgd_validation_loss(params, batch, noise, val_batch, step_size=0.5):
    grads = private_grad(params, batch, noise)
    new = [(w - step_size * dw, b - step_size * db) for (w, b), (dw, db) in zip(params, grads)]
    return jax_loss(new, val_batch)


def dp_clip_norms(params, batch):
    """The sum of the clipped per-example gradient norms (the clip's kink is away)."""
    inputs, targets = batch
    out = 0.0
    for i in range(len(inputs)):
        g = tracenp.grad(jax_loss)(params, (inputs[i:i + 1], targets[i:i + 1]))
        out = out + np.minimum(l2_norm_clip_tree(g), 0.5)
    return out


DP_P = init_random_params(0.8, [4, 3, 3], np.random.RandomState(10))
DP_NOISE = [(normal(4, 3), normal(3)), (normal(3, 3), normal(3))]
case("dp_sgd_meta_loss_through_clipped_grads", dp_sgd_validation_loss, DP_P,
     (INPUTS[:4], TARGETS[:4]), DP_NOISE, (INPUTS[4:], TARGETS[4:]))
case("dp_sgd_clipped_norms_minimum", dp_clip_norms, DP_P, (INPUTS[:4], TARGETS[:4]))


def global_norm_of_norms(params):
    """differentially_private_sgd.py's norm of a pytree: the norm of the list of leaf norms."""
    leaves = [a for layer in params for a in layer]
    return np.linalg.norm([np.linalg.norm(g.ravel()) for g in leaves]) ** 2


case("dp_sgd_norm_of_list_of_leaf_norms", global_norm_of_norms, DP_P)

# ----------------------------------------------------------------------------- JAX: kernel_lsq.py


def linear_kernel(x, y):
    return np.dot(x, y)


def gram(kernel, xs):
    return np.array([[kernel(x, y) for y in xs] for x in xs])


def kernel_lsq_objective(v, xs, ys, regularization=0.01):
    gram_mat = gram(linear_kernel, xs)
    risk = 0.5 * np.sum((np.dot(gram_mat, v) - ys) ** 2.0)
    reg = regularization * np.sum(v ** 2.0)
    return risk + reg


def minimize(f, x, num_steps=5, step_size=0.01, mass=0.9):
    grad_f = tracenp.grad(f)
    v = np.zeros_like(x)
    for i in range(num_steps):
        g = grad_f(x)
        v = mass * v - step_size * g
        x = x + v
    return x


def kernel_lsq_train_then_predict(ys, xs, xtest):
    """train: minimize the objective by momentum steps from zeros, then predict at xtest; the
    prediction differentiated wrt the training targets (through the unrolled steps)."""
    v = minimize(lambda v: kernel_lsq_objective(v, xs, ys), np.zeros(len(xs)))
    preds = np.array([np.sum(v * np.array([linear_kernel(x, x_) for x_ in xs])) for x in xtest])
    return np.sum(preds ** 2)


KL_XS = normal(5, 2)
KL_YS = KL_XS @ np.array([0.5, -1.0])
case("kernel_lsq_gram_nested_comprehension", kernel_lsq_objective, normal(5), KL_XS, KL_YS)
case("kernel_lsq_gram_wrt_inputs", lambda xs, v, ys: kernel_lsq_objective(v, xs, ys), KL_XS,
     normal(5), KL_YS)
case("kernel_lsq_unrolled_momentum_wrt_targets", kernel_lsq_train_then_predict, KL_YS, KL_XS,
     normal(2, 2))

# ----------------------------------------------------------------------------- JAX: advi.py


def diag_gaussian_sample(eps, mean, log_std):
    return mean + np.exp(log_std) * eps


def diag_gaussian_logpdf(x, mean, log_std):
    return np.sum(norm_logpdf(x, mean, np.exp(log_std)))


def advi_funnel(z):
    x, y = z
    return norm_logpdf(x, 0, np.exp(y)) + norm_logpdf(y, 0, 1.35)


def elbo(logprob, eps, mean, log_std):
    sample = diag_gaussian_sample(eps, mean, log_std)
    return logprob(sample) - diag_gaussian_logpdf(sample, mean, log_std)


def batch_elbo(params, eps_batch):
    """vmap over the draws written as a Python loop; params a (mean, log_std) tuple."""
    return np.mean(np.array([elbo(advi_funnel, e, *params) for e in eps_batch]))


def batch_elbo_stacked(params, eps_batch):
    mean, log_std = params
    samples = mean + np.exp(log_std) * eps_batch
    logp = norm_logpdf(samples[:, 0], 0, np.exp(samples[:, 1])) + norm_logpdf(samples[:, 1], 0,
                                                                              1.35)
    logq = np.sum(norm_logpdf(samples, mean, np.exp(log_std)), axis=1)
    return -np.mean(logp - logq)


ADVI_P = (np.array([0.2, -0.4]), np.array([-0.6, -0.3]))
case("advi_elbo_loop_unpack_z", batch_elbo, ADVI_P, normal(4, 2))
case("advi_elbo_vectorized", batch_elbo_stacked, ADVI_P, normal(4, 2))

# ------------------------------------------------------------ JAX: gaussian_process_regression.py


def softplus(x):
    return np.logaddexp(x, 0.0)


def exp_quadratic(x1, x2):
    return np.exp(-np.sum((x1 - x2) ** 2))


def cov_map(cov_func, xs, xs2=None):
    if xs2 is None:
        return np.array([[cov_func(a, b) for b in xs] for a in xs])
    return np.array([[cov_func(a, b) for a in xs] for b in xs2]).T


def gpr_marginal_likelihood(params, x, y):
    noise = softplus(params["noise"])
    amp = softplus(params["amplitude"])
    ls = softplus(params["lengthscale"])
    ymean = np.mean(y)
    y = y - ymean
    x = x / ls
    train_cov = amp * cov_map(exp_quadratic, x) + np.eye(len(y)) * (noise + 1e-6)
    chol = np.linalg.cholesky(train_cov)
    kinvy = np.linalg.solve(chol.T, np.linalg.solve(chol, y))
    log2pi = np.log(2.0 * 3.1415)
    ml = np.sum(-0.5 * np.dot(y.T, kinvy) - np.sum(np.log(np.diag(chol)))
                - (len(y) / 2.0) * log2pi)
    ml -= np.sum(-0.5 * np.log(2 * 3.1415) - np.log(amp) - np.log(amp) ** 2)
    return -ml


def gpr_predict(params, x, y, xtest):
    noise = softplus(params["noise"])
    amp = softplus(params["amplitude"])
    ls = softplus(params["lengthscale"])
    x, xtest = x / ls, xtest / ls
    train_cov = amp * cov_map(exp_quadratic, x) + np.eye(len(y)) * (noise + 1e-6)
    chol = np.linalg.cholesky(train_cov)
    kinvy = np.linalg.solve(chol.T, np.linalg.solve(chol, y))
    cross_cov = amp * cov_map(exp_quadratic, x, xtest)
    mu = np.dot(cross_cov.T, kinvy)
    v = np.linalg.solve(chol, cross_cov)
    var = amp * np.ones(len(xtest)) - np.sum(v ** 2, axis=0)
    return np.sum(mu ** 2) + np.sum(var)


GPR_P = {"amplitude": np.zeros((1, 1)), "noise": np.full((1, 1), -1.0),
         "lengthscale": np.zeros((1, 1))}
GPR_X = np.linspace(-2, 2, 6)[:, None]
GPR_Y = np.sin(GPR_X[:, 0]) + normal(6, scale=0.1)
case("gpr_params_shape_1x1_cov_map", gpr_marginal_likelihood, GPR_P, GPR_X, GPR_Y)
case("gpr_predict_cross_cov_transposed", gpr_predict, GPR_P, GPR_X, GPR_Y,
     np.array([[0.3], [1.7]]))
case("gpr_marginal_python_float_params", gpr_marginal_likelihood,
     {"amplitude": 0.0, "noise": -1.0, "lengthscale": 0.0}, GPR_X, GPR_Y)

# ----------------------------------------------------------------------------- JAX: control.py

CTRL_A = np.array([[1.0, 0.1], [0.0, 1.0]])
CTRL_B = np.array([[0.0], [0.1]])


def trajectory_cost(U, x0, A, B):
    """LQR-style rollout: x_{t+1} = A x_t + B u_t, quadratic state and control costs."""
    x = x0
    cost = 0.0
    for t in range(U.shape[0]):
        cost = cost + x @ x + 0.1 * U[t] @ U[t]
        x = A @ x + B @ U[t]
    return cost + 10.0 * x @ x


def pendulum_rollout(U, x0, dt=0.1):
    """A nonlinear plant: states collected with `np.stack` and scored at the end."""
    xs = [x0]
    for u in U:
        th, om = xs[-1][0], xs[-1][1]
        xs.append(np.array([th + dt * om, om + dt * (-np.sin(th) + u[0])]))
    X = np.stack(xs)
    return np.sum((X[:, 0] - np.pi) ** 2) + 0.01 * np.sum(U ** 2)


def mpc_one_newton_step(U, x0, A, B):
    """An MPC step: the controls after one Newton step on the trajectory cost (its Hessian
    by `jacobian(grad)`), then the cost there."""
    f = lambda u: trajectory_cost(u.reshape(U.shape), x0, A, B)
    u = U.ravel()
    g = tracenp.grad(f)(u)
    H = tracenp.jacobian(tracenp.grad(f))(u)
    return f(u - 0.5 * np.linalg.solve(H, g))


case("control_lqr_rollout", trajectory_cost, normal(4, 1), np.array([1.0, 0.0]), CTRL_A, CTRL_B)
case("control_lqr_wrt_dynamics", trajectory_cost, normal(4, 1), np.array([1.0, 0.0]), CTRL_A,
     CTRL_B, argnums=(2, 3))
case("control_pendulum_np_array_of_traced", pendulum_rollout, normal(5, 1),
     np.array([0.1, 0.0]))
case("control_mpc_newton_step_jacobian_of_grad", mpc_one_newton_step, normal(3, 1),
     np.array([1.0, 0.0]), CTRL_A, CTRL_B)


def ode_learned_end_time(t_end, y0, steps=5):
    """The integration horizon is a parameter: the grid is `np.linspace(0, t_end, ...)`."""
    ts = np.linspace(0.0, t_end, steps + 1)
    y = y0
    for i in range(steps):
        h = ts[i + 1] - ts[i]
        y = y + h * np.array([y[1], -np.sin(y[0])])
    return np.sum(y ** 2)


def lqr_riccati_cost_to_go(A, B, Q=np.eye(2), R=np.eye(1), T=5):
    """control.py's LQR solve: the backward Riccati recursion over `reversed(range(T))`."""
    P = Q
    for t in reversed(range(T)):
        K = -np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
        P = Q + A.T @ P @ A + A.T @ P @ B @ K
    return np.trace(P)


def project_into_arguments(vx, vy):
    """fluidsim.py's `project` subtracts the pressure gradient from its arguments in place."""
    vx, vy = project(vx, vy)
    return np.sum(vx ** 2 + vy ** 2)


case("ode_learned_end_time_linspace", ode_learned_end_time, 1.3, np.array([0.5, 0.1]))
case("control_lqr_riccati_reversed_range", lqr_riccati_cost_to_go, CTRL_A, CTRL_B,
     argnums=(0, 1))
case("fluidsim_project_writes_into_arguments", project_into_arguments, FLUID_VEL[0].copy(),
     FLUID_VEL[1].copy(), argnums=(0, 1))



# ----------------------------------------------------------------------------- training idioms

def batch_indices(iter, num_batches=3, batch_size=2):
    idx = iter % num_batches
    return slice(idx * batch_size, (idx + 1) * batch_size)


def batch_objective(params, iter):
    """neural_net.py's `objective(params, iter)`: the Python int picks the minibatch."""
    idx = batch_indices(iter)
    return -log_posterior(params, INPUTS[idx], TARGETS[idx], 0.1)


def flatten_func(params):
    """autograd.misc.flatten: the flat vector and an `unflatten` closure."""
    shapes = [[np.shape(a) for a in layer] for layer in params]
    flat = flatten(params)

    def unflatten(vect):
        out, start = [], 0
        for layer in shapes:
            parts = []
            for shape in layer:
                size = int(np.prod(shape))
                parts.append(np.reshape(vect[start:start + size], shape))
                start += size
            out.append(tuple(parts))
        return out

    return flat, unflatten


_, UNFLATTEN = flatten_func(NET)


def flat_objective(flat_params, inputs, targets):
    return -log_posterior(UNFLATTEN(flat_params), inputs, targets, 0.1)


def scipy_logsumexp_predict(params, inputs, targets):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    logprobs = outputs - sps.logsumexp(outputs, axis=1, keepdims=True)
    return -np.sum(logprobs * targets)


def l2_np_sum_of_list(params, inputs, targets):
    reg = np.sum([np.sum(W ** 2) for W, _ in params])
    return -np.sum(neural_net_predict(params, inputs) * targets) + 0.1 * reg


def scipy_log_partition(natural_params, data):
    log_pi, log_A, log_B = natural_params
    log_alpha = log_pi
    for y in data:
        log_alpha = sps.logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, y]
    return sps.logsumexp(log_alpha)


def hmm_loglike_from_probabilities(params, data):
    """hmm_em.py's EM update differentiates at `natural_params = map(np.log, params)`."""
    natural_params = list(map(np.log, params))
    return log_partition_function(tuple(natural_params), data)


def svi_seeded_inside(params, t):
    """The draws made inside the objective from a RandomState seeded by the iteration."""
    rs = np.random.RandomState(t)
    mean, log_std = params[:D2], params[D2:]
    samples = rs.randn(5, D2) * np.exp(log_std) + mean
    return -(np.sum(log_std) + np.mean(funnel_log_density(samples, t)))


def svi_default_rng_inside(params, seed):
    rng_ = np.random.default_rng(seed)
    mean, log_std = params[:D2], params[D2:]
    samples = mean + np.exp(log_std) * rng_.standard_normal((5, D2))
    return -(np.sum(log_std) + np.mean(funnel_log_density(samples, 0)))


def natural_gradient_svi_step(params, eps, lr=0.1):
    """natural_gradient_black_box_svi.py: divide the gradient by the diagonal Gaussian's
    Fisher (1/var for the means, 2 for the log stds), step, and score the new ELBO."""
    g = tracenp.grad(svi_eps_as_argument)(params, eps, 0.0)
    log_std = params[D2:]
    fisher = np.concatenate([np.exp(-2 * log_std), 2 * np.ones(D2)])
    return svi_eps_as_argument(params - lr * g / fisher, eps, 0.0)


def fisher_by_jacobian(w, X, y, v):
    """The empirical Fisher J'J/n from the Jacobian of the per-example log-likelihoods."""
    def per_example(w):
        z = X @ w
        return y * z - np.logaddexp(0, z)
    J = tracenp.jacobian(per_example)(w)
    return v @ (J.T @ J / len(y)) @ v


case("neural_net_python_int_iter_minibatch", batch_objective, NET, 4)
case("neural_net_flat_vector_unflatten_closure", flat_objective, flatten(NET), INPUTS, TARGETS)
case("neural_net_scipy_logsumexp_keepdims", scipy_logsumexp_predict, NET, INPUTS, TARGETS)
case("neural_net_l2_np_sum_of_list", l2_np_sum_of_list, NET, INPUTS, TARGETS)
case("neural_net_python_float_biases",
     lambda p, x, t: -np.sum(neural_net_predict(p, x) * t),
     [(NET[0][0], 0.1), (NET[1][0], -0.2)], INPUTS, TARGETS)
case("hmm_scipy_logsumexp", scipy_log_partition, HMM_P, HMM_DATA)
case("hmm_map_log_over_probabilities", hmm_loglike_from_probabilities,
     [np.exp(a) for a in HMM_P], HMM_DATA)
case("svi_randomstate_seeded_inside", svi_seeded_inside, np.array([-0.5, 0.3, -1.0, -0.5]), 3)
case("svi_default_rng_inside", svi_default_rng_inside, np.array([-0.5, 0.3, -1.0, -0.5]), 5)
case("natural_gradient_svi_diag_fisher", natural_gradient_svi_step,
     np.array([-0.5, 0.3, -1.0, -0.5]), EPS)
case("fisher_jacobian_inside_grad", fisher_by_jacobian, np.array([0.1, -0.2, 0.3]), LR_INPUTS,
     LR_Y, np.array([1.0, 0.5, -0.3]))

# ----------------------------------------------------------------------------- more GP forms


def gp_lml_inv_det(params, x, y):
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    K = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    r = y - mean
    return -0.5 * np.dot(r, np.dot(np.linalg.inv(K), r)) - 0.5 * np.log(np.linalg.det(K))


def gplvm_objective(latents, params, Y):
    """gplvm.py: the latent inputs are parameters, one GP per output column, plus a prior."""
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    K = rbf_covariance(cov_params, latents, latents) + noise_scale * np.eye(len(Y))
    ll = sum(mvn_logpdf(Y[:, i][None, :], mean * np.ones(len(Y)), K)[0]
             for i in range(Y.shape[1]))
    return -(ll + np.sum(norm_logpdf(latents, 0, 1)))


def gp_atleast_2d_inputs(params, x, y):
    """1-D inputs brought to a column with `np.atleast_2d(x).T`, trace of the solve."""
    X = np.atleast_2d(x).T
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    K = rbf_covariance(cov_params, X, X) + noise_scale * np.eye(len(y))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y - mean))
    return 0.5 * (y - mean) @ alpha + np.sum(np.log(np.diagonal(L))) + 0.01 * np.trace(
        np.linalg.solve(K, np.eye(len(y))))


case("gp_lml_inv_det", gp_lml_inv_det, GP_PARAMS, GP_X, GP_Y)
case("gplvm_latents_and_kernel", gplvm_objective, normal(5, 1), np.array([0.0, -1.0, 0.1, 0.0]),
     normal(5, 2), argnums=(0, 1))
case("gp_atleast_2d_diagonal_trace", gp_atleast_2d_inputs, GP_PARAMS, GP_X[:, 0], GP_Y)

# ----------------------------------------------------------------------------- more conv forms


def im2col_conv(inputs, filters):
    """Conv by gathering patches with broadcast index arrays (im2col), then a matmul."""
    b, c, h, w = inputs.shape
    o, _, kh, kw = filters.shape
    oh, ow = h - kh + 1, w - kw + 1
    i0 = np.repeat(np.arange(kh), kw)
    j0 = np.tile(np.arange(kw), kh)
    i1 = np.repeat(np.arange(oh), ow)
    j1 = np.tile(np.arange(ow), oh)
    ii = i0[:, None] + i1[None, :]
    jj = j0[:, None] + j1[None, :]
    cols = inputs[:, :, ii, jj]                      # (b, c, kh*kw, oh*ow)
    cols = cols.reshape(b, c * kh * kw, oh * ow)
    out = filters.reshape(o, -1) @ cols
    return out.reshape(b, o, oh, ow)


def conv_same_pad(inputs, filters):
    kh = filters.shape[2]
    padded = np.pad(inputs, ((0, 0), (0, 0), (kh // 2, kh // 2), (kh // 2, kh // 2)))
    return conv_valid(padded, filters)


def avgpool_mean(inputs):
    b, c, h, w = inputs.shape
    return inputs.reshape(b, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


case("convnet_im2col_fancy_index", lambda v, x, t: convnet_loss(v, x, t, im2col_conv),
     normal(CONV.N, scale=0.5), IMAGES, IMG_TARGETS)
case("convnet_filters_same_padding_avgpool",
     lambda f, x: np.sum(avgpool_mean(np.tanh(conv_same_pad(x, f))) ** 2), normal(2, 1, 3, 3),
     IMAGES[:2, :, :4, :4])

# ----------------------------------------------------------------------------- more RNN, ODE forms


def rnn_stacked_outputs(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    return -np.sum(np.stack(logprobs[1:]) * targets) / inputs.shape[1]


def ode_time_augmented(y, t, params):
    """The MLP also sees the time: a column `t * ones` concatenated to the state."""
    inp = np.concatenate([y, t * np.ones((y.shape[0], 1))], axis=1)
    return nn_predict(inp, t, params)


def ode_time_augmented_loss(params, y0, ts, targets):
    return np.mean((rk4_odeint(ode_time_augmented, y0, ts, params) - targets) ** 2)


case("rnn_np_stack_of_list_outputs", rnn_stacked_outputs, RNN_P, SEQ_IN, SEQ_OUT)
case("ode_net_time_augmented_concatenate", ode_time_augmented_loss,
     init_random_params(0.5, [3, 4, 2], np.random.RandomState(11)), np.array([[1.0, 0.0]]),
     ODE_TS, ODE_TRUE)

# ----------------------------------------------------------------------------- more fluid forms


def wing_hard_mask(init_vx, occlusion, steps=2):
    """wing.py zeroes the velocity inside the wing with a boolean-mask write each step."""
    vx = init_vx.copy()
    vy = np.zeros_like(vx)
    for t in range(steps):
        vx = advect(vx, vx, vy)
        vy = advect(vy, vx, vy)
        vx[occlusion] = 0.0
        vy[occlusion] = 0.0
        vx, vy = project(vx, vy, iters=3)
    return np.sum(vy[:, -2:]) - np.mean(vx ** 2)


case("wing_boolean_mask_writes_wrt_init_velocity", wing_hard_mask,
     0.5 + normal(FLUID, FLUID, scale=0.2), WING_OCC)

# ----------------------------------------------------------------------------- more JAX forms


def loss_with_aux(params, batch):
    inputs, targets = batch
    preds = jax_predict(params, inputs)
    acc = np.mean(np.argmax(preds, axis=1) == np.argmax(targets, axis=1))
    return -np.mean(np.sum(preds * targets, axis=1)), acc


def gradient_penalty_with_aux(params, batch):
    """A loss plus the squared norm of its own gradient (from `value_and_grad(has_aux=True)`)."""
    (value, acc), g = tracenp.value_and_grad(loss_with_aux, has_aux=True)(params, batch)
    return value + 0.1 * sum(np.sum(dw ** 2) + np.sum(db ** 2) for dw, db in g) + 0.0 * acc


def ilqr_linearization_cost(U, x0, dt=0.1):
    """control.py linearizes the dynamics along the rollout with `jacobian`; penalize the
    linearization's sensitivity to the controls."""
    def dynamics(x, u):
        return np.array([x[0] + dt * x[1], x[1] + dt * (-np.sin(x[0]) + u[0])])
    x = x0
    total = 0.0
    for u in U:
        A = tracenp.jacobian(dynamics, argnums=0)(x, u)
        total = total + np.sum(A ** 2)
        x = dynamics(x, u)
    return total + np.sum(x ** 2)


def dp_noise_drawn_inside(params, batch, seed, l2_norm_clip=0.5):
    """DP-SGD with the Gaussian noise drawn inside from a seeded RandomState."""
    rs = np.random.RandomState(seed)
    noise = [(rs.randn(*w.shape), rs.randn(*b.shape)) for w, b in params]
    return dp_sgd_validation_loss(params, batch, noise, batch)


case("jax_mnist_gradient_penalty_has_aux", gradient_penalty_with_aux, MNIST_P, BATCH)
case("control_jacobian_of_dynamics_in_loop", ilqr_linearization_cost, normal(4, 1),
     np.array([0.3, 0.0]))
case("dp_sgd_noise_from_seeded_randomstate", dp_noise_drawn_inside, DP_P,
     (INPUTS[:3], TARGETS[:3]), 1)

# ----------------------------------------------------------------------------- higher derivatives


def tanh_nth(n):
    f = tanh_exp
    for _ in range(n):
        f = elementwise_grad(f)
    return f


case("tanh_fourth_derivative", lambda x: np.sum(COEF * tanh_nth(4)(x)), XS)
case("sin_hessian_by_jacobian_of_grad",
     lambda x: np.sum(tracenp.jacobian(tracenp.grad(lambda y: np.sum(np.sin(y) * y)))(x)), XS)
case("grad_of_python_float_lambda_chain",
     lambda x: tracenp.grad(lambda y: tracenp.grad(lambda z: z ** 3 * np.exp(z))(y) * y)(x), 0.4)


# ----------------------------------------------------------------------------- more model forms


def full_rank_advi(params, eps, D=3):
    """ADVI with a full-rank Gaussian: the Cholesky factor filled from a vector by
    `np.tril_indices`, its diagonal exponentiated through `np.diag_indices`."""
    mean = params[:D]
    L = np.zeros((D, D))
    L[np.tril_indices(D)] = params[D:]
    L[np.diag_indices(D)] = np.exp(L[np.diag_indices(D)])
    samples = mean + eps @ L.T
    logp = -0.5 * np.sum(samples ** 2 * np.array([1.0, 2.0, 0.5]), axis=1)
    entropy = np.sum(np.log(np.diag(L)))
    return -(np.mean(logp) + entropy)


def gmm_vectorized(params, data):
    """The GMM with every component at once: batched Cholesky, solve and log-diagonals."""
    log_w = log_normalize(params["log proportions"])
    means, tri = params["means"], params["lower triangles"]
    covs = np.matmul(np.swapaxes(tri, -1, -2), tri) + 1e-3 * np.eye(data.shape[1])
    L = np.linalg.cholesky(covs)
    diffs = data[None, :, :] - means[:, None, :]
    z = np.linalg.solve(L, np.swapaxes(diffs, -1, -2))
    half_logdet = np.sum(np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
    lls = (-0.5 * np.sum(z ** 2, axis=1) - half_logdet[:, None]
           - 0.5 * data.shape[1] * np.log(2 * np.pi))
    return -np.sum(logsumexp(log_w[:, None] + lls, axis=0))


def multi_output_gp(params, x, Y):
    """A coregionalized GP: the joint covariance `np.kron(B, K)` over stacked outputs."""
    B = np.outer(params["w"], params["w"]) + np.diag(np.exp(params["kappa"]))
    K = rbf_covariance(params["k"], x, x)
    C = np.kron(B, K) + 0.1 * np.eye(B.shape[0] * len(x))
    y = Y.T.ravel()
    sign, logdet = np.linalg.slogdet(C)
    return 0.5 * y @ np.linalg.solve(C, y) + 0.5 * logdet


def deconvolution_1d(x, y, kernel, lam=0.1):
    """Fit a signal whose blur by `np.convolve(mode='same')` matches, with a smoothness
    penalty by `np.diff`."""
    return np.sum((np.convolve(x, kernel, mode="same") - y) ** 2) + lam * np.sum(np.diff(x) ** 2)


def spectral_loss(x, target):
    """Match the power spectrum (`np.fft.rfft`) and the signal."""
    X = np.fft.rfft(x)
    T = np.fft.rfft(target)
    return np.sum((np.abs(X) ** 2 - np.abs(T) ** 2) ** 2) / len(x) + np.sum((x - target) ** 2)


def bidirectional_rnn(params, inputs):
    """Forward over `inputs`, backward over `inputs[::-1]`, states zipped with `reversed`."""
    def run(W, U, xs):
        h = np.zeros((xs.shape[1], W.shape[1]))
        hs = []
        for x in xs:
            h = np.tanh(np.dot(x, W) + np.dot(h, U))
            hs.append(h)
        return hs
    fwd = run(params["Wf"], params["Uf"], inputs)
    bwd = run(params["Wb"], params["Ub"], inputs[::-1])
    out = 0.0
    for hf, hb in zip(fwd, reversed(bwd)):
        out = out + np.sum(np.concatenate([hf, hb], axis=1) @ params["V"])
    return out ** 2


def time_major_dot3(W, inputs):
    """`np.dot` of a (time, batch, features) array with a matrix."""
    return np.sum(np.tanh(np.dot(inputs, W)) ** 2)


def ica_negative_det(W, X):
    sign, logdet = np.linalg.slogdet(W)
    S = np.dot(X, W.T)
    return -(logdet - np.mean(np.sum(np.logaddexp(S, -S), axis=1)))


def whitened_projection(v, X):
    """ICA's whitening by `eigh` of the covariance, then a projection's kurtosis."""
    Xc = X - X.mean(axis=0)
    d, E = np.linalg.eigh(np.cov(Xc, rowvar=False))
    Z = Xc @ E @ np.diag(1.0 / np.sqrt(d)) @ E.T
    w = v / np.linalg.norm(v)
    s = Z @ w
    return -np.abs(np.mean(s ** 4) - 3)


def norms_of_params(W):
    return (np.sum(np.linalg.norm(W, axis=1)) + np.linalg.norm(W, "fro")
            + np.linalg.norm(W, ord=2) + np.einsum("ii->", W @ W.T))


def matrix_chain(A, v):
    return v @ np.linalg.matrix_power(A, 3) @ v + np.sum(np.linalg.multi_dot([A, A.T, A]))


def python_sum_over_rows(W, X):
    """Builtin `sum` iterating a 2-D array's rows; `max` of two traced scalars by np.maximum."""
    h = np.tanh(X @ W)
    return np.sum(sum(h) ** 2) + np.sum(sum(h.T))


ADVI_EPS = normal(6, 3)
case("advi_full_rank_tril_indices_writes", full_rank_advi, normal(9, scale=0.3), ADVI_EPS)
case("gmm_batched_cholesky_solve_diagonal", gmm_vectorized, init_gmm_params(2, 2, 0.5),
     normal(6, 2))
case("gp_coregionalized_kron",
     multi_output_gp, {"w": normal(2), "kappa": normal(2, scale=0.2), "k": np.array([0.0, -0.5])},
     np.linspace(-1, 1, 4)[:, None], normal(4, 2))
case("deconvolution_np_convolve_same_diff", deconvolution_1d, normal(8), normal(8),
     np.array([0.25, 0.5, 0.25]))
case("deconvolution_wrt_kernel", lambda k, x, y: deconvolution_1d(x, y, k), np.array(
    [0.2, 0.5, 0.3]), normal(8), normal(8))
case("np_convolve_full_and_valid",
     lambda x, k: np.sum(np.convolve(x, k) ** 2) + np.sum(np.convolve(x, k, "valid") ** 3),
     normal(7), normal(3), argnums=(0, 1))
case("spectral_rfft_abs_power", spectral_loss, normal(8), normal(8))
case("bidirectional_rnn_reversed_slices", bidirectional_rnn,
     {"Wf": normal(3, 2, scale=0.5), "Uf": normal(2, 2, scale=0.5), "Wb": normal(3, 2, scale=0.5),
      "Ub": normal(2, 2, scale=0.5), "V": normal(4, 1, scale=0.5)}, SEQ_IN)
case("np_dot_time_major_3d", time_major_dot3, normal(3, 2), SEQ_IN)
case("ica_slogdet_negative_determinant", ica_negative_det,
     np.array([[0.0, 1.0, 0.2], [1.0, 0.1, 0.0], [0.3, 0.0, 1.0]]), ICA_X)
case("ica_eigh_whitening_kurtosis", whitened_projection, np.array([1.0, 0.5, -0.3]),
     np.abs(normal(20, 3)) ** 1.5)
case("ica_eigh_whitening_wrt_data", lambda X, v: whitened_projection(v, X), normal(10, 2) ** 3,
     np.array([1.0, 0.5]))
case("norms_rows_fro_spectral_trace", norms_of_params, normal(3, 4))
case("matrix_power_multi_dot", matrix_chain, normal(3, 3, scale=0.7), normal(3), argnums=(0, 1))
case("builtin_sum_over_rows", python_sum_over_rows, normal(3, 4), normal(5, 3))


# ----------------------------------------------------------------------------- layer classes


class conv_layer:
    """convnet.py's layers: each builds its weights into a parser and runs a forward pass."""

    def __init__(self, kernel_shape, num_filters):
        self.kernel_shape = kernel_shape
        self.num_filters = num_filters

    def build_weights_dict(self, input_shape):
        self.parser = WeightsParser()
        self.parser.add_weights("params", (input_shape[0], self.num_filters) + self.kernel_shape)
        self.parser.add_weights("biases", (1, self.num_filters, 1, 1))
        output_shape = (self.num_filters,) + tuple(
            s - k + 1 for s, k in zip(input_shape[1:], self.kernel_shape))
        return self.parser.N, output_shape

    def forward_pass(self, inputs, param_vector):
        params = self.parser.get(param_vector, "params")
        biases = self.parser.get(param_vector, "biases")
        conv = conv_valid(inputs, np.swapaxes(params, 0, 1))
        return np.tanh(conv + biases)


class full_layer:
    def __init__(self, size):
        self.size = size

    def build_weights_dict(self, input_shape):
        input_size = int(np.prod(input_shape, dtype=int))
        self.parser = WeightsParser()
        self.parser.add_weights("params", (input_size, self.size))
        self.parser.add_weights("biases", (self.size,))
        return self.parser.N, (self.size,)

    def forward_pass(self, inputs, param_vector):
        params = self.parser.get(param_vector, "params")
        biases = self.parser.get(param_vector, "biases")
        if inputs.ndim > 2:
            inputs = inputs.reshape((inputs.shape[0], np.prod(inputs.shape[1:])))
        return self.nonlinearity(np.dot(inputs[:, :], params) + biases)


class tanh_layer(full_layer):
    def nonlinearity(self, x):
        return np.tanh(x)


class softmax_layer(full_layer):
    def nonlinearity(self, x):
        return x - logsumexp(x, axis=1, keepdims=True)


def make_nn_funs(input_shape, layer_specs, L2_reg):
    parser = WeightsParser()
    cur_shape = input_shape
    for layer in layer_specs:
        N_weights, cur_shape = layer.build_weights_dict(cur_shape)
        parser.add_weights(layer, (N_weights,))

    def predictions(W_vect, inputs):
        cur_units = inputs
        for layer in layer_specs:
            cur_weights = parser.get(W_vect, layer)
            cur_units = layer.forward_pass(cur_units, cur_weights)
        return cur_units

    def loss(W_vect, X, T):
        log_prior = -L2_reg * np.dot(W_vect, W_vect)
        log_lik = np.sum(predictions(W_vect, X) * T)
        return -log_prior - log_lik

    return parser.N, predictions, loss


LAYERS = [conv_layer((3, 3), 2), tanh_layer(4), softmax_layer(3)]
N_CONV_WEIGHTS, _, CONV_LOSS = make_nn_funs((1, 5, 5), LAYERS, 0.01)
case("convnet_layer_classes_parser_keyed_by_layer", CONV_LOSS, normal(N_CONV_WEIGHTS, scale=0.4),
     IMAGES[:, :, :5, :5], IMG_TARGETS)

# ----------------------------------------------------------------------------- tracenp gets wrong

NOISE_X = np.linspace(-1, 1, 5)
NOISE_Y = np.sin(3 * NOISE_X)


def gp_noise_fill_diagonal(log_noise, y):
    """Only the noise is learned: the kernel of the fixed inputs is a NumPy array, and the
    traced noise goes onto its diagonal with `np.fill_diagonal`."""
    K = np.exp(-0.5 * np.subtract.outer(NOISE_X, NOISE_X) ** 2 / 0.3 ** 2)
    np.fill_diagonal(K, K.diagonal() + np.exp(log_noise))
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * logdet


def gp_noise_diag_indices(log_noise, y):
    """The same with sklearn's `K[np.diag_indices_from(K)] += alpha`."""
    K = np.exp(-0.5 * np.subtract.outer(NOISE_X, NOISE_X) ** 2 / 0.3 ** 2)
    K[np.diag_indices_from(K)] += np.exp(log_noise)
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * logdet


def svi_scipy_norm(params, eps):
    """black_box_svi.py's funnel with `scipy.stats.norm.logpdf`, as a NumPy port imports it."""
    from scipy.stats import norm
    mean, log_std = params[:2], params[2:]
    x = eps * np.exp(log_std) + mean
    logp = norm.logpdf(x[:, 1], 0, 1.35) + norm.logpdf(x[:, 0], 0, np.exp(x[:, 1]))
    return -(np.sum(log_std) + np.mean(logp))


def negbin_loglike(r, p, x):
    """negative_binomial_maxlike.py's log-likelihood with `scipy.special.gammaln`."""
    from scipy.special import gammaln
    return np.sum(gammaln(r + x) - gammaln(r) - gammaln(x + 1) + x * np.log(p)
                  + r * np.log(1 - p))


def gpr_scipy_linalg(params, x, y):
    """JAX's gaussian_process_regression.py with `scipy.linalg.cholesky(lower=True)` and
    `solve_triangular`, as a NumPy port writes it."""
    import scipy.linalg
    amp, ls, noise = softplus(params["amplitude"]), softplus(params["lengthscale"]), \
        softplus(params["noise"])
    x = x / ls
    K = amp * np.exp(-np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)) \
        + (noise + 1e-6) * np.eye(len(y))
    chol = scipy.linalg.cholesky(K, lower=True)
    kinvy = scipy.linalg.solve_triangular(chol.T, scipy.linalg.solve_triangular(chol, y,
                                                                                 lower=True))
    return 0.5 * y @ kinvy + np.sum(np.log(np.diag(chol)))


case("gp_noise_only_fill_diagonal_of_constant_kernel", gp_noise_fill_diagonal,
     np.float64(-1.0), NOISE_Y)
case("gp_noise_only_diag_indices_iadd_of_constant_kernel", gp_noise_diag_indices,
     np.float64(-1.0), NOISE_Y)
case("bbsvi_scipy_stats_norm_logpdf", svi_scipy_norm, np.array([-0.5, 0.3, -1.0, -0.5]), EPS)
case("negbin_scipy_special_gammaln", lambda r, x: negbin_loglike(r, 0.4, x), np.float64(2.5),
     np.array([0.0, 3.0, 1.0, 5.0, 2.0]))
case("gpr_scipy_linalg_cholesky_solve_triangular", gpr_scipy_linalg, GPR_P, GPR_X, GPR_Y)


@pytest.mark.parametrize("name", [
    pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=v[3])) if v[3] else k
    for k, v in CASES.items()])
def test_value_and_gradient_match_numpy_and_finite_differences(name):
    fn, args, argnums, _ = CASES[name]
    check_grads(fn, args, argnums)


def test_there_are_many_cases():
    assert len(CASES) >= 60


def test_scipy_minimize_takes_tracenp_gradients():
    """gaussian_process.py and bayesian_optimization.py hand `grad(objective)` to
    `scipy.optimize.minimize`; `jac=True` takes `value_and_grad`, plain or jitted."""
    from scipy.optimize import minimize

    def objective(params):
        return -gp_log_marginal_likelihood(params, GP_X, GP_Y)

    want = minimize(objective, GP_PARAMS, method="BFGS")
    for kwargs in ({"fun": objective, "jac": tracenp.grad(objective)},
                   {"fun": tracenp.value_and_grad(objective), "jac": True},
                   {"fun": tracenp.jit(tracenp.value_and_grad(objective)), "jac": True}):
        got = minimize(x0=GP_PARAMS, method="BFGS", **kwargs)
        assert got.success
        np.testing.assert_allclose(got.fun, want.fun, rtol=1e-6)


def sin_taylor_until_small(x):
    """sinusoid.py's Taylor series of sin, summed while the last term is not yet small."""
    ans = currterm = x
    i = 0
    while np.abs(currterm) > 0.001:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        i += 1
    return ans


def test_sinusoid_taylor_while_loop_steers_jit_and_is_refused_by_grad():
    """The loop count depends on `x`: `jit` makes the Python float static and gives NumPy's
    value; `grad` differentiates `x`, so it cannot, and names the `while`."""
    want = sin_taylor_until_small(0.7)
    np.testing.assert_allclose(tracenp.jit(sin_taylor_until_small)(0.7), want, rtol=1e-12)
    with pytest.raises(tracenp.ConcretizationError, match="while"):
        tracenp.grad(sin_taylor_until_small)(0.7)
