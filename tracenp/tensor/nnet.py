"""Neural-network helpers of Theano's `tensor.nnet`, written in NumPy.

Each is a `@symbolic` composition: on symbolic variables it records one call
(printed under its name), on arrays or tracers it computes directly.
"""

from __future__ import annotations

import numpy as np

from .variable import symbolic


@symbolic("sigmoid")
def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return 1 / (1 + np.exp(-x))


@symbolic("hard_sigmoid")
def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1): a piecewise-linear sigmoid."""
    return np.clip(0.2 * x + 0.5, 0, 1)


@symbolic("softplus")
def softplus(x):
    """log(1 + exp(x)), computed without overflow."""
    return np.logaddexp(0, x)


@symbolic("relu")
def relu(x, alpha=0):
    """max(x, 0); with `alpha`, a leaky ReLU: x where x > 0, else alpha * x."""
    if np.isscalar(alpha) and alpha == 0:
        return np.maximum(x, 0)
    return np.where(x > 0, x, alpha * x)


@symbolic("softmax")
def softmax(x, axis: int = -1):
    """exp(x) / sum(exp(x)) along `axis` (rows of a matrix), shifted by the max for stability."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@symbolic("logsoftmax")
def logsoftmax(x, axis: int = -1):
    """log(softmax(x)) along `axis`, without forming softmax."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@symbolic("binary_crossentropy")
def binary_crossentropy(output, target):
    """-(target log(output) + (1 - target) log(1 - output)), elementwise."""
    return -(target * np.log(output) + (1 - target) * np.log1p(-output))


@symbolic("categorical_crossentropy")
def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true_dist log(coding_dist)) per row; integer `true_dist` holds class indices."""
    true_dist_dtype = np.asarray(true_dist).dtype if not hasattr(true_dist, "dtype") \
        else true_dist.dtype
    if np.issubdtype(true_dist_dtype, np.integer):
        rows = np.arange(np.shape(coding_dist)[0])
        return -np.log(coding_dist[rows, true_dist])
    return -np.sum(true_dist * np.log(coding_dist), axis=-1)
