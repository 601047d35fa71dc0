"""Corpus, hunt V: NumPy code as real projects organise it, the structure around the math.
Module-level tables and constants read by jitted functions (gamma and tone-curve lookup tables
`LUT[img]`, segmentation palettes `COLORS[labels]`, S-boxes by `.take`, popcount tables, DNA
scoring matrices `S[a, b]`, stencils and Sobel kernels, kernels as default arguments,
finite-difference coefficients keyed by order, Abramowitz-Stegun coefficients for `np.polyval`,
Chebyshev and power-series coefficients, `np.poly1d`/`Polynomial`/`Chebyshev` objects, Butcher
tableaux of RK4 and Dormand-Prince, Gauss-Legendre and Gauss-Hermite nodes and weights, embedding
and positional tables indexed by token ids, `W[i]` in closures built by factory functions,
`X.dot(w)` with a global design matrix, JPEG's DCT matrix, quantisation table and zigzag order,
ImageNet mean and std, colour matrices, calibration curves for `np.interp`, tax brackets, Markov
transition matrices, inverse-CDF tables for `np.searchsorted`, causal masks sliced to length,
NumPy scalar constants; and arrays one step away from a global: in a dict of pretrained weights,
a list of layers, a tuple from `leggauss`, a `config` module, a global object, a class attribute
read as `Tables.NAME`, a `functools.partial` keyword, a static model object), helpers as
projects call them (helpers calling helpers, `functools.partial` jitted directly and inside,
decorators with `functools.wraps` and decorator factories, registries filled by decorators,
activation tables of lambdas selected by a static string or a string argument, tuples of names,
`enum.Enum`/`IntEnum`/`IntFlag` flags, string modes, `functools.reduce` compositions, recursion on
static sizes (a radix-2 FFT, Haar levels), minibatch generators, lambdas with default arguments,
static and class methods, `functools.lru_cache` tables, `np.apply_along_axis` of helpers),
parameter containers (dataclasses with `replace` and `__post_init__`, frozen configs,
NamedTuples with `_replace`, properties and methods, dicts written in place, nested dicts,
`SimpleNamespace`, an `AttrDict` dict subclass), classes (jitted `forward`, `backward` and
`__call__` methods storing caches and masks on `self`, sequential models holding layer lists and
dicts, class-level constant arrays read as `self.TABLE[idx]` and `type(self).TABLE`, inheritance
through `super()` chains and template methods, properties and `functools.cached_property`,
`__slots__`, class-method constructors, scikit-learn-style `fit`/`transform` with `svd_flip`,
dataclass and NamedTuple instances with jitted methods, methods calling jitted methods,
`@tracenp.jit` and `@tracenp.jit(static_argnames=...)` in a class body, operator-overloading
value classes (quaternions, dual numbers) used inside a trace), optimizers as classes (SGD with a
decaying rate, momentum, Nesterov, AdaGrad, RMSProp and Adam with lazily created state dicts and
step counts as "Deep Learning from Scratch" writes them, an AdamW holding its parameters),
simulation classes with a `step` method (bouncing particles, spring chains, an SIR model,
Conway's life, a heat rod), a Kalman filter class whose `batch_filter` calls `predict` and
`update` (jitted or not), RNN, LSTM and GRU cell classes writing their gradients in place, batch
norm with a train/eval mode string and running statistics, dropout with its draws passed in and
drawing from `self.rng`, and gradients of losses that read global tables, tableaux and
quadrature nodes, partials, NamedTuple and dataclass parameters and model objects built inside
the loss.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and in
the arguments it writes in place. Classes with jitted methods run the same scenario as the plain
class and must end with the same attributes (recursively) and no tracer left in them. Writes
into global, closure, default-argument and class-attribute arrays (`out=`, `np.copyto`, `.fill`,
views, `np.add.at`), traced values kept in global lists, global objects, `self.history`, module
globals (`global BEST`) and closure cells (`nonlocal avg`), Python numbers changed in a module
(`CALLS += 1`), user objects returned holding traced arrays, forms whose Python depends on values
and results sized by the data raise a named error, leave the globals as they were, and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import functools
import operator
import types
from typing import NamedTuple

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from tracenp.trace import current_trace
from tracenp.tracer import Tracer
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_grad_hunt_r import check_grads
from test_ops import assert_same

_RNG = np.random.default_rng(20260)


class _Xfail(tuple):
    """A case tracenp gets wrong, kept as `(fn, static, make_args)` with the reason."""

    def __new__(cls, reason, *case):
        self = super().__new__(cls, case)
        self.reason = reason
        return self


def _names(table):
    return [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=v.reason))
            if isinstance(v, _Xfail) else k for k, v in table.items()]


def _u8(seed, *shape):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


# ------------------------------------------------------------------- module-level tables


# pyimagesearch's adjust_gamma: a table built once, applied by cv2.LUT (here, by indexing)
GAMMA_LUT = np.array([((i / 255.0) ** (1.0 / 2.2)) * 255
                      for i in np.arange(0, 256)]).astype("uint8")

# PASCAL VOC's colour map, as the segmentation repos decode label masks with it
VOC_COLORMAP = np.array([[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128],
                         [128, 0, 128], [0, 128, 128], [128, 128, 128], [64, 0, 0], [192, 0, 0],
                         [64, 128, 0]], dtype=np.uint8)
N_VOC = len(VOC_COLORMAP)


def adjust_gamma(image):
    return GAMMA_LUT[image]


def decode_segmap(label_mask):
    return VOC_COLORMAP[label_mask]


def decode_segmap_channels(label_mask, plot=False):
    label_colours = VOC_COLORMAP
    r = label_mask.copy()
    g = label_mask.copy()
    b = label_mask.copy()
    for ll in range(0, N_VOC):
        r[label_mask == ll] = label_colours[ll, 0]
        g[label_mask == ll] = label_colours[ll, 1]
        b[label_mask == ll] = label_colours[ll, 2]
    rgb = np.zeros((label_mask.shape[0], label_mask.shape[1], 3))
    rgb[:, :, 0] = r / 255.0
    rgb[:, :, 1] = g / 255.0
    rgb[:, :, 2] = b / 255.0
    return rgb


def overlay_mask(image, mask, alpha=0.4):
    color = VOC_COLORMAP[mask].astype(np.float32)
    out = image.astype(np.float32) * (1 - alpha) + color * alpha
    return np.clip(out, 0, 255).astype(np.uint8)


LAPLACIAN_5PT = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
SOBEL_Y = SOBEL_X.T


def convolve3x3(img, kernel):
    h, w = img.shape
    out = np.zeros((h - 2, w - 2))
    for i in range(3):
        for j in range(3):
            out += kernel[i, j] * img[i:h - 2 + i, j:w - 2 + j]
    return out


def sobel_magnitude(img):
    gx = convolve3x3(img, SOBEL_X)
    gy = convolve3x3(img, SOBEL_Y)
    return np.hypot(gx, gy), np.arctan2(gy, gx)


def diffuse_stencil(u, alpha=0.1, steps=3):
    for _ in range(steps):
        u = u.copy()
        u[1:-1, 1:-1] += alpha * convolve3x3(u, LAPLACIAN_5PT)
    return u


def correlate_windows(img, kernel=SOBEL_X):
    win = sliding_window_view(img, kernel.shape)
    return np.einsum("ijkl,kl->ij", win, kernel)


FD_COEFFS = {2: np.array([-0.5, 0.0, 0.5]),
             4: np.array([1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12]),
             6: np.array([-1 / 60, 3 / 20, -3 / 4, 0.0, 3 / 4, -3 / 20, 1 / 60])}


def central_derivative(f, h, order=4):
    c = FD_COEFFS[order]
    k = len(c) // 2
    n = f.shape[-1]
    return sum(c[j] * f[..., j:n - 2 * k + j] for j in range(len(c))) / h


# Abramowitz and Stegun 7.1.26, coefficients for np.polyval (highest power first)
ERF_P = 0.3275911
ERF_A = np.array([1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592, 0.0])


def erf_as(x):
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + ERF_P * x)
    y = 1.0 - np.polyval(ERF_A, t) * np.exp(-x * x)
    return sign * y


# a thermistor calibration fit, kept as polyfit coefficients
THERMISTOR_FIT = np.array([-2.1e-4, 0.0183, -0.642, 14.9, -42.5])


def counts_to_celsius(adc, vref=3.3, bits=12):
    volts = adc * vref / (2 ** bits - 1)
    return np.polyval(THERMISTOR_FIT, volts * 10)


CHEB_COEFS = np.array([1.2660658777520082, 1.1303182079849703, 0.27149533953407656,
                       0.044336849848663804, 0.0054742404420936785, 0.0005429263119139438])


def exp_chebyshev(x):
    return np.polynomial.chebyshev.chebval(x, CHEB_COEFS), np.polynomial.polynomial.polyval(
        x, 1 / np.cumprod(np.r_[1, np.arange(1, 8)]))


RK4_A = np.array([[0.0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]])
RK4_B = np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6])
RK4_C = np.array([0.0, 0.5, 0.5, 1.0])


def lotka_volterra(t, y, a=1.5, b=1.0, c=3.0, d=1.0):
    x, z = y
    return np.array([a * x - b * x * z, -c * z + d * x * z])


def explicit_rk(f, t, y, h, A=RK4_A, b=RK4_B, c=RK4_C):
    s = len(b)
    k = np.zeros((s,) + y.shape)
    for i in range(s):
        yi = y + h * np.tensordot(A[i, :i], k[:i], axes=1)
        k[i] = f(t + c[i] * h, yi)
    return y + h * np.tensordot(b, k, axes=1)


def integrate_lotka_volterra(y0, h=0.05, steps=6):
    t = 0.0
    y = y0
    for _ in range(steps):
        y = explicit_rk(lotka_volterra, t, y, h)
        t += h
    return y


DP_C = np.array([0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1])
DP_A = np.array([
    [0, 0, 0, 0, 0, 0],
    [1 / 5, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]])
DP_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
DP_E = np.array([-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
SPRING_K = 4.0


def damped_springs(t, y):
    q, p = y[:len(y) // 2], y[len(y) // 2:]
    return np.concatenate([p, -SPRING_K * q - 0.1 * p + np.sin(t)])


def dopri_step(fun, t, y, h):
    K = np.empty((7, y.size))
    K[0] = fun(t, y)
    for s in range(1, 7):
        dy = np.dot(K[:s].T, DP_A[s, :s]) * h
        K[s] = fun(t + DP_C[s] * h, y + dy)
    y_new = y + h * np.dot(K.T, DP_B)
    err = h * np.dot(K.T, DP_E)
    scale = 1e-6 + 1e-3 * np.maximum(np.abs(y), np.abs(y_new))
    return y_new, np.linalg.norm(err / scale) / np.sqrt(y.size)


def dopri_fixed(y0, h=0.1, steps=4):
    t, y, errs = 0.0, y0, []
    for _ in range(steps):
        y, e = dopri_step(damped_springs, t, y, h)
        errs.append(e)
        t += h
    return y, np.array(errs)


GL_NODES, GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
GH_NODES, GH_WEIGHTS = np.polynomial.hermite.hermgauss(20)


def gauss_legendre(f, a, b):
    x = 0.5 * (b - a)[..., None] * GL_NODES + 0.5 * (b + a)[..., None]
    return 0.5 * (b - a) * (f(x) @ GL_WEIGHTS)


def integrate_intervals(a, b):
    return gauss_legendre(np.exp, a, b), gauss_legendre(lambda x: np.sin(x) ** 2, a, b)


def expected_call_payoff(mu, sigma, strike):
    x = mu[:, None] + np.sqrt(2.0) * sigma[:, None] * GH_NODES
    payoff = np.maximum(np.exp(x) - strike[:, None], 0.0)
    return payoff @ GH_WEIGHTS / np.sqrt(np.pi)


VOCAB, DIM = 50, 8
EMBEDDINGS = _RNG.standard_normal((VOCAB, DIM)).astype(np.float32)
W_IN = _RNG.standard_normal((VOCAB, DIM)) * 0.1
W_OUT = _RNG.standard_normal((VOCAB, DIM)) * 0.1


def sinusoid_table(n_position, d_hid):
    pos = np.arange(n_position)[:, None]
    i = np.arange(d_hid)[None, :]
    angle = pos / np.power(10000, 2 * (i // 2) / d_hid)
    table = np.zeros((n_position, d_hid))
    table[:, 0::2] = np.sin(angle[:, 0::2])
    table[:, 1::2] = np.cos(angle[:, 1::2])
    return table


POS_TABLE = sinusoid_table(64, DIM)


def bag_of_embeddings(token_ids):
    return EMBEDDINGS[token_ids].mean(axis=1)


def embed_with_positions(token_ids):
    x = EMBEDDINGS[token_ids] * np.sqrt(DIM)
    return x + POS_TABLE[:token_ids.shape[1]]


def skipgram_neg_loss(center, context, negatives):
    v = W_IN[center]
    pos = np.sum(v * W_OUT[context], axis=-1)
    neg = np.einsum("nd,nkd->nk", v, W_OUT[negatives])
    return -(np.log(1 / (1 + np.exp(-pos))) + np.log(1 / (1 + np.exp(neg))).sum(-1)).mean()


X_TRAIN = _RNG.standard_normal((30, 5))
Y_TRAIN = X_TRAIN @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * _RNG.standard_normal(30)


def candidate_mse(W):
    resid = X_TRAIN.dot(W.T) - Y_TRAIN[:, None]
    return (resid ** 2).mean(axis=0)


def gd_on_global_data(w, lr=0.05, n_iter=15):
    for _ in range(n_iter):
        grad = X_TRAIN.T.dot(X_TRAIN.dot(w) - Y_TRAIN[:, None]) / len(Y_TRAIN)
        w = w - lr * grad
    return w


def make_scorer(W, b):
    def score(item_ids, user_vec):
        return W[item_ids] @ user_vec + b[item_ids]
    return score


item_score = make_scorer(_RNG.standard_normal((20, 4)), _RNG.standard_normal(20))


def make_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((m, n)) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
    bs = [np.full(n, 0.1) for n in sizes[1:]]

    def forward(x):
        for W, b in zip(Ws[:-1], bs[:-1]):
            x = np.tanh(x @ W + b)
        return x @ Ws[-1] + bs[-1]
    return forward


PRETRAINED_MLP = make_mlp([3, 8, 8, 2])


def mlp_predict(x):
    logits = PRETRAINED_MLP(x)
    return logits.argmax(-1), logits


def make_gaussian_blur(sigma, radius=2):
    x = np.arange(-radius, radius + 1)
    k = np.exp(-x ** 2 / (2 * sigma ** 2))
    k /= k.sum()

    def blur(img):
        p = np.pad(img, radius, mode="edge")
        h, w = img.shape
        rows = sum(k[i] * p[i:i + h, :] for i in range(len(k)))
        return sum(k[j] * rows[:, j:j + w] for j in range(len(k)))
    return blur


blur_1 = make_gaussian_blur(1.0)


CLASS_WEIGHTS = np.array([1.0, 5.0, 2.0])


def weighted_nll(logits, y):
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    w = CLASS_WEIGHTS[y]
    return -(w * logp[np.arange(len(y)), y]).sum() / w.sum()


POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming_matrix(a, b):
    return POPCOUNT8[np.bitwise_xor(a[:, None, :], b[None, :, :])].sum(axis=-1)


SBOX = np.random.default_rng(3).permutation(256).astype(np.uint8)


def substitute_rounds(state, key, rounds=3):
    for _ in range(rounds):
        state = SBOX.take(state ^ key)
        state = np.roll(state, 1, axis=-1)
    return state


DNA_SCORE = np.array([[5, -4, -4, -4], [-4, 5, -4, -4], [-4, -4, 5, -4], [-4, -4, -4, 5]])


def ungapped_scores(a, b):
    return DNA_SCORE[a, b].sum(axis=-1), np.take(DNA_SCORE, a, axis=0)[..., 0]


PERM = np.random.default_rng(42).permutation(256)
PERM2 = np.concatenate([PERM, PERM])
PERLIN_GRADS = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]])


def _fade(t):
    return 6 * t ** 5 - 15 * t ** 4 + 10 * t ** 3


def _lerp(a, b, t):
    return a + t * (b - a)


def _gradient(h, x, y):
    g = PERLIN_GRADS[h % 4]
    return g[..., 0] * x + g[..., 1] * y


def perlin(x, y):
    xi, yi = x.astype(int) & 255, y.astype(int) & 255
    xf, yf = x - x.astype(int), y - y.astype(int)
    u, v = _fade(xf), _fade(yf)
    n00 = _gradient(PERM2[PERM2[xi] + yi], xf, yf)
    n01 = _gradient(PERM2[PERM2[xi] + yi + 1], xf, yf - 1)
    n11 = _gradient(PERM2[PERM2[xi + 1] + yi + 1], xf - 1, yf - 1)
    n10 = _gradient(PERM2[PERM2[xi + 1] + yi], xf - 1, yf)
    return _lerp(_lerp(n00, n10, u), _lerp(n01, n11, u), v)


AGE_BINS = np.array([0, 18, 30, 45, 65, 120])
AGE_FACTOR = np.array([0.0, 1.5, 1.0, 1.2, 2.0, 3.0, 0.0])


def insurance_premium(ages, base):
    return base * AGE_FACTOR[np.digitize(ages, AGE_BINS)]


IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def imagenet_preprocess(img):
    x = img.astype(np.float32) / 255.0
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return x.transpose(2, 0, 1)[None]


RGB2YCBCR = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5],
                      [0.5, -0.418688, -0.081312]])
YCBCR_OFFSET = np.array([0, 128, 128])


def rgb_to_ycbcr(img):
    ycbcr = img.astype(np.float64) @ RGB2YCBCR.T + YCBCR_OFFSET
    return np.clip(np.round(ycbcr), 0, 255).astype(np.uint8)


def _dct_matrix(n=8):
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    C = np.sqrt(2 / n) * np.cos(np.pi * (2 * i + 1) * k / (2 * n))
    C[0] /= np.sqrt(2)
    return C


DCT8 = _dct_matrix()
JPEG_LUMA_Q = np.array([
    [16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56], [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]])
ZIGZAG = np.array(sorted(((i, j) for i in range(8) for j in range(8)),
                         key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 == 0 else p[0])))


def jpeg_roundtrip(img):
    h, w = img.shape
    blocks = (img.astype(np.float64) - 128).reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2)
    coeffs = DCT8 @ blocks @ DCT8.T
    q = np.round(coeffs / JPEG_LUMA_Q).astype(np.int32)
    zz = q[..., ZIGZAG[:, 0], ZIGZAG[:, 1]]
    rec = DCT8.T @ (q * JPEG_LUMA_Q) @ DCT8 + 128
    rec = rec.swapaxes(1, 2).reshape(h, w)
    return zz, np.clip(rec, 0, 255).astype(np.uint8)


CAL_VOLTS = np.array([0.10, 0.35, 0.80, 1.40, 2.10, 2.75, 3.20])
CAL_TEMPS = np.array([-40.0, -20.0, 0.0, 25.0, 50.0, 85.0, 125.0])


def volts_to_temp(v):
    return np.interp(v, CAL_VOLTS, CAL_TEMPS)


BRACKETS = np.array([0, 11000, 44725, 95375, 182100])
RATES = np.array([0.10, 0.12, 0.22, 0.24, 0.32])


def income_tax(income):
    upper = np.append(BRACKETS[1:], np.inf)
    taxed = np.clip(income[:, None] - BRACKETS, 0, upper - BRACKETS)
    return taxed @ RATES, RATES[np.searchsorted(BRACKETS, income, side="right") - 1]


WEATHER_P = np.array([[0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]])


def forecast(dist, days=3):
    return dist @ np.linalg.matrix_power(WEATHER_P, days)


def simulate_chain(states, u):
    cdf = np.cumsum(WEATHER_P, axis=1)
    path = [states]
    for t in range(u.shape[1]):
        states = (u[:, t, None] > cdf[states]).sum(axis=1)
        path.append(states)
    return np.stack(path, axis=1)


CLASS_PROBS = np.array([0.1, 0.2, 0.4, 0.3])
CLASS_CDF = np.cumsum(CLASS_PROBS)


def sample_classes(u):
    idx = np.searchsorted(CLASS_CDF, u, side="right")
    return idx, np.bincount(idx, minlength=len(CLASS_PROBS))


MAX_LEN = 16
CAUSAL_MASK = np.tril(np.ones((MAX_LEN, MAX_LEN), dtype=bool))


def causal_attention(q, k, v):
    T = q.shape[1]
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    scores = np.where(CAUSAL_MASK[:T, :T], scores, -np.inf)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return w @ v


GLOBAL_LAYERS = [(_RNG.standard_normal((4, 8)) * 0.5, np.zeros(8)),
                 (_RNG.standard_normal((8, 8)) * 0.5, np.full(8, 0.1)),
                 (_RNG.standard_normal((8, 3)) * 0.5, np.zeros(3))]


def forward_global_layers(x):
    for i, (W, b) in enumerate(GLOBAL_LAYERS):
        x = x @ W + b
        if i < len(GLOBAL_LAYERS) - 1:
            x = np.maximum(x, 0)
    return x


PRETRAINED = {"embed": _RNG.standard_normal((30, 6)), "W": _RNG.standard_normal((6, 3)),
              "b": np.array([0.1, -0.2, 0.0])}


def classify_tokens(ids):
    h = PRETRAINED["embed"][ids].mean(axis=1)
    logits = h @ PRETRAINED["W"] + PRETRAINED["b"]
    return logits.argmax(axis=1), logits


IS_VOWEL = np.zeros(128, dtype=bool)
IS_VOWEL[[ord(c) for c in "aeiouAEIOU"]] = True


def vowel_fraction(codes):
    return IS_VOWEL[codes].mean(axis=-1), IS_VOWEL[codes].sum(axis=-1)


GROUP_OF = np.array([0, 0, 1, 1, 1, 2, 2, 3])


def group_totals(labels, values):
    return np.bincount(GROUP_OF[labels], weights=values, minlength=4)


HANN16 = np.hanning(16).astype(np.float32)


def stft_magnitude(signal):
    frames = sliding_window_view(signal, 16)[::8] * HANN16
    return np.abs(np.fft.rfft(frames, axis=-1))


DFT8 = np.exp(-2j * np.pi * np.outer(np.arange(8), np.arange(8)) / 8)


def power_spectrum(x):
    X = x @ DFT8
    return (X * X.conj()).real, np.angle(X[:, 1])


G_CONST = np.float64(6.674e-11)
EARTH_MASS = 5.972e24


def gravity_acc(pos):
    r = np.linalg.norm(pos, axis=-1, keepdims=True)
    return -G_CONST * EARTH_MASS * pos / r ** 3


class Tables:
    """Constants kept as class attributes, read by module functions as `Tables.NAME`."""
    POPCOUNT4 = np.array([bin(i).count("1") for i in range(16)])
    WEIGHTS = np.array([0.25, 0.5, 0.25])


def nibble_popcount(x):
    return Tables.POPCOUNT4[x & 15] + Tables.POPCOUNT4[(x >> 4) & 15]


def smooth_with_class_weights(x):
    return Tables.WEIGHTS[0] * x[:-2] + Tables.WEIGHTS[1] * x[1:-1] + Tables.WEIGHTS[2] * x[2:]


E_TABLE = _RNG.standard_normal((10, 3))

# a project's `config.py`, imported as a module: `import config; config.PALETTE[labels]`
config = types.ModuleType("config")
config.PALETTE = VOC_COLORMAP[:6].copy()
config.ANCHORS = np.array([[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119]])
GAUSS_LEGENDRE_5 = np.polynomial.legendre.leggauss(5)


def colorize_with_config(labels):
    return config.PALETTE[labels % len(config.PALETTE)]


def yolo_anchor_boxes(anchor_idx, grid_xy):
    wh = config.ANCHORS[anchor_idx]
    return np.concatenate([grid_xy - wh / 2, grid_xy + wh / 2], axis=-1)


def legendre_nodes_by_tuple(a, b):
    nodes, weights = GAUSS_LEGENDRE_5
    x = 0.5 * (b - a)[:, None] * nodes + 0.5 * (b + a)[:, None]
    return 0.5 * (b - a) * (np.cos(x) @ weights)


def legendre_node_lookup(k):
    return GAUSS_LEGENDRE_5[0][k] * GAUSS_LEGENDRE_5[1][k]


class Tokenizer:
    def __init__(self, vocab_size, dim, seed=0):
        self.embedding = np.random.default_rng(seed).standard_normal((vocab_size, dim))
        self.unk = vocab_size - 1


TOKENIZER = Tokenizer(20, 4)


def embed_with_global_object(ids):
    ids = np.where(ids < 0, TOKENIZER.unk, ids)
    return TOKENIZER.embedding[ids].sum(axis=1)


CALIBRATION = np.poly1d([0.002, -0.15, 3.1, 12.0])
FITTED = np.polynomial.Polynomial([0.5, -1.0, 0.25, 0.125])
CHEB_FIT = np.polynomial.Chebyshev([1.0, 0.5, -0.25, 0.1])


def polynomial_objects(x):
    return CALIBRATION(x), CALIBRATION.deriv()(x), FITTED(x), CHEB_FIT(x / 10)


def lookup_sum(ids, E=None):
    return E[ids].sum(axis=0)


embed_sum = functools.partial(lookup_sum, E=E_TABLE)


class FrozenEncoder:
    def __init__(self, W, b):
        self.W, self.b = W, b


FROZEN_ENCODER = FrozenEncoder(_RNG.standard_normal((3, 4)), np.full(4, 0.1))


def encode_with_static_model(x, model):
    return np.tanh(x @ model.W + model.b)


GLOBALS = {
    "adjust_gamma": (adjust_gamma, {}, lambda s, n: (_u8(s, n, n + 1, 3),)),
    "decode_segmap": (decode_segmap, {}, lambda s, n: (_i(N_VOC, n, n + 2, seed=s),)),
    "decode_segmap_channels": (decode_segmap_channels, {}, lambda s, n: (
        _i(N_VOC, n, n + 2, seed=s),)),
    "overlay_mask": (overlay_mask, {}, lambda s, n: (_u8(s, n, n + 1, 3),
                                                     _i(N_VOC, n, n + 1, seed=s + 1))),
    "sobel_magnitude": (sobel_magnitude, {}, lambda s, n: (_f(n + 2, n + 3, seed=s),)),
    "diffuse_stencil": (diffuse_stencil, {}, lambda s, n: (_f(n + 2, n + 3, seed=s),)),
    "correlate_windows_default_kernel": (correlate_windows, {}, lambda s, n: (
        _f(n + 2, n + 3, seed=s),)),
    "correlate_windows_laplacian": (correlate_windows, {}, lambda s, n: (
        _f(n + 2, n + 3, seed=s), LAPLACIAN_5PT)),
    "central_derivative_order4": (central_derivative, {"order": 4}, lambda s, n: (
        np.sin(np.linspace(0, 3, 4 * n) + s), 3 / (4 * n))),
    "central_derivative_order6": (central_derivative, {"order": 6}, lambda s, n: (
        _f(2, 4 * n, seed=s), 0.1)),
    "erf_as": (erf_as, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "counts_to_celsius": (counts_to_celsius, {}, lambda s, n: (_i(4096, 3 * n, seed=s),)),
    "exp_chebyshev": (exp_chebyshev, {}, lambda s, n: (
        np.linspace(-1, 1, 3 * n) * (0.9 + s / 10),)),
    "integrate_lotka_volterra": (integrate_lotka_volterra, {}, lambda s, n: (
        _f(2, n, positive=True, seed=s),)),
    "dopri_fixed": (dopri_fixed, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "integrate_intervals": (integrate_intervals, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s) + _f(n, positive=True, seed=s + 1))),
    "expected_call_payoff": (expected_call_payoff, {}, lambda s, n: (
        _f(n, seed=s) * 0.1, _f(n, positive=True, seed=s + 1) * 0.2,
        _f(n, positive=True, seed=s))),
    "bag_of_embeddings": (bag_of_embeddings, {}, lambda s, n: (_i(VOCAB, 3, n, seed=s),)),
    "embed_with_positions": (embed_with_positions, {}, lambda s, n: (_i(VOCAB, 2, n, seed=s),)),
    "skipgram_neg_loss": (skipgram_neg_loss, {}, lambda s, n: (
        _i(VOCAB, n, seed=s), _i(VOCAB, n, seed=s + 1), _i(VOCAB, n, 3, seed=s + 2))),
    "candidate_mse_global_X": (candidate_mse, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "gd_on_global_data": (gd_on_global_data, {}, lambda s, n: (_f(5, n - 2, seed=s),)),
    "closure_scorer_W_i": (item_score, {}, lambda s, n: (_i(20, n, seed=s), _f(4, seed=s))),
    "closure_mlp_factory": (mlp_predict, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "closure_blur_factory": (blur_1, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "weighted_nll": (weighted_nll, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s))),
    "hamming_matrix": (hamming_matrix, {}, lambda s, n: (_u8(s, n, 4), _u8(s + 1, 3, 4))),
    "substitute_rounds": (substitute_rounds, {}, lambda s, n: (_u8(s, 2, n), _u8(s + 1, n))),
    "ungapped_scores": (ungapped_scores, {}, lambda s, n: (_i(4, 3, n, seed=s),
                                                           _i(4, 3, n, seed=s + 1))),
    "perlin": (perlin, {}, lambda s, n: tuple(np.meshgrid(np.linspace(0, 5, n + 3) + s,
                                                          np.linspace(0, 4, n + 1)))),
    "insurance_premium": (insurance_premium, {}, lambda s, n: (_i(110, 3 * n, seed=s), 100.0)),
    "imagenet_preprocess": (imagenet_preprocess, {}, lambda s, n: (_u8(s, n, n + 1, 3),)),
    "rgb_to_ycbcr": (rgb_to_ycbcr, {}, lambda s, n: (_u8(s, n, n + 1, 3),)),
    "jpeg_roundtrip": (jpeg_roundtrip, {}, lambda s, n: (_u8(s, 8 * (n // 2), 16),)),
    "volts_to_temp": (volts_to_temp, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) * 1.6,)),
    "income_tax": (income_tax, {}, lambda s, n: (_f(2 * n, positive=True, seed=s) * 1e5,)),
    "markov_forecast": (forecast, {"days": 4}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.ones(3), n),)),
    "markov_simulate_chain": (simulate_chain, {}, lambda s, n: (
        _i(3, n, seed=s), np.random.default_rng(s).random((n, 5)))),
    "inverse_cdf_classes": (sample_classes, {}, lambda s, n: (
        np.random.default_rng(s).random(5 * n),)),
    "causal_attention_sliced_mask": (causal_attention, {}, lambda s, n: (
        _f(2, n, 4, seed=s), _f(2, n, 4, seed=s + 1), _f(2, n, 4, seed=s + 2))),
    "forward_global_layers": (forward_global_layers, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "global_dict_of_weights": (classify_tokens, {}, lambda s, n: (_i(30, n, 5, seed=s),)),
    "vowel_fraction": (vowel_fraction, {}, lambda s, n: (_i(128, 3, n, seed=s),)),
    "group_totals": (group_totals, {}, lambda s, n: (_i(8, 3 * n, seed=s), _f(3 * n, seed=s))),
    "stft_magnitude_float32": (stft_magnitude, {}, lambda s, n: (
        _f(8 * n + 8, seed=s).astype(np.float32),)),
    "power_spectrum_complex_table": (power_spectrum, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "gravity_numpy_scalar_constant": (gravity_acc, {}, lambda s, n: (_f(n, 3, seed=s) * 7e6,)),
    "class_attribute_table": (nibble_popcount, {}, lambda s, n: (_i(256, 3, n, seed=s),)),
    "class_attribute_weights": (smooth_with_class_weights, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "config_module_palette": (colorize_with_config, {}, lambda s, n: (
        _i(20, n, n + 1, seed=s),)),
    "config_module_anchors": (yolo_anchor_boxes, {}, lambda s, n: (
        _i(6, n, seed=s), _f(n, 2, seed=s) * 50)),
    "global_tuple_of_arrays_unpacked": (legendre_nodes_by_tuple, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s) + 1.0)),
    "global_tuple_of_arrays_indexed": (legendre_node_lookup, {}, lambda s, n: (
        _i(5, n, seed=s),)),
    "global_object_embedding": (embed_with_global_object, {}, lambda s, n: (
        _i(22, n, 3, seed=s) - 2,)),
    "poly1d_and_polynomial_objects": (polynomial_objects, {}, lambda s, n: (
        _f(3 * n, seed=s) * 10,)),
    "partial_keyword_table": (embed_sum, {}, lambda s, n: (_i(10, n, seed=s),)),
    "model_object_as_static_argument": (encode_with_static_model, {"model": FROZEN_ENCODER},
                                        lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", _names(GLOBALS))
def test_module_level_tables_match_numpy(name):
    check_like_numpy(*GLOBALS[name])


# ------------------------------------------------------------------ helpers and higher order


def _center(x, axis=0):
    return x - x.mean(axis=axis, keepdims=True)


def _scale(x, axis=0):
    return x / np.maximum(x.std(axis=axis, keepdims=True), 1e-12)


def standardize(x, axis=0):
    return _scale(_center(x, axis), axis)


def whiten_then_project(X, W):
    return standardize(X) @ W, standardize(X, axis=1).sum(axis=1)


def ema(x, alpha):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, len(x)):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


ema_03 = functools.partial(ema, alpha=0.3)
clip_unit = functools.partial(np.clip, a_min=-1.0, a_max=1.0)


def smooth_and_clip(x):
    return clip_unit(ema_03(x) * 2), functools.partial(np.sum, axis=0)(x)


def huber(r, delta=1.0):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))


def fit_loss(w, X, y, penalty=huber):
    return penalty(X @ w - y).mean()


huber_fit_loss = functools.partial(fit_loss, penalty=functools.partial(huber, delta=0.3))
global_scores = functools.partial(np.dot, X_TRAIN)


def as_float_array(func):
    @functools.wraps(func)
    def wrapper(x, *args, **kwargs):
        x = np.asarray(x, dtype=np.float64)
        return func(x, *args, **kwargs)
    return wrapper


def clip_output(lo, hi):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return np.clip(func(*args, **kwargs), lo, hi)
        return wrapper
    return decorator


def batched(func):
    @functools.wraps(func)
    def wrapper(X, *args):
        return np.stack([func(x, *args) for x in X])
    return wrapper


@clip_output(-3, 3)
@as_float_array
def robust_zscore(x):
    med = np.median(x, axis=0)
    mad = np.median(np.abs(x - med), axis=0)
    return 0.6745 * (x - med) / mad


@batched
def normalize_row(x, p=2):
    return x / np.linalg.norm(x, ord=p)


@as_float_array
def rescale(x, mode="minmax"):
    if mode == "minmax":
        return (x - x.min(0)) / (x.max(0) - x.min(0))
    return (x - x.mean(0)) / x.std(0)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x, a=0.01: np.where(x > 0, x, a * x),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "softplus": lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "identity": lambda x: x,
}
ACTIVATION_GRADS = {
    "relu": lambda x: (x > 0).astype(x.dtype),
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
    "sigmoid": lambda x: ACTIVATIONS["sigmoid"](x) * (1 - ACTIVATIONS["sigmoid"](x)),
}


def dense(x, W, b, activation="relu"):
    return ACTIVATIONS[activation](x @ W + b)


def dense_backward(x, W, b, dout, activation="tanh"):
    z = x @ W + b
    dz = dout * ACTIVATION_GRADS[activation](z)
    return dz @ W.T, x.T @ dz, dz.sum(0)


def mlp_named(x, params, activations=("relu", "tanh", "identity")):
    for (W, b), name in zip(params, activations):
        x = ACTIVATIONS[name](x @ W + b)
    return x


LOSSES = {}


def register_loss(name):
    def decorator(fn):
        LOSSES[name] = fn
        return fn
    return decorator


@register_loss("mse")
def mse_loss(y, p):
    return np.mean((y - p) ** 2)


@register_loss("huber")
def huber_loss(y, p, delta=1.0):
    return huber(y - p, delta).mean()


@register_loss("log_cosh")
def log_cosh_loss(y, p):
    r = p - y
    return np.mean(r + np.log1p(np.exp(-2 * r)) - np.log(2.0))


LOSSES["huber_small"] = functools.partial(huber_loss, delta=0.1)


def evaluate_losses(y, p, losses=("mse", "huber", "log_cosh", "huber_small")):
    return {name: LOSSES[name](y, p) for name in losses}


class Reduction(enum.Enum):
    NONE = "none"
    MEAN = "mean"
    SUM = "sum"


class Axis(enum.IntEnum):
    TIME = 0
    CHANNEL = 1


class Norm(enum.IntFlag):
    CENTER = 1
    SCALE = 2


def _reduce(loss, reduction):
    if reduction is Reduction.MEAN:
        return loss.mean()
    if reduction is Reduction.SUM:
        return loss.sum()
    return loss


def l1_loss(pred, target, reduction=Reduction.MEAN):
    return _reduce(np.abs(pred - target), reduction)


def channel_stats(x):
    return x.mean(axis=Axis.TIME), x.std(axis=Axis.CHANNEL), np.take(x, 0, axis=Axis.CHANNEL)


def normalize_flags(x, opts=Norm.CENTER | Norm.SCALE):
    if opts & Norm.CENTER:
        x = x - x.mean(axis=0)
    if opts & Norm.SCALE:
        x = x / x.std(axis=0)
    return x


def smooth_rows(x, w=3, mode="valid"):
    kernel = np.ones(w) / w
    return np.apply_along_axis(lambda r: np.convolve(r, kernel, mode=mode), 1, x)


def pad_signal(x, mode="reflect", width=2):
    return np.pad(x, ((0, 0), (width, width)), mode=mode)


def compose(*funcs):
    return functools.reduce(lambda f, g: lambda x: g(f(x)), funcs)


preprocess_pipeline = compose(np.log1p, standardize, functools.partial(np.clip, a_min=-2, a_max=2))


def fft_recursive(x):
    n = x.shape[-1]
    if n == 1:
        return x.astype(complex)
    even = fft_recursive(x[..., ::2])
    odd = fft_recursive(x[..., 1::2])
    tw = np.exp(-2j * np.pi * np.arange(n // 2) / n)
    return np.concatenate([even + tw * odd, even - tw * odd], axis=-1)


def haar(x, levels):
    if levels == 0:
        return [x]
    a = (x[..., ::2] + x[..., 1::2]) / np.sqrt(2)
    d = (x[..., ::2] - x[..., 1::2]) / np.sqrt(2)
    return haar(a, levels - 1) + [d]


def iter_minibatches(X, y, batch_size):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def sgd_epoch(w, X, y, lr=0.1, batch_size=4):
    losses = []
    for xb, yb in iter_minibatches(X, y, batch_size):
        r = xb @ w - yb
        losses.append(np.mean(r ** 2))
        w = w - lr * xb.T @ r / len(yb)
    return w, np.array(losses)


def global_norm(grads):
    return np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))


def clip_by_global_norm(grads, max_norm=1.0):
    norm = global_norm(grads)
    scale = np.minimum(1.0, max_norm / (norm + 1e-6))
    return {k: g * scale for k, g in grads.items()}, norm


def chain_product(mats):
    return functools.reduce(np.dot, mats), functools.reduce(operator.add, mats)


def poly_basis(x, degree=4):
    fs = [lambda x, k=k: x ** k for k in range(degree + 1)]
    return np.stack([f(x) for f in fs], axis=-1)


class Metrics:
    @staticmethod
    def rmse(a, b):
        return np.sqrt(np.mean((a - b) ** 2))

    @staticmethod
    def mae(a, b):
        return np.mean(np.abs(a - b))

    @staticmethod
    def r2(a, b):
        return 1 - np.sum((a - b) ** 2) / np.sum((a - a.mean()) ** 2)

    @classmethod
    def report(cls, a, b):
        return {"rmse": cls.rmse(a, b), "mae": cls.mae(a, b), "r2": cls.r2(a, b)}


def regression_report(y, p):
    return Metrics.report(y, p)


@functools.lru_cache(maxsize=None)
def dct_matrix(n):
    return _dct_matrix(n)


def dct_rows(x):
    C = dct_matrix(x.shape[-1])
    return x @ C.T


def _row_entropy(p):
    p = p / p.sum()
    return -(p * np.log(p)).sum()


def entropies(P):
    return np.apply_along_axis(_row_entropy, 1, P)


def dispatch_by_name(x, ops=("sqrt", "log1p", "square")):
    return [getattr(np, op)(x) for op in ops]


def vector_ops(x, y):
    ops = [operator.add, operator.mul, np.maximum, lambda a, b: a @ b.T]
    return [op(x, y) for op in ops]


HELPERS = {
    "helpers_calling_helpers": (whiten_then_project, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "partial_jitted_directly": (ema_03, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "partials_inside": (smooth_and_clip, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "partial_of_partial_penalty": (huber_fit_loss, {}, lambda s, n: (
        _f(3, seed=s), _f(n, 3, seed=s + 1), _f(n, seed=s + 2))),
    "partial_binding_a_global_array": (global_scores, {}, lambda s, n: (_f(5, n, seed=s),)),
    "wraps_decorators_stacked": (robust_zscore, {}, lambda s, n: (_i(20, n + 3, 2, seed=s),)),
    "wraps_decorator_batched": (normalize_row, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "wraps_decorator_static_mode": (rescale, {"mode": "zscore"}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "activation_table_relu": (dense, {"activation": "relu"}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, seed=s + 2))),
    "activation_table_gelu": (dense, {"activation": "gelu"}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, seed=s + 2))),
    "activation_table_softplus_float32": (dense, {"activation": "softplus"}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32), _f(3, 4, seed=s + 1).astype(np.float32),
        _f(4, seed=s + 2).astype(np.float32))),
    "activation_name_as_an_argument": (dense, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, seed=s + 2), "leaky_relu")),
    "activation_grad_table": (dense_backward, {"activation": "sigmoid"}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, seed=s + 2), _f(n, 4, seed=s + 3))),
    "mlp_tuple_of_names": (mlp_named, {"activations": ("swish", "relu", "identity")},
                           lambda s, n: (_f(n, 3, seed=s), [
                               (_f(3, 5, seed=s + 1), _f(5, seed=s + 2)),
                               (_f(5, 5, seed=s + 3), _f(5, seed=s + 4)),
                               (_f(5, 2, seed=s + 5), _f(2, seed=s + 6))])),
    "loss_registry": (evaluate_losses, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1) * 2)),
    "enum_reduction_mean": (l1_loss, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "enum_reduction_none": (l1_loss, {"reduction": Reduction.NONE}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "enum_reduction_sum": (l1_loss, {"reduction": Reduction.SUM}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "intenum_axes": (channel_stats, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "intflag_options": (normalize_flags, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "intflag_options_static": (normalize_flags, {"opts": Norm.SCALE}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "string_mode_convolve": (smooth_rows, {"mode": "same"}, lambda s, n: (_f(3, n + 2, seed=s),)),
    "string_mode_pad": (pad_signal, {"mode": "edge"}, lambda s, n: (_f(2, n, seed=s),)),
    "reduce_composed_pipeline": (preprocess_pipeline, {}, lambda s, n: (
        _f(n, 3, positive=True, seed=s),)),
    "recursive_fft": (fft_recursive, {}, lambda s, n: (_f(3, 2 ** (n // 2 + 1), seed=s),)),
    "recursive_haar": (haar, {"levels": 2}, lambda s, n: (_f(2, 4 * n, seed=s),)),
    "generator_minibatches": (sgd_epoch, {}, lambda s, n: (
        _f(3, seed=s), _f(2 * n + 1, 3, seed=s + 1), _f(2 * n + 1, seed=s + 2))),
    "clip_by_global_norm": (clip_by_global_norm, {}, lambda s, n: ({
        "W": _f(n, 3, seed=s), "b": _f(3, seed=s + 1), "scale": 0.5 * s},)),
    "reduce_dot_and_add": (chain_product, {}, lambda s, n: (
        [_f(n, n, seed=s + k) for k in range(3)],)),
    "lambdas_with_defaults": (poly_basis, {}, lambda s, n: (_f(n, seed=s),)),
    "static_and_class_methods": (regression_report, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1))),
    "staticmethod_jitted_directly": (Metrics.rmse, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "lru_cache_table": (dct_rows, {}, lambda s, n: (_f(3, n, seed=s),)),
    "apply_along_axis_helper": (entropies, {}, lambda s, n: (_f(n, 4, positive=True, seed=s),)),
    "getattr_np_by_name": (dispatch_by_name, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "operator_table": (vector_ops, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(HELPERS))
def test_helpers_partials_decorators_and_flags_match_numpy(name):
    check_like_numpy(*HELPERS[name])


# ------------------------------------------------------------- parameter containers as arguments


def _plain(v):
    """A value with its dataclasses, namedtuples and objects turned into (class name, fields),
    so that `assert_same` compares them field by field."""
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return (type(v).__name__.removeprefix("Jit"), {f.name: _plain(getattr(v, f.name))
                                   for f in dataclasses.fields(v)})
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return (type(v).__name__.removeprefix("Jit"),
                {k: _plain(x) for k, x in zip(v._fields, v)})
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return (type(v).__name__, {k: _plain(x) for k, x in v.items()})
    if isinstance(v, types.SimpleNamespace):
        return ("SimpleNamespace", {k: _plain(x) for k, x in vars(v).items()})
    if isinstance(v, np.random.Generator):
        return ("Generator", v.bit_generator.state["state"]["state"])
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
        return ("function", v.__name__)
    if type(v).__module__ == __name__ and not isinstance(v, (type, enum.Enum)):
        return (type(v).__name__.removeprefix("Jit"), {k: _plain(x) for k, x in _attrs(v).items()})
    return v


def _attrs(obj) -> dict:
    if hasattr(obj, "__dict__"):
        return dict(vars(obj))
    return {k: getattr(obj, k) for c in type(obj).__mro__ for k in getattr(c, "__slots__", ())}


def check_containers(fn, static: dict, make_args) -> None:
    """`check_like_numpy` for functions taking and returning dataclasses, namedtuples and dict
    subclasses: the results and the arguments afterwards compared field by field, with their
    classes."""
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make_args(seed, size)
        want_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
        with np.errstate(all="ignore"):
            want = fn(*want_args, **static)
        assert_same(_plain(jf(*got_args, **static)), _plain(want), rtol=1e-5)
        assert_same(_plain(got_args), _plain(want_args), rtol=1e-5)
    assert jf.cache_info().misses <= 2


@dataclasses.dataclass
class GMMParams:
    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray


def gmm_e_step(X, params):
    d = X[:, None, :] - params.means[None]
    logp = -0.5 * np.sum(d ** 2 / params.variances + np.log(2 * np.pi * params.variances), -1)
    logp = logp + np.log(params.weights)
    logp -= logp.max(axis=1, keepdims=True)
    resp = np.exp(logp)
    return resp / resp.sum(axis=1, keepdims=True)


def gmm_m_step(X, resp, reg=1e-6):
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = resp.T @ X / nk[:, None]
    avg_X2 = resp.T @ (X * X) / nk[:, None]
    variances = avg_X2 - 2 * means * (resp.T @ X) / nk[:, None] + means ** 2 + reg
    return GMMParams(nk / len(X), means, variances)


def gmm_em(X, params, n_iter=3):
    for _ in range(n_iter):
        params = gmm_m_step(X, gmm_e_step(X, params))
    return params


def gmm_shift_means(params, delta):
    return dataclasses.replace(params, means=params.means + delta)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    lr: float = 0.1
    l2: float = 0.01
    n_steps: int = 3
    loss: str = "mse"


def ridge_gd(w, X, y, cfg):
    for _ in range(cfg.n_steps):
        r = X @ w - y
        w = w - cfg.lr * (X.T @ r / len(y) + cfg.l2 * w)
    return w, LOSSES[cfg.loss](y, X @ w)


@dataclasses.dataclass
class Standardizer:
    mean: np.ndarray
    scale: np.ndarray
    eps: float = 1e-8

    def __post_init__(self):
        self.scale = np.maximum(self.scale, self.eps)


def standardize_with(X, st):
    return (X - st.mean) / st.scale


class PhaseState(NamedTuple):
    pos: np.ndarray
    vel: np.ndarray
    t: float


def leapfrog(state, dt, n_steps=4):
    for _ in range(n_steps):
        acc = -state.pos
        vel = state.vel + 0.5 * dt * acc
        pos = state.pos + dt * vel
        vel = vel + 0.5 * dt * (-pos)
        state = state._replace(pos=pos, vel=vel, t=state.t + dt)
    return state


class Boxes(NamedTuple):
    lo: np.ndarray
    hi: np.ndarray

    @property
    def area(self):
        return np.prod(self.hi - self.lo, axis=-1)

    def contains(self, p):
        return np.all((p >= self.lo) & (p <= self.hi), axis=-1)


def pairwise_iou(a, b):
    lo = np.maximum(a.lo[:, None], b.lo[None])
    hi = np.minimum(a.hi[:, None], b.hi[None])
    inter = np.prod(np.clip(hi - lo, 0, None), axis=-1)
    return inter / (a.area[:, None] + b.area[None] - inter), a.contains(b.lo[0])


def _boxes(s, n):
    lo = np.random.default_rng(s).random((n, 2))
    return Boxes(lo, lo + np.random.default_rng(s + 1).random((n, 2)) + 0.1)


def two_layer_loss_and_grads(params, X, y, reg=0.1):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    grads = {}
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads["W2"] = h.T @ dscores + 2 * reg * W2
    grads["b2"] = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dh[h <= 0] = 0
    grads["W1"] = X.T @ dh + 2 * reg * W1
    grads["b1"] = dh.sum(axis=0)
    return loss, grads


def train_dict_params(params, X, y, lr=0.5, steps=3):
    history = []
    for _ in range(steps):
        loss, grads = two_layer_loss_and_grads(params, X, y)
        for k in params:
            params[k] -= lr * grads[k]
        history.append(loss)
    return np.array(history)


def _two_layer(s, n):
    return {"W1": _f(3, 5, seed=s) * 0.5, "b1": np.zeros(5), "W2": _f(5, 3, seed=s + 1) * 0.5,
            "b2": np.zeros(3)}


def autoencoder(x, params):
    h = np.tanh(x @ params["encoder"]["W"] + params["encoder"]["b"])
    out = h @ params["decoder"]["W"] + params["decoder"]["b"]
    return out, np.mean((out - x) ** 2)


def _autoencoder_params(s, d=4, k=2):
    return {"encoder": {"W": _f(d, k, seed=s), "b": np.zeros(k)},
            "decoder": {"W": _f(k, d, seed=s + 1), "b": np.full(d, 0.1)}}


class AttrDict(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__


def forward_attrdict(x, p):
    return np.tanh(x @ p.W + p.b) * p.scale


def forward_namespace(x, p):
    p.calls = p.calls + 1
    return np.tanh(x @ p.W + p.b)


CONTAINERS = {
    "dataclass_em": (gmm_em, {}, lambda s, n: (
        np.r_[_f(n, 2, seed=s) - 2, _f(n, 2, seed=s + 1) + 2],
        GMMParams(np.array([0.5, 0.5]), np.array([[-1.0, 0.0], [1.0, 0.5]]), np.ones((2, 2))))),
    "dataclass_replace": (gmm_shift_means, {}, lambda s, n: (
        GMMParams(np.ones(n) / n, _f(n, 2, seed=s), np.ones((n, 2))), _f(2, seed=s + 1))),
    "frozen_dataclass_config": (ridge_gd, {}, lambda s, n: (
        _f(3, seed=s), _f(n, 3, seed=s + 1), _f(n, seed=s + 2), TrainConfig(lr=0.05))),
    "dataclass_post_init": (standardize_with, {}, lambda s, n: (
        _f(n, 3, seed=s), Standardizer(_f(3, seed=s), np.array([0.0, 1.0, 2.0 + s])))),
    "namedtuple_replace": (leapfrog, {}, lambda s, n: (
        PhaseState(_f(n, seed=s), _f(n, seed=s + 1), 0.5 * s), 0.1)),
    "namedtuple_with_methods": (pairwise_iou, {}, lambda s, n: (_boxes(s, n), _boxes(s + 7, 3))),
    "dict_params_in_place": (train_dict_params, {}, lambda s, n: (
        _two_layer(s, n), _f(n, 3, seed=s + 2), _i(3, n, seed=s))),
    "nested_dict_params": (autoencoder, {}, lambda s, n: (
        _f(n, 4, seed=s), _autoencoder_params(s))),
    "attrdict_params": (forward_attrdict, {}, lambda s, n: (
        _f(n, 3, seed=s), AttrDict(W=_f(3, 2, seed=s), b=_f(2, seed=s + 1), scale=2.0))),
    "simple_namespace_params": (forward_namespace, {}, lambda s, n: (
        _f(n, 3, seed=s), types.SimpleNamespace(W=_f(3, 2, seed=s), b=_f(2, seed=s), calls=0))),
}


@pytest.mark.parametrize("name", _names(CONTAINERS))
def test_parameter_containers_match_numpy(name):
    check_containers(*CONTAINERS[name])


# ---------------------------------------------------------------- classes with jitted methods


def _tracers_in(v, depth=0) -> list:
    """Tracers reachable from `v` (an instance after a jitted call must hold none)."""
    if isinstance(v, Tracer):
        return [v]
    if depth > 5 or isinstance(v, (np.ndarray, np.generic, type, enum.Enum, str, bytes)):
        return []
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _tracers_in(x, depth + 1)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in _tracers_in(x, depth + 1)]
    if type(v).__module__ == __name__:
        return [t for x in _attrs(v).values() for t in _tracers_in(x, depth + 1)]
    return []


def _jitted(cls, *names):
    """The class with the named methods under `tracenp.jit`, as `@tracenp.jit` in its body
    would make them (a subclass, so `super()` and class attributes resolve as written). Each
    call made outside a trace must leave no tracer in the instance (a leaked one made the next
    compiled call read garbage: a segmentation fault)."""
    def guarded(name):
        jf = tracenp.jit(cls.__dict__[name] if name in cls.__dict__ else getattr(cls, name))

        @functools.wraps(jf.fn)
        def method(self, *args, **kwargs):
            out = jf.__get__(self, type(self))(*args, **kwargs)
            if current_trace() is None:
                assert not _tracers_in(self), f"{name} left tracers in the instance"
            return out
        method._jitted = jf
        return method

    body = {n: guarded(n) for n in names}
    if "__slots__" in cls.__dict__:
        body["__slots__"] = ()
    return type("Jit" + cls.__name__, (cls,), body)


def check_methods(cls, names, make_init, scenario, make_args) -> None:
    """The class with `names` jitted against the plain class: `scenario(obj, *args)` (calls of
    its methods, as a training loop or a simulation makes them) gives NumPy's values on fresh
    instances made by `cls(*make_init(seed, size))`, twice with one size and once with
    another, and leaves the instance with NumPy's attributes, recursively."""
    jit_cls = _jitted(cls, *names)
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        init, args = make_init(seed, size), make_args(seed, size)
        want_obj, got_obj = cls(*copy.deepcopy(init)), jit_cls(*copy.deepcopy(init))
        want_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
        with np.errstate(all="ignore"):
            want = scenario(want_obj, *want_args)
        got = scenario(got_obj, *got_args)
        assert not _tracers_in(got_obj) and not _tracers_in(got) and not _tracers_in(got_args)
        assert_same(_plain(got), _plain(want), rtol=1e-5)
        assert_same(_plain(got_obj), _plain(want_obj), rtol=1e-5)
        assert_same(_plain(got_args), _plain(want_args), rtol=1e-5)


class Dense:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        x = x - x.max(axis=1, keepdims=True)
        self.y = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
        self.loss = -np.sum(np.log(self.y[np.arange(len(t)), t] + 1e-7)) / len(t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx * dout / batch_size


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)
        self.loss_layer = SoftmaxWithLoss()

    def __call__(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.loss_layer.forward(self(x), t)

    def backward(self):
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def sgd(self, lr):
        for layer in self.layers:
            if hasattr(layer, "W"):
                layer.W -= lr * layer.dW
                layer.b -= lr * layer.db


def _net(s, n):
    return (Dense(_f(3, 6, seed=s) * 0.5, np.zeros(6)), Relu(),
            Dense(_f(6, 3, seed=s + 1) * 0.5, np.zeros(3)))


def dense_scenario(layer, x, dout):
    out = layer.forward(x)
    return out, layer.backward(dout)


def relu_scenario(layer, x, dout):
    return layer.forward(x), layer.backward(dout)


def train_sequential(net, x, t, steps=3):
    losses = []
    for _ in range(steps):
        losses.append(net.loss(x, t))
        net.backward()
        net.sgd(0.1)
    return losses, net(x)


class TanhDense(Dense):
    def forward(self, x):
        self.out = np.tanh(super().forward(x))
        return self.out

    def backward(self, dout):
        return super().backward(dout * (1 - self.out ** 2))


class ResidualTanh(TanhDense):
    def forward(self, x):
        return x + super().forward(x)

    def backward(self, dout):
        return dout + super().backward(dout)


class Activation:
    def __call__(self, x):
        self.x = x
        self.out = self.f(x)
        return self.out

    def grad(self, dout):
        return dout * self.df(self.x)


class SigmoidAct(Activation):
    def f(self, x):
        return 1 / (1 + np.exp(-x))

    def df(self, x):
        s = self.f(x)
        return s * (1 - s)


class SoftsignAct(Activation):
    def f(self, x):
        return x / (1 + np.abs(x))

    def df(self, x):
        return 1 / (1 + np.abs(x)) ** 2


def activation_scenario(act, x, dout):
    return act(x), act.grad(dout)


class ToneCurve:
    CURVE = (np.linspace(0, 1, 256) ** 0.8 * 255).astype(np.uint8)
    WEIGHTS = np.array([0.299, 0.587, 0.114])

    def __init__(self, strength):
        self.strength = strength

    def apply(self, img):
        mapped = self.CURVE[img]
        return (img * (1 - self.strength) + mapped * self.strength).astype(np.uint8)

    def apply_by_type(self, img):
        return type(self).CURVE[img]

    def luminance(self, img):
        return img @ self.WEIGHTS


def tone_scenario(tc, img):
    return tc.apply(img)


def tone_by_type_scenario(tc, img):
    return tc.apply_by_type(img)


def luminance_scenario(tc, img):
    return tc.luminance(img)


class Gaussian:
    def __init__(self, mean, cov):
        self.mean = mean
        self.cov = cov

    @property
    def precision(self):
        return np.linalg.inv(self.cov)

    @property
    def dim(self):
        return self.mean.shape[0]

    def logpdf(self, X):
        d = X - self.mean
        maha = np.einsum("ni,ij,nj->n", d, self.precision, d)
        _, logdet = np.linalg.slogdet(self.cov)
        return -0.5 * (maha + logdet + self.dim * np.log(2 * np.pi))


class CachedGaussian(Gaussian):
    @functools.cached_property
    def chol(self):
        return np.linalg.cholesky(self.cov)

    def sample(self, z):
        return self.mean + z @ self.chol.T


def _spd(s, d):
    A = _f(d, d, seed=s)
    return A @ A.T + d * np.eye(d)


def gaussian_scenario(g, X):
    return g.logpdf(X)


def cached_scenario(g, z):
    return g.sample(z), g.sample(2 * z)


class Affine:
    __slots__ = ("A", "t")

    def __init__(self, A, t):
        self.A = A
        self.t = t

    def apply(self, pts):
        return pts @ self.A.T + self.t


def affine_scenario(tf, pts):
    return tf.apply(pts)


class Poly:
    def __init__(self, coef):
        self.coef = coef

    @classmethod
    def from_roots(cls, roots):
        return cls(np.poly(roots))

    def __call__(self, x):
        return np.polyval(self.coef, x)

    def deriv(self, x):
        return np.polyval(np.polyder(self.coef), x)


def poly_scenario(p, x):
    return p(x), p.deriv(x)


class StandardScaler:
    def __init__(self, with_std=True):
        self.with_std = with_std

    def fit(self, X):
        self.mean_ = X.mean(axis=0)
        self.var_ = X.var(axis=0)
        self.scale_ = np.sqrt(self.var_) if self.with_std else np.ones(X.shape[1])
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X):
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X):
        return X * self.scale_ + self.mean_


def scaler_scenario(sc, X, X2):
    sc.fit(X)
    Z = sc.transform(X2)
    return Z, sc.inverse_transform(Z)


def svd_flip(u, v):
    max_abs_cols = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[max_abs_cols, range(u.shape[1])])
    return u * signs, v * signs[:, np.newaxis]


class PCA:
    def __init__(self, n_components=2, whiten=False):
        self.n_components = n_components
        self.whiten = whiten

    def fit(self, X):
        self.mean_ = np.mean(X, axis=0)
        X = X - self.mean_
        U, S, Vt = np.linalg.svd(X, full_matrices=False)
        U, Vt = svd_flip(U, Vt)
        self.components_ = Vt[:self.n_components]
        self.explained_variance_ = (S ** 2) / (X.shape[0] - 1)
        self.explained_variance_ = self.explained_variance_[:self.n_components]
        return self

    def transform(self, X):
        Xt = (X - self.mean_) @ self.components_.T
        if self.whiten:
            Xt /= np.sqrt(self.explained_variance_)
        return Xt


def pca_scenario(pca, X):
    pca.fit(X)
    return pca.transform(X[:3])


class MLPModel:
    ACTS = {"relu": lambda x: np.maximum(0, x), "tanh": np.tanh}

    def __init__(self, params, activation="relu"):
        self.params = params
        self.activation = activation

    def __call__(self, x):
        act = self.ACTS[self.activation]
        for W, b in self.params[:-1]:
            x = act(x @ W + b)
        W, b = self.params[-1]
        return x @ W + b

    def predict(self, x):
        return self(x).argmax(axis=1)


def _mlp_params(s):
    return [(_f(3, 5, seed=s), np.zeros(5)), (_f(5, 2, seed=s + 1), np.full(2, 0.5))]


def mlp_model_scenario(m, x):
    return m(x), m.predict(x)


class Normalizer:
    def __init__(self, mean, std):
        self.mean = mean
        self.std = std

    def __call__(self, x):
        return (x - self.mean) / self.std


class Pipeline:
    def __init__(self, normalizer, model):
        self.normalizer = normalizer
        self.model = model
        self.n_calls = 0

    def predict(self, x):
        self.n_calls += 1
        return self.model(self.normalizer(x))


def pipeline_scenario(p, x):
    return [p.predict(x), p.predict(x * 2)]


def _quat_mul(a, b):
    w1, x1, y1, z1 = np.moveaxis(a, -1, 0)
    w2, x2, y2, z2 = np.moveaxis(b, -1, 0)
    return np.stack([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2],
                    axis=-1)


class Quaternion:
    def __init__(self, q):
        self.q = np.asarray(q)

    def __mul__(self, other):
        return Quaternion(_quat_mul(self.q, other.q))

    def conj(self):
        return Quaternion(self.q * np.array([1, -1, -1, -1]))

    @property
    def vec(self):
        return self.q[..., 1:]

    @classmethod
    def from_axis_angle(cls, axis, angle):
        axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
        return cls(np.concatenate([np.cos(angle / 2)[..., None],
                                   np.sin(angle / 2)[..., None] * axis], axis=-1))


def rotate_points(axis, angle, pts):
    q = Quaternion.from_axis_angle(axis, angle)
    p = Quaternion(np.concatenate([np.zeros(pts.shape[:-1] + (1,)), pts], axis=-1))
    return (q * p * q.conj()).vec


class Dual:
    """Forward-mode autodiff by dual numbers, as tutorials write it."""

    def __init__(self, val, der):
        self.val, self.der = val, der

    def __add__(self, o):
        o = o if isinstance(o, Dual) else Dual(o, 0.0)
        return Dual(self.val + o.val, self.der + o.der)

    __radd__ = __add__

    def __mul__(self, o):
        o = o if isinstance(o, Dual) else Dual(o, 0.0)
        return Dual(self.val * o.val, self.der * o.val + self.val * o.der)

    __rmul__ = __mul__

    def sin(self):
        return Dual(np.sin(self.val), np.cos(self.val) * self.der)

    def exp(self):
        return Dual(np.exp(self.val), np.exp(self.val) * self.der)


def dual_derivative(x):
    d = Dual(x, np.ones_like(x))
    y = 3 * d * d + d.sin() * d.exp() + 2
    return y.val, y.der


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def __call__(self, x):
        return x @ self.W + self.b


class LayerList:
    def __init__(self, *layers):
        self.layers = list(layers)
        self.head = layers[-1]

    def __call__(self, x):
        for layer in self.layers[:-1]:
            x = np.tanh(layer(x))
        return self.head(x)


def layer_list_scenario(model, x):
    before = model(x)
    for layer in model.layers:
        layer.W *= 0.5  # a training step made outside the jitted forward
    after = model(x)
    model.layers[0] = Linear(np.ones_like(model.layers[0].W), model.layers[0].b)
    return before, after, model(x)


@dataclasses.dataclass
class LinearModel:
    W: np.ndarray
    b: np.ndarray
    l2: float = 0.01

    def predict(self, X):
        return X @ self.W + self.b

    def fit_step(self, X, y, lr=0.1):
        r = self.predict(X) - y
        self.W = self.W - lr * (X.T @ r / len(y) + self.l2 * self.W)
        self.b = self.b - lr * r.mean(axis=0)
        return np.mean(r ** 2)


def linear_model_scenario(m, X, y):
    return [m.fit_step(X, y) for _ in range(3)], m.predict(X[:2])


class Segment(NamedTuple):
    start: np.ndarray
    end: np.ndarray

    def length(self):
        return np.linalg.norm(self.end - self.start, axis=-1)

    def point_at(self, t):
        return self.start + t[..., None] * (self.end - self.start)


def segment_scenario(seg, t):
    return seg.length(), seg.point_at(t)


class ModuleDict:
    def __init__(self, enc, dec):
        self.blocks = {"encoder": enc, "decoder": dec}

    def __call__(self, x):
        return self.blocks["decoder"](np.tanh(self.blocks["encoder"](x)))


def module_dict_scenario(model, x):
    before = model(x)
    model.blocks["encoder"].W *= 0.5
    return before, model(x)


class DecayingSGD:
    def __init__(self, lr=0.5, gamma=0.5):
        self.lr = lr
        self.gamma = gamma

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]
        self.lr *= self.gamma


CLASSES = {
    "dense_forward_backward_cache": (Dense, ("forward", "backward"), lambda s, n: (
        _f(3, 4, seed=s), _f(4, seed=s + 1)), dense_scenario, lambda s, n: (
        _f(n, 3, seed=s + 2), _f(n, 4, seed=s + 3))),
    "relu_mask_on_self": (Relu, ("forward", "backward"), lambda s, n: (), relu_scenario,
                          lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "sequential_train": (Sequential, ("__call__", "loss", "backward", "sgd"), _net,
                         train_sequential, lambda s, n: (_f(n, 3, seed=s + 5), _i(3, n, seed=s))),
    "sequential_only_sgd_jitted": (Sequential, ("sgd",), _net, train_sequential,
                                   lambda s, n: (_f(n, 3, seed=s + 5), _i(3, n, seed=s))),
    "super_chain": (ResidualTanh, ("forward", "backward"), lambda s, n: (
        _f(3, 3, seed=s), _f(3, seed=s + 1)), dense_scenario, lambda s, n: (
        _f(n, 3, seed=s + 2), _f(n, 3, seed=s + 3))),
    "template_method_sigmoid": (SigmoidAct, ("__call__", "grad"), lambda s, n: (),
                                activation_scenario, lambda s, n: (
                                    _f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "template_method_softsign": (SoftsignAct, ("__call__", "grad"), lambda s, n: (),
                                 activation_scenario, lambda s, n: (
                                     _f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "class_table_by_self": (ToneCurve, ("apply",), lambda s, n: (0.5,), tone_scenario,
                            lambda s, n: (_u8(s, n, n + 1),)),
    "class_table_by_type_self": (ToneCurve, ("apply_by_type",), lambda s, n: (0.5,),
                                 tone_by_type_scenario, lambda s, n: (_u8(s, n, n + 1),)),
    "class_weights_by_self": (ToneCurve, ("luminance",), lambda s, n: (0.5,), luminance_scenario,
                              lambda s, n: (_f(n, 2, 3, seed=s),)),
    "property_arrays": (Gaussian, ("logpdf",), lambda s, n: (_f(n // 2, seed=s), _spd(s, n // 2)),
                        gaussian_scenario, lambda s, n: (_f(5, n // 2, seed=s + 1),)),
    "cached_property": (CachedGaussian, ("sample",), lambda s, n: (_f(3, seed=s), _spd(s, 3)),
                        cached_scenario, lambda s, n: (_f(n, 3, seed=s + 1),)),
    "slots_instance": (Affine, ("apply",), lambda s, n: (_f(2, 2, seed=s), _f(2, seed=s + 1)),
                       affine_scenario, lambda s, n: (_f(n, 2, seed=s + 2),)),
    "classmethod_constructor": (Poly, ("__call__", "deriv"), lambda s, n: (
        np.poly(_f(n // 2, seed=s)),), poly_scenario, lambda s, n: (_f(3 * n, seed=s + 1),)),
    "sklearn_scaler_fit_transform": (StandardScaler, ("fit", "transform", "inverse_transform"),
                                     lambda s, n: (), scaler_scenario, lambda s, n: (
                                         _f(n + 3, 3, seed=s), _f(n, 3, seed=s + 1))),
    "sklearn_pca_svd_flip": (PCA, ("fit", "transform"), lambda s, n: (2, True), pca_scenario,
                             lambda s, n: (_f(n + 4, 4, seed=s),)),
    "class_dict_of_lambdas": (MLPModel, ("__call__", "predict"), lambda s, n: (
        _mlp_params(s), "tanh"), mlp_model_scenario, lambda s, n: (_f(n, 3, seed=s + 2),)),
    "callable_attributes": (Pipeline, ("predict",), lambda s, n: (
        Normalizer(_f(3, seed=s), _f(3, positive=True, seed=s)), MLPModel(_mlp_params(s))),
        pipeline_scenario, lambda s, n: (_f(n, 3, seed=s + 2),)),
    "layer_list_read_after_updates": (LayerList, ("__call__",), lambda s, n: (
        Linear(_f(3, 4, seed=s), np.zeros(4)), Linear(_f(4, 2, seed=s + 1), np.ones(2))),
        layer_list_scenario, lambda s, n: (_f(n, 3, seed=s + 2),)),
    "module_dict_read_after_updates": (ModuleDict, ("__call__",), lambda s, n: (
        Linear(_f(3, 4, seed=s), np.zeros(4)), Linear(_f(4, 2, seed=s + 1), np.ones(2))),
        module_dict_scenario, lambda s, n: (_f(n, 3, seed=s + 2),)),
    "dataclass_instance_methods": (LinearModel, ("fit_step",), lambda s, n: (
        _f(3, 2, seed=s), np.zeros(2)), linear_model_scenario, lambda s, n: (
        _f(n, 3, seed=s + 1), _f(n, 2, seed=s + 2))),
    "dataclass_nested_jitted_methods": (LinearModel, ("predict", "fit_step"), lambda s, n: (
        _f(3, 2, seed=s), np.zeros(2)), linear_model_scenario, lambda s, n: (
        _f(n, 3, seed=s + 1), _f(n, 2, seed=s + 2))),
    "namedtuple_instance_methods": (Segment, ("length", "point_at"), lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1)), segment_scenario, lambda s, n: (
        np.linspace(0, 1, n),)),
}


@pytest.mark.parametrize("name", _names(CLASSES))
def test_classes_with_jitted_methods_match_numpy(name):
    check_methods(*CLASSES[name])


# ------------------------------------------------- optimizers, simulations and cells as classes


class SGDMomentum:
    """"Deep Learning from Scratch" (common/optimizer.py): state created on the first call."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]


class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class AdamW:
    """An AdamW holding its parameters (a list of arrays updated in place), PyTorch-style."""

    def __init__(self, params, lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        self.params = params
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        for i, (p, g) in enumerate(zip(self.params, grads)):
            p *= 1 - self.lr * self.weight_decay
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g ** 2
            m_hat = self.m[i] / (1 - b1 ** self.t)
            v_hat = self.v[i] / (1 - b2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def fit_with_optimizer(opt, params, X, y, steps=4):
    """The book's training loop: gradients in NumPy, then `optimizer.update(params, grads)`."""
    losses = []
    for _ in range(steps):
        r = X @ params["W"] + params["b"] - y
        losses.append(np.mean(r ** 2))
        grads = {"W": 2 * X.T @ r / r.size, "b": 2 * r.mean(axis=0)}
        opt.update(params, grads)
    return losses, getattr(opt, "lr", None)


def adamw_scenario(opt, X, y, steps=4):
    losses = []
    for _ in range(steps):
        W, b = opt.params
        r = X @ W + b - y
        losses.append(np.mean(r ** 2))
        opt.step([2 * X.T @ r / r.size, 2 * r.mean(axis=0)])
    return losses, opt.params


def _regression(s, n):
    X = _f(n + 2, 3, seed=s)
    return ({"W": _f(3, 2, seed=s + 1), "b": np.zeros(2)}, X,
            X @ np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]]) + 0.1 * _f(n + 2, 2, seed=s + 2))


class ParticleBox:
    """Bouncing particles under gravity, as Jake VanderPlas's matplotlib animation writes
    them: `init_state` is an N x 4 array of positions and velocities."""

    def __init__(self, init_state, bounds=(-2.0, 2.0, -2.0, 2.0), size=0.04, M=0.05, G=9.8):
        self.init_state = np.asarray(init_state, dtype=float)
        self.M = M * np.ones(self.init_state.shape[0])
        self.size = size
        self.state = self.init_state.copy()
        self.time_elapsed = 0
        self.bounds = bounds
        self.G = G

    def step(self, dt):
        self.time_elapsed += dt
        self.state[:, :2] += dt * self.state[:, 2:]
        crossed_x1 = (self.state[:, 0] < self.bounds[0] + self.size)
        crossed_x2 = (self.state[:, 0] > self.bounds[1] - self.size)
        crossed_y1 = (self.state[:, 1] < self.bounds[2] + self.size)
        crossed_y2 = (self.state[:, 1] > self.bounds[3] - self.size)
        self.state[crossed_x1, 0] = self.bounds[0] + self.size
        self.state[crossed_x2, 0] = self.bounds[1] - self.size
        self.state[crossed_y1, 1] = self.bounds[2] + self.size
        self.state[crossed_y2, 1] = self.bounds[3] - self.size
        self.state[crossed_x1 | crossed_x2, 2] *= -1
        self.state[crossed_y1 | crossed_y2, 3] *= -1
        self.state[:, 3] -= self.M * self.G * dt


def particle_scenario(box, dt):
    frames = []
    for _ in range(4):
        box.step(dt)
        frames.append(box.state[:, :2].copy())
    return frames, box.time_elapsed


class SpringChain:
    """Masses joined by springs, velocity Verlet; `step` calls helper methods."""

    def __init__(self, x, k=10.0, m=1.0, rest=1.0, damping=0.05):
        self.x = x
        self.v = np.zeros_like(x)
        self.k, self.m, self.rest, self.damping = k, m, rest, damping
        self.t = 0.0

    def forces(self, x):
        stretch = np.diff(x) - self.rest
        f = np.zeros_like(x)
        f[:-1] += self.k * stretch
        f[1:] -= self.k * stretch
        return f - self.damping * self.v

    def energy(self):
        stretch = np.diff(self.x) - self.rest
        return 0.5 * self.m * np.sum(self.v ** 2) + 0.5 * self.k * np.sum(stretch ** 2)

    def step(self, dt):
        a = self.forces(self.x) / self.m
        self.x = self.x + self.v * dt + 0.5 * a * dt ** 2
        a_new = self.forces(self.x) / self.m
        self.v = self.v + 0.5 * (a + a_new) * dt
        self.t += dt
        return self.energy()


def spring_scenario(chain, dt):
    return [chain.step(dt) for _ in range(5)], chain.energy()


class SIRModel:
    def __init__(self, S, I, R, beta=0.3, gamma=0.1):
        self.S, self.I, self.R = S, I, R
        self.N = S + I + R
        self.beta, self.gamma = beta, gamma
        self.day = 0

    def step(self, dt=1.0):
        new_infections = self.beta * self.S * self.I / self.N * dt
        new_recoveries = self.gamma * self.I * dt
        self.S = self.S - new_infections
        self.I = self.I + new_infections - new_recoveries
        self.R = self.R + new_recoveries
        self.day += 1
        return new_infections


def sir_scenario(model, days):
    incidence = [model.step() for _ in range(days)]
    incidence.append(model.step(0.5))
    return np.array(incidence), model.S + model.I + model.R


def _sir_init(s, n):
    I = _f(n, positive=True, seed=s) * 10
    return 1000.0 - I, I, np.zeros(n)


class Life:
    def __init__(self, board):
        self.board = board
        self.generation = 0

    def neighbours(self):
        b = self.board
        return sum(np.roll(np.roll(b, i, 0), j, 1)
                   for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0))

    def step(self):
        n = self.neighbours()
        self.board = ((n == 3) | (self.board & (n == 2))).astype(self.board.dtype)
        self.generation += 1
        return self.board.sum()


def life_scenario(life):
    return [life.step() for _ in range(3)], life.generation


class HeatRod:
    def __init__(self, u0, alpha=0.01, dx=0.1, left=0.0, right=1.0):
        self.u = u0.copy()
        self.alpha, self.dx = alpha, dx
        self.left, self.right = left, right
        self.time = 0.0

    @property
    def max_dt(self):
        return 0.5 * self.dx ** 2 / self.alpha

    def step(self, dt):
        r = self.alpha * dt / self.dx ** 2
        self.u[1:-1] = self.u[1:-1] + r * (self.u[2:] - 2 * self.u[1:-1] + self.u[:-2])
        self.u[0], self.u[-1] = self.left, self.right
        self.time += dt


def heat_scenario(rod, n_steps):
    for _ in range(n_steps):
        rod.step(0.9 * rod.max_dt)
    return rod.u.copy(), rod.time


class KalmanFilter:
    """A linear Kalman filter as filterpy's `KalmanFilter` organises it: `predict`, `update`,
    and `batch_filter` calling them over a sequence of measurements."""

    def __init__(self, F, H, Q, R, x, P):
        self.F, self.H, self.Q, self.R = F, H, Q, R
        self.x, self.P = x, P
        self.y = None
        self.K = None

    def predict(self):
        self.x = self.F @ self.x
        self.P = self.F @ self.P @ self.F.T + self.Q
        return self.x

    def update(self, z):
        self.y = z - self.H @ self.x
        S = self.H @ self.P @ self.H.T + self.R
        self.K = self.P @ self.H.T @ np.linalg.inv(S)
        self.x = self.x + self.K @ self.y
        I_KH = np.eye(len(self.x)) - self.K @ self.H
        self.P = I_KH @ self.P @ I_KH.T + self.K @ self.R @ self.K.T
        return self.x

    def batch_filter(self, zs):
        means, covs = [], []
        for z in zs:
            self.predict()
            self.update(z)
            means.append(self.x)
            covs.append(self.P)
        return np.array(means), np.array(covs)


def _constant_velocity(s, n, dt=0.1):
    F = np.array([[1.0, dt], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = 0.01 * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    return F, H, Q, np.array([[0.25 * s]]), np.array([0.0, 1.0]), np.eye(2)


def _measurements(s, n):
    return (np.arange(n)[:, None] * 0.1 + 0.3 * _f(n, 1, seed=s),)


def kalman_steps_scenario(kf, zs):
    return [(kf.predict(), kf.update(z)) for z in zs], kf.y


def kalman_batch_scenario(kf, zs):
    means, covs = kf.batch_filter(zs)
    return means, covs, kf.predict()


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class RNN:
    """"Deep Learning from Scratch 2" (common/time_layers.py): gradients written into the
    arrays of `self.grads` with `[...] =`."""

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        t = np.dot(h_prev, Wh) + np.dot(x, Wx) + b
        h_next = np.tanh(t)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, h_next = self.cache
        dt = dh_next * (1 - h_next ** 2)
        db = np.sum(dt, axis=0)
        dWh = np.dot(h_prev.T, dt)
        dh_prev = np.dot(dt, Wh.T)
        dWx = np.dot(x.T, dt)
        dx = np.dot(dt, Wx.T)
        self.grads[0][...] = dWx
        self.grads[1][...] = dWh
        self.grads[2][...] = db
        return dx, dh_prev


class LSTM:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params
        N, H = h_prev.shape
        A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
        f = A[:, :H]
        g = A[:, H:2 * H]
        i = A[:, 2 * H:3 * H]
        o = A[:, 3 * H:]
        f = sigmoid(f)
        g = np.tanh(g)
        i = sigmoid(i)
        o = sigmoid(o)
        c_next = f * c_prev + g * i
        h_next = o * np.tanh(c_next)
        self.cache = (x, h_prev, c_prev, i, f, g, o, c_next)
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        Wx, Wh, b = self.params
        x, h_prev, c_prev, i, f, g, o, c_next = self.cache
        tanh_c_next = np.tanh(c_next)
        ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)
        dc_prev = ds * f
        di = ds * g
        df = ds * c_prev
        do = dh_next * tanh_c_next
        dg = ds * i
        di *= i * (1 - i)
        df *= f * (1 - f)
        do *= o * (1 - o)
        dg *= (1 - g ** 2)
        dA = np.hstack((df, dg, di, do))
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        return np.dot(dA, Wx.T), np.dot(dA, Wh.T), dc_prev


class GRU:
    def __init__(self, Wx, Wh, b):
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.cache = None

    def forward(self, x, h_prev):
        H = self.Wh.shape[0]
        Wxz, Wxr, Wxh = self.Wx[:, :H], self.Wx[:, H:2 * H], self.Wx[:, 2 * H:]
        Whz, Whr, Whh = self.Wh[:, :H], self.Wh[:, H:2 * H], self.Wh[:, 2 * H:]
        bz, br, bh = self.b[:H], self.b[H:2 * H], self.b[2 * H:]
        z = sigmoid(np.dot(x, Wxz) + np.dot(h_prev, Whz) + bz)
        r = sigmoid(np.dot(x, Wxr) + np.dot(h_prev, Whr) + br)
        h_hat = np.tanh(np.dot(x, Wxh) + np.dot(r * h_prev, Whh) + bh)
        h_next = (1 - z) * h_prev + z * h_hat
        self.cache = (x, h_prev, z, r, h_hat)
        return h_next


def _cell_init(blocks, H=4):
    return lambda s, n: (_f(3, blocks * H, seed=s) * 0.5, _f(H, blocks * H, seed=s + 1) * 0.5,
                         np.full(blocks * H, 0.1))


def rnn_scenario(cell, xs, h, dh):
    for x in xs:
        h = cell.forward(x, h)
    return h, cell.backward(dh)


def lstm_scenario(cell, xs, h, dh):
    c = np.zeros_like(h)
    for x in xs:
        h, c = cell.forward(x, h, c)
    return h, c, cell.backward(dh, 0.5 * dh)


def gru_scenario(cell, xs, h, dh):
    hs = []
    for x in xs:
        h = cell.forward(x, h)
        hs.append(h)
    return np.stack(hs, axis=1)


def _sequence(s, n):
    return _f(3, n, 3, seed=s + 2), np.zeros((n, 4)), _f(n, 4, seed=s + 3)


class BatchNormalization:
    """"Deep Learning from Scratch" (common/layers.py), with PyTorch's `train()`/`eval()`
    switching a mode string; running statistics created on the first call."""

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta = gamma, beta
        self.momentum, self.eps = momentum, eps
        self.mode = "train"
        self.running_mean = None
        self.running_var = None

    def train(self):
        self.mode = "train"

    def eval(self):
        self.mode = "eval"

    def forward(self, x):
        if self.running_mean is None:
            D = x.shape[1]
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)
        if self.mode == "train":
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + self.eps)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc, self.xn, self.std = xc, xn, std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * xn + self.beta

    def backward(self, dout):
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        self.dgamma, self.dbeta = dgamma, dbeta
        return dxc - dmu / self.batch_size


def batchnorm_scenario(bn, x, dout):
    y1 = bn.forward(x)
    dx = bn.backward(dout)
    y2 = bn.forward(2 * x + 1)
    bn.eval()
    y3 = bn.forward(x)
    bn.train()
    return y1, dx, y2, y3, bn.forward(x[::-1])


class Dropout:
    """The book's dropout with the uniform draws passed in (`u` for `np.random.rand`)."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, u, train_flg=True):
        if train_flg:
            self.mask = u > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class RngDropout:
    """Inverted dropout drawing from the layer's own generator."""

    def __init__(self, p, seed):
        self.p = p
        self.rng = np.random.default_rng(seed)

    def __call__(self, x):
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask / (1 - self.p)


def dropout_scenario(layer, x, u, dout):
    out = layer.forward(x, u)
    return out, layer.backward(dout), layer.forward(x, u, train_flg=False)


def rng_dropout_scenario(layer, x):
    return layer(x), layer(2 * x)


STATEFUL = {
    "sgd_momentum_lazy_state": (SGDMomentum, ("update",), lambda s, n: (0.05, 0.9),
                                fit_with_optimizer, _regression),
    "nesterov_in_place_state": (Nesterov, ("update",), lambda s, n: (0.05,),
                                fit_with_optimizer, _regression),
    "adagrad": (AdaGrad, ("update",), lambda s, n: (0.3,), fit_with_optimizer, _regression),
    "rmsprop": (RMSprop, ("update",), lambda s, n: (0.05, 0.9), fit_with_optimizer, _regression),
    "adam_step_count": (Adam, ("update",), lambda s, n: (0.1,), fit_with_optimizer, _regression),
    "decaying_sgd_rate": (DecayingSGD, ("update",), lambda s, n: (0.1, 0.5 + 0.1 * s),
                          fit_with_optimizer, _regression),
    "adamw_holding_params": (AdamW, ("step",), lambda s, n: (
        [_f(3, 2, seed=s), np.zeros(2)],), adamw_scenario, lambda s, n: _regression(s, n)[1:]),
    "particle_box_bounces": (ParticleBox, ("step",), lambda s, n: (_f(n, 4, seed=s) * 2,),
                             particle_scenario, lambda s, n: (0.05 * s,)),
    "spring_chain_verlet": (SpringChain, ("step",), lambda s, n: (
        np.arange(n, dtype=float) * 1.1 + 0.1 * _f(n, seed=s),), spring_scenario,
        lambda s, n: (0.05,)),
    "sir_model": (SIRModel, ("step",), _sir_init, sir_scenario, lambda s, n: (3 + s,)),
    "conway_life": (Life, ("step",), lambda s, n: (_i(2, n + 2, n + 3, seed=s).astype(np.uint8),),
                    life_scenario, lambda s, n: ()),
    "heat_rod": (HeatRod, ("step",), lambda s, n: (_f(2 * n, positive=True, seed=s),),
                 heat_scenario, lambda s, n: (4,)),
    "kalman_predict_update": (KalmanFilter, ("predict", "update"), _constant_velocity,
                              kalman_steps_scenario, _measurements),
    "kalman_batch_filter": (KalmanFilter, ("batch_filter",), _constant_velocity,
                            kalman_batch_scenario, _measurements),
    "kalman_batch_calls_jitted": (KalmanFilter, ("predict", "update", "batch_filter"),
                                  _constant_velocity, kalman_batch_scenario, _measurements),
    "rnn_cell_grads_in_place": (RNN, ("forward", "backward"), _cell_init(1), rnn_scenario,
                                _sequence),
    "lstm_cell": (LSTM, ("forward", "backward"), _cell_init(4), lstm_scenario, _sequence),
    "gru_cell": (GRU, ("forward",), _cell_init(3), gru_scenario, _sequence),
    "batchnorm_train_eval": (BatchNormalization, ("forward", "backward"), lambda s, n: (
        np.ones(3) * s, np.zeros(3)), batchnorm_scenario, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "dropout_mask_passed_in": (Dropout, ("forward", "backward"), lambda s, n: (0.3,),
                               dropout_scenario, lambda s, n: (
                                   _f(n, 3, seed=s), np.random.default_rng(s).random((n, 3)),
                                   _f(n, 3, seed=s + 1))),
    "dropout_self_rng": (RngDropout, ("__call__",), lambda s, n: (0.25, s), rng_dropout_scenario,
                         lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", _names(STATEFUL))
def test_optimizers_simulations_and_cells_as_classes_match_numpy(name):
    check_methods(*STATEFUL[name])


# ---------------------------------------------------------------------------------- gradients


def lotka_volterra_final_energy(y0):
    y = integrate_lotka_volterra(y0, h=0.05, steps=3)
    return np.sum(y ** 2)


def quadrature_loss(theta, a, b):
    def f(x):
        return np.exp(-theta[0] * x ** 2) * np.cos(theta[1] * x)
    return np.sum((gauss_legendre(f, a, b) - 0.5) ** 2)


def gauss_hermite_expectation(mu, sigma):
    x = mu[:, None] + np.sqrt(2.0) * sigma[:, None] * GH_NODES
    return np.sum(np.tanh(x) @ GH_WEIGHTS / np.sqrt(np.pi))


class MLPParams(NamedTuple):
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


def namedtuple_mlp_loss(p):
    h = ACTIVATIONS["tanh"](X_TRAIN @ p.W1 + p.b1)
    return np.mean(((h @ p.W2 + p.b2)[:, 0] - Y_TRAIN) ** 2)


def gmm_negative_log_likelihood(params, X):
    d = X[:, None, :] - params.means[None]
    logp = -0.5 * np.sum(d ** 2 / params.variances + np.log(2 * np.pi * params.variances), -1)
    logp = logp + np.log(params.weights)
    m = logp.max(axis=1, keepdims=True)
    return -np.mean(np.log(np.exp(logp - m).sum(axis=1)) + m[:, 0])


def layer_list_loss(params, x, y):
    model = LayerList(*(Linear(W, b) for W, b in params))
    return np.mean((model(x) - y) ** 2)


def rotation_loss(angle, axis, pts, target):
    return np.sum((rotate_points(axis, angle, pts) - target) ** 2)


def recommender_loss(user, item_ids, ratings, reg=0.01):
    pred = W_IN[item_ids] @ user
    return np.mean((pred - ratings) ** 2) + reg * user @ user


def gelu_layer_loss(W, b, x):
    return np.sum(dense(x, W, b, activation="gelu") ** 2) + LOSSES["huber_small"](x[:, 0], x[:, 1])


GRADS = {
    "global_class_weights_nll": (weighted_nll, (_f(6, 3, seed=1), _i(3, 6, seed=2)), 0),
    "rk4_butcher_tableau": (lotka_volterra_final_energy, (_f(2, positive=True, seed=3),), 0),
    "gauss_legendre_nodes_and_closure": (quadrature_loss, (
        np.array([0.7, 1.3]), _f(4, seed=4), _f(4, seed=4) + _f(4, positive=True, seed=5)),
        (0, 2)),
    "gauss_hermite_nodes": (gauss_hermite_expectation, (
        _f(3, seed=6) * 0.5, _f(3, positive=True, seed=7) * 0.5), (0, 1)),
    "partial_of_partial_penalty": (huber_fit_loss, (
        _f(3, seed=8), _f(12, 3, seed=9), _f(12, seed=10)), 0),
    "namedtuple_params_global_data": (namedtuple_mlp_loss, (MLPParams(
        _f(5, 4, seed=11) * 0.5, np.zeros(4), _f(4, 1, seed=12) * 0.5, np.zeros(1)),), 0),
    "dataclass_params": (gmm_negative_log_likelihood, (GMMParams(
        np.array([0.3, 0.7]), np.array([[-1.0, 0.0], [1.0, 0.5]]),
        np.array([[1.0, 0.5], [0.8, 1.2]])), _f(10, 2, seed=13)), 0),
    "model_objects_built_inside": (layer_list_loss, ([
        (_f(3, 4, seed=14), np.zeros(4)), (_f(4, 2, seed=15), np.full(2, 0.1))],
        _f(6, 3, seed=16), _f(6, 2, seed=17)), 0),
    "quaternion_objects_inside": (rotation_loss, (
        _f(5, seed=18), _f(5, 3, seed=19), _f(5, 3, seed=20), _f(5, 3, seed=21)), (0, 1)),
    "global_embedding_table": (recommender_loss, (
        _f(DIM, seed=22), _i(VOCAB, 7, seed=23), _f(7, seed=24)), 0),
    "activation_and_loss_registries": (gelu_layer_loss, (
        _f(3, 4, seed=25), _f(4, seed=26), _f(5, 3, seed=27)), (0, 1, 2)),
}


@pytest.mark.parametrize("name", _names(GRADS))
def test_gradients_through_tables_helpers_and_classes(name):
    """`grad`, `value_and_grad` (plain and jitted) and `vjp` of losses that read module
    tables (class weights, Butcher tableaux, quadrature nodes, embeddings), go through
    partials, registries and closures, take NamedTuple and dataclass parameters, or build
    model and quaternion objects inside: NumPy's value, finite-difference gradients."""
    check_grads(*GRADS[name])


# ------------------------------------------------------------------------------ refused forms


SCRATCH = np.zeros(6)


def scaled_sum_into_scratch(x, scale):
    np.multiply(x, scale, out=SCRATCH)
    return SCRATCH.sum(), SCRATCH.max()


LAST_FRAME = np.zeros((4, 5))


def keep_last_frame(frame):
    np.copyto(LAST_FRAME, frame)
    return LAST_FRAME.mean(axis=0)


BIAS_BUFFER = np.zeros(5)


def reset_bias(x):
    BIAS_BUFFER.fill(x.mean())
    return x - BIAS_BUFFER


STATE_TABLE = np.zeros((3, 5))


def write_first_row(x):
    row = STATE_TABLE[0]
    row[:] = np.tanh(x)
    return STATE_TABLE.sum(axis=0)


CAPACITY, OBS_DIM = 8, 5
REPLAY_OBS = np.zeros((CAPACITY, OBS_DIM))


def store_transition(ptr, obs):
    REPLAY_OBS[ptr % CAPACITY] = obs
    return np.linalg.norm(obs), ptr + 1


def make_class_weigher(n_classes):
    totals = np.zeros(n_classes)

    def class_fractions(labels, weights):
        totals[:] = 0.0
        for c in range(n_classes):
            totals[c] = weights[labels == c].sum()
        return totals / totals.sum()
    return class_fractions


class_fractions = make_class_weigher(3)


def scores_into_buffer(x, w, buf=np.zeros(16)):
    n = len(x)
    buf[:n] = x @ w
    return np.exp(buf[:n] - buf[:n].max())


LOSS_LOG = []


def logged_mse(pred, target):
    loss = np.mean((pred - target) ** 2)
    LOSS_LOG.append(loss)
    return loss


class Encoder:
    def __init__(self, W):
        self.W = W
        self.last_input = None

    def forward(self, x):
        self.last_input = x
        return np.tanh(x @ self.W)


ENCODER = Encoder(_RNG.standard_normal((3, 2)))


def encode_batch(x):
    return ENCODER.forward(x).mean(axis=0)


class EarlyStopping:
    def __init__(self, patience=2, min_delta=1e-3):
        self.patience, self.min_delta = patience, min_delta
        self.best = np.inf
        self.wait = 0

    def __call__(self, loss):
        if loss < self.best - self.min_delta:
            self.best, self.wait = loss, 0
        else:
            self.wait += 1
        return self.wait >= self.patience


def fit_with_early_stopping(w, X, y, lr=0.5, max_epochs=10):
    stopper = EarlyStopping()
    losses = []
    for _ in range(max_epochs):
        r = X @ w - y
        loss = np.mean(r ** 2)
        losses.append(loss)
        if stopper(loss):
            break
        w = w - lr * X.T @ r / len(y)
    return w, np.array(losses)


def huber_vectorized(r, delta=1.0):
    def huber_scalar(v):
        if abs(v) <= delta:
            return 0.5 * v * v
        return delta * (abs(v) - 0.5 * delta)
    return np.vectorize(huber_scalar)(r)


class Label(enum.IntEnum):
    CAT = 0
    DOG = 1
    BIRD = 2


def predict_label(logits):
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return Label(int(np.argmax(p))), p.max()


def one_vs_rest_targets(y):
    classes = np.unique(y)
    return classes, (y[:, None] == classes).astype(float)


def support_vectors(X, y, alpha, C=1.0):
    sv = alpha > 1e-5
    w = ((alpha * y)[:, None] * X).sum(axis=0)
    b = np.mean(y[sv] - X[sv] @ w)
    return X[sv], alpha[sv], w, b


_Unsupported = tracenp.errors.UnsupportedFunctionError
_Concretization = tracenp.errors.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
REFUSED = {
    "out_global_scratch": (_Unsupported, "out=", scaled_sum_into_scratch, lambda s: (
        _f(6, seed=s), 2.0)),
    "copyto_global": (_Unsupported, "copyto", keep_last_frame, lambda s: (_f(4, 5, seed=s),)),
    "fill_global": (_Unsupported, "Writing into `BIAS_BUFFER`", reset_bias, lambda s: (
        _f(5, seed=s),)),
    "write_through_a_view_of_a_global": (_Unsupported, "Writing into `STATE_TABLE`",
                                         write_first_row, lambda s: (_f(5, seed=s),)),
    "replay_buffer_row": (_Unsupported, "Writing into `REPLAY_OBS`", store_transition,
                          lambda s: (9, _f(OBS_DIM, seed=s))),
    "closure_totals": (_Unsupported, "Writing into `totals`", class_fractions, lambda s: (
        _i(3, 12, seed=s), _f(12, positive=True, seed=s))),
    "default_argument_buffer": (_Unsupported, "Writing into `a default of scores_into_buffer`",
                                scores_into_buffer, lambda s: (_f(5, 3, seed=s), _f(3, seed=s))),
    "global_list_append_loss": (_Unsupported, r"storing a traced value in LOSS_LOG\[",
                                logged_mse, lambda s: (_f(5, seed=s), _f(5, seed=s + 1))),
    "global_model_keeps_input": (_Unsupported, "storing a traced value in ENCODER.last_input",
                                 encode_batch, lambda s: (_f(4, 3, seed=s),)),
    "early_stopping_callback": (_Concretization, "truth value", fit_with_early_stopping,
                                lambda s: (np.zeros(3), _f(8, 3, seed=s), _f(8, seed=s + 1))),
    "vectorize_python_branches": (_Concretization, "truth value", huber_vectorized, lambda s: (
        _f(7, seed=s) * 2,)),
    "intenum_of_argmax": (_Concretization, r"int\(\)", predict_label, lambda s: (
        _f(3, seed=s),)),
    "unique_classes": (_DataDependent, "depends on the values", one_vs_rest_targets, lambda s: (
        _i(4, 9, seed=s),)),
    "svm_support_vectors": (_DataDependent, r"x\[mask\]", support_vectors, lambda s: (
        _f(8, 2, seed=s), np.sign(_f(8, seed=s + 1)),
        np.where(_f(8, seed=s + 2) > 0, _f(8, positive=True, seed=s + 3), 0.0))),
}
_WATCHED = (SCRATCH, LAST_FRAME, BIAS_BUFFER, STATE_TABLE, REPLAY_OBS, LOSS_LOG, ENCODER)


@pytest.mark.parametrize("name", list(REFUSED))
def test_writes_outside_the_call_and_value_dependent_python_are_refused(name):
    """Writes into global, closure and default-argument arrays (`out=`, `np.copyto`, `.fill`,
    a view's `row[:] =`, a replay buffer's row, a closure's reused totals), traced values
    kept past the call (a global list's `append(loss)`, a global model's `self.last_input`
    set by a plain function), Python that needs values (an early-stopping callback's `if loss
    < self.best`, `np.vectorize` of a function with `if`, `Label(int(np.argmax(p)))` of an
    IntEnum) and results sized by the data (`np.unique` classes, SVM support vectors by
    `X[alpha > 1e-5]`): the named error, no tracer left in the globals, and NumPy's values
    under `fallback=True`."""
    error, match, fn, make_args = REFUSED[name]
    with pytest.raises(error, match=match):
        tracenp.jit(fn)(*make_args(1))
    assert not _tracers_in(list(_WATCHED))
    check_refused(error, fn, make_args)
    assert not _tracers_in(list(_WATCHED))


GLOBAL_COUNTS = np.zeros(5, dtype=np.int64)


def count_tokens(labels):
    np.add.at(GLOBAL_COUNTS, labels, 1)
    return labels.size


def test_add_at_into_a_global_is_refused_and_counts_under_fallback():
    labels = _i(5, 20, seed=1)
    before = GLOBAL_COUNTS.copy()
    with pytest.raises(tracenp.errors.UnsupportedFunctionError,
                       match="Writing into `GLOBAL_COUNTS`"):
        tracenp.jit(count_tokens)(labels)
    np.testing.assert_array_equal(GLOBAL_COUNTS, before)
    want = before.copy()
    np.add.at(want, labels, 1)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert tracenp.jit(count_tokens, fallback=True)(labels) == 20
    np.testing.assert_array_equal(GLOBAL_COUNTS, want)


class Tracker:
    def __init__(self, w):
        self.w = w
        self.history = []

    def record(self, x):
        y = np.tanh(x @ self.w)
        self.history.append(y)
        return y.sum()


class Featurizer:
    CACHE = np.zeros((4, 3))

    def __init__(self, scale):
        self.scale = scale

    def encode(self, slot, x):
        self.CACHE[slot] = np.tanh(self.scale * x)
        return self.CACHE[slot] * 2


def _refused_method(cls, name, fallback=False):
    return type("Jit" + cls.__name__, (cls,),
                {name: tracenp.jit(getattr(cls, name), fallback=fallback)})


@pytest.mark.parametrize("case", ["history_append_in_a_method", "class_attribute_write"])
def test_jitted_methods_that_keep_tracers_or_write_class_tables_are_refused(case):
    """`self.history.append(y)` in a jitted method and `self.CACHE[slot] = v` into a class
    attribute: `UnsupportedFunctionError`, the instance and the class table left as they
    were, and under `fallback=True` NumPy's values and NumPy's changes to both."""
    if case == "history_append_in_a_method":
        cls, name, match = Tracker, "record", r"storing a traced value in self\.history\["
        init, args = (lambda: (_f(3, 2, seed=1),)), [(_f(4, 3, seed=s),) for s in (2, 3)]
    else:
        cls, name, match = Featurizer, "encode", "Writing into `CACHE`"
        init, args = (lambda: (1.5,)), [(s, _f(3, seed=s)) for s in (1, 2)]
    saved = Featurizer.CACHE.copy()
    try:
        obj = _refused_method(cls, name)(*init())
        with pytest.raises(tracenp.errors.UnsupportedFunctionError, match=match):
            getattr(obj, name)(*args[0])
        assert not _tracers_in(obj)
        assert_same(_plain(obj), _plain(cls(*init())))
        np.testing.assert_array_equal(Featurizer.CACHE, saved)
        want_obj = cls(*init())
        wants = [getattr(want_obj, name)(*a) for a in args]
        want_cache = Featurizer.CACHE.copy()
        Featurizer.CACHE[...] = saved
        got_obj = _refused_method(cls, name, fallback=True)(*init())
        with pytest.warns(tracenp.TracingFallbackWarning):
            gots = [getattr(got_obj, name)(*a) for a in args]
        assert_same(gots, wants)
        assert_same(_plain(got_obj), _plain(want_obj))
        np.testing.assert_array_equal(Featurizer.CACHE, want_cache)
    finally:
        Featurizer.CACHE[...] = saved


def make_rotation(axis, angle):
    return Quaternion.from_axis_angle(axis, angle)


def test_returning_a_user_object_holding_traced_arrays_is_refused():
    """A `Quaternion` returned from a jitted function would hold tracers: refused by name,
    and NumPy's quaternion under `fallback=True`."""
    axis, angle = _f(4, 3, seed=1), _f(4, seed=2)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="returning a Quaternion"):
        tracenp.jit(make_rotation)(axis, angle)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(make_rotation, fallback=True)(axis, angle)
    assert type(got) is Quaternion
    assert_same(got.q, make_rotation(axis, angle).q)


# ------------------------------------------------------------- module globals and closure cells


BEST = np.inf
CALLS = 0


def track_best(pred, target):
    global BEST
    loss = np.mean((pred - target) ** 2)
    BEST = np.minimum(BEST, loss)
    return loss


def counted_forward(x, W):
    global CALLS
    CALLS += 1
    return np.tanh(x @ W)


def make_ema_tracker(beta=0.9):
    avg = None

    def update(x):
        nonlocal avg
        avg = x if avg is None else beta * avg + (1 - beta) * x
        return avg
    return update


def test_rebinding_a_module_global_is_refused_and_left_as_it_was():
    """`global BEST; BEST = np.minimum(BEST, loss)` would leave a tracer in the module, and
    `global CALLS; CALLS += 1` would count once, while tracing: both refused by name, the
    globals as they were; under `fallback=True` NumPy's code updates them as NumPy does."""
    global BEST, CALLS
    BEST, CALLS = np.inf, 0
    args = [(_f(5, seed=s), _f(5, seed=s + 1)) for s in (1, 2, 3)]
    with pytest.raises(tracenp.errors.UnsupportedFunctionError,
                       match="storing a traced value in `BEST`"):
        tracenp.jit(track_best)(*args[0])
    assert BEST == np.inf and type(BEST) is float
    with pytest.raises(tracenp.errors.UnsupportedFunctionError,
                       match="changing the Python number `CALLS`"):
        tracenp.jit(counted_forward)(_f(2, 3, seed=1), _f(3, 2, seed=2))
    assert CALLS == 0 and type(CALLS) is int
    losses = [np.mean((p - t) ** 2) for p, t in args]
    jf = tracenp.jit(track_best, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = [jf(*a) for a in args]
    assert_same(got, losses)
    assert_same(BEST, np.minimum(np.minimum(np.minimum(np.inf, losses[0]), losses[1]),
                                 losses[2]))
    jc = tracenp.jit(counted_forward, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        for s in (1, 2, 3):
            assert_same(jc(_f(2, 3, seed=s), _f(3, 2, seed=2)),
                        np.tanh(_f(2, 3, seed=s) @ _f(3, 2, seed=2)))
    assert CALLS == 3
    BEST, CALLS = np.inf, 0


def test_rebinding_a_closure_cell_is_refused_and_left_as_it_was():
    """An exponential moving average kept in a `nonlocal` cell: refused by name (the cell
    would keep a tracer), the cell still None; under `fallback=True` NumPy's averages, and
    the cell holds NumPy's last one."""
    update = make_ema_tracker()
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match=r"`avg` \(nonlocal\)"):
        tracenp.jit(update)(np.ones(3))
    assert update.__closure__[0].cell_contents is None
    xs = [np.full(3, float(v)) for v in (1, 2, 3)]
    plain = make_ema_tracker()
    wants = [plain(x).copy() for x in xs]
    np.testing.assert_allclose([w[0] for w in wants], [1.0, 1.1, 1.29])
    jf = tracenp.jit(update, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        gots = [jf(x).copy() for x in xs]
    assert_same(gots, wants)
    cell = update.__closure__[0].cell_contents
    assert not isinstance(cell, Tracer)
    assert_same(cell, wants[-1])
