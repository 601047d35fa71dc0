"""Gradient hunt AD: training code for models written in plain NumPy and differentiated with
tracenp, the way picoGPT, minGPT/nanoGPT NumPy ports, CS231n's assignments and numpy-ml write
them. Transformers: embedding lookups `wte[tokens] + wpe[range(T)]` with an int token argument,
layer norm by `np.mean`/`np.var(keepdims=True)`, RMSNorm, tanh GELU, causal attention with
`np.tri`/`np.tril` masks as `np.where(mask, att, -np.inf)` or an additive `-1e10`, heads split by
`np.split` or `reshape`/`transpose(0, 2, 1, 3)`, rotary embeddings, weight tying, cross-entropy by
max-shifted logsumexp and `logp[np.arange(T), targets]`, label smoothing and ignore indices, over
parameters in nested dicts as picoGPT's `params["blocks"][0]["attn"]["c_attn"]["w"]`. Layers: conv
by loops over `np.pad`ded input and by CS231n's im2col index arrays, max/avg pooling by loops and
by reshape, batch norm in training mode (also against CS231n's hand-written backward), dropout with
a given mask, RNN/LSTM/GRU cells unrolled in Python loops, the captioning model's temporal softmax
loss, a VAE with the reparameterization noise as an argument, SVM/softmax losses against their
hand-written gradients, Huber/focal/hinge/contrastive/triplet losses and L1/L2 penalties summed
over a dict of parameters. Training: a few SGD, momentum and Adam steps over a dict of parameters
with gradients from `tracenp.grad`/`value_and_grad` (plain, inside `jit`, with `has_aux` and tuple
`argnums`), compared with the same loop driven by a hand-written NumPy gradient. Each table case
goes through `check_grads` of `tests/test_grad_hunt_r.py` (value against eager NumPy; gradients
of `value_and_grad`, its `jit`, `grad` and `vjp` under `jit` against central differences); the
models with a few thousand parameters check a random subset of coordinates. Marked xfail: a
loss that writes a value computed from the parameters into another argument (batch norm's running
statistics, a cache dict; it crashes the interpreter, so it runs in a subprocess), ufunc
`where=`/`out=` giving NaN gradients at positions NumPy never computes, losses of shape (1,) or
(1, 1) that autograd accepts, `scipy.signal.correlate2d`, and a layer object keeping its input on
`self`.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import tracenp
from tracenp import pytree
from test_corpus import check_like_numpy, check_refused
from test_grad_hunt_r import assert_grads_close, assert_tree_like, check_grads
from test_corpus_hunt_ab import (attention, gelu, gpt2, layer_norm, linear, sigmoid,
                                 softmax, transformer_block)
from test_corpus_hunt_v import _names, _Xfail

rng = np.random.default_rng(404)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


CASES: dict[str, tuple] = {}
BIG: dict[str, tuple] = {}


def case(name, fn, *args, argnums=0, xfail=None, table=CASES):
    """Add `name -> (fn, args, argnums)`; `xfail` is the reason tracenp gets it wrong."""
    assert name not in CASES and name not in BIG, name
    table[name] = _Xfail(xfail, fn, args, argnums) if xfail else (fn, args, argnums)


def big(name, fn, *args, argnums=0):
    case(name, fn, *args, argnums=argnums, table=BIG)


# ----------------------------------------------------------------------------- picoGPT


def ffn(x, c_fc, c_proj):
    return linear(gelu(linear(x, **c_fc)), **c_proj)


def mha(x, c_attn, c_proj, n_head):
    x = linear(x, **c_attn)
    qkv = np.split(x, 3, axis=-1)
    qkv_heads = list(map(lambda x: np.split(x, n_head, axis=-1), qkv))
    causal_mask = (1 - np.tri(x.shape[0], dtype=x.dtype)) * -1e10
    out_heads = [attention(q, k, v, causal_mask) for q, k, v in zip(*qkv_heads)]
    return linear(np.hstack(out_heads), **c_proj)


def cross_entropy(logits, targets):
    logits = logits - np.max(logits, axis=-1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    return -np.mean(logp[np.arange(len(targets)), targets])


def gpt2_loss(params, inputs, targets, n_head=2):
    return cross_entropy(gpt2(inputs, **params, n_head=n_head), targets)


def gpt2_params(n_vocab, n_ctx, d, n_layer, scale=0.3, mlp=4):
    def dense(m, n):
        return {"w": normal(m, n, scale=scale), "b": normal(n, scale=0.1)}

    def ln():
        return {"g": 1 + normal(d, scale=0.1), "b": normal(d, scale=0.1)}

    return {"wte": normal(n_vocab, d, scale=0.5), "wpe": normal(n_ctx, d, scale=0.2),
            "blocks": [{"mlp": {"c_fc": dense(d, mlp * d), "c_proj": dense(mlp * d, d)},
                        "attn": {"c_attn": dense(d, 3 * d), "c_proj": dense(d, d)},
                        "ln_1": ln(), "ln_2": ln()} for _ in range(n_layer)],
            "ln_f": ln()}


V, T_CTX, D_SMALL = 7, 6, 8
TOKENS = rng.integers(0, V, T_CTX)
TOKENS[2] = TOKENS[0]
NEXT = np.roll(TOKENS, -1)
GPT_SMALL = gpt2_params(V, T_CTX, D_SMALL, 1, mlp=2)
GPT_D16 = gpt2_params(11, 8, 16, 2)
TOK16 = rng.integers(0, 11, 8)
NEXT16 = rng.integers(0, 11, 8)

case("picogpt_gelu_tanh", lambda x: np.sum(gelu(x) * np.arange(12.0).reshape(3, 4)),
     normal(3, 4))
case("picogpt_softmax_weighted", lambda x, w: np.sum(softmax(x) * w), normal(4, 5),
     normal(4, 5))
case("picogpt_layer_norm_kwargs_dict", lambda ln, x, w: np.sum(layer_norm(x, **ln) * w),
     {"g": 1 + normal(6, scale=0.2), "b": normal(6)}, normal(3, 6), normal(3, 6))
case("picogpt_layer_norm_wrt_x", lambda x, ln, w: np.sum(layer_norm(x, **ln) * w),
     normal(3, 6), {"g": 1 + normal(6, scale=0.2), "b": normal(6)}, normal(3, 6))
case("picogpt_ffn_nested_kwargs", lambda p, x: np.sum(ffn(x, **p) ** 2),
     {"c_fc": {"w": normal(4, 8, scale=0.5), "b": normal(8)},
      "c_proj": {"w": normal(8, 4, scale=0.5), "b": normal(4)}}, normal(5, 4))
case("picogpt_attention_additive_tri_mask",
     lambda q, k, v: np.sum(attention(q, k, v, (1 - np.tri(5)) * -1e10) ** 2),
     normal(5, 4), normal(5, 4), normal(5, 4), argnums=(0, 1, 2))
case("picogpt_mha_np_split_heads", lambda p, x: np.sum(mha(x, **p, n_head=2) * x),
     GPT_SMALL["blocks"][0]["attn"], normal(T_CTX, D_SMALL))
case("picogpt_block_wrt_block_dict",
     lambda blk, x: np.sum(np.tanh(transformer_block(x, **blk, n_head=2))),
     GPT_SMALL["blocks"][0], normal(T_CTX, D_SMALL))
case("picogpt_block_wrt_input", lambda x, blk: np.sum(transformer_block(x, **blk, n_head=2) ** 2),
     normal(T_CTX, D_SMALL), GPT_SMALL["blocks"][0])
case("picogpt_full_loss_nested_params_1layer", gpt2_loss, GPT_SMALL, TOKENS, NEXT)
case("picogpt_full_loss_n_head_argument", gpt2_loss, GPT_SMALL, TOKENS, NEXT, 2)
case("picogpt_full_loss_one_head", lambda p, i, t: gpt2_loss(p, i, t, n_head=1), GPT_SMALL,
     TOKENS, NEXT)
case("picogpt_logits_vjp_wte_only", lambda wte, p, i: np.sum(
    gpt2(i, wte, p["wpe"], p["blocks"], p["ln_f"], 2)[-1] ** 2), GPT_SMALL["wte"], GPT_SMALL,
    TOKENS)
big("picogpt_full_loss_d16_2layers", gpt2_loss, GPT_D16, TOK16, NEXT16)


# ----------------------------------------------------------------------------- nanoGPT ports


def rms_norm(x, weight, eps=1e-6):
    return x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps) * weight


def causal_self_attention(x, p, n_head, masking="where"):
    """nanoGPT's block: one qkv projection split on the last axis, heads by
    reshape/transpose(0, 2, 1, 3), a lower-triangular mask of ones."""
    B, T, C = x.shape
    q, k, v = np.split(x @ p["c_attn_w"] + p["c_attn_b"], 3, axis=2)
    hs = C // n_head
    q = q.reshape(B, T, n_head, hs).transpose(0, 2, 1, 3)
    k = k.reshape(B, T, n_head, hs).transpose(0, 2, 1, 3)
    v = v.reshape(B, T, n_head, hs).transpose(0, 2, 1, 3)
    att = (q @ k.transpose(0, 1, 3, 2)) * (1.0 / np.sqrt(hs))
    bias = np.tril(np.ones((T, T))).reshape(1, 1, T, T)
    if masking == "where":
        att = np.where(bias[:, :, :T, :T] == 0, -np.inf, att)
    else:
        att = att + (1.0 - bias) * -1e10
    att = att - att.max(axis=-1, keepdims=True)
    att = np.exp(att)
    att = att / att.sum(axis=-1, keepdims=True)
    y = att @ v
    y = y.transpose(0, 2, 1, 3).reshape(B, T, C)
    return y @ p["c_proj_w"] + p["c_proj_b"]


def nanogpt_block(x, p, n_head):
    x = x + causal_self_attention(layer_norm(x, p["ln1_g"], p["ln1_b"]), p, n_head)
    h = gelu(layer_norm(x, p["ln2_g"], p["ln2_b"]) @ p["fc_w"] + p["fc_b"])
    return x + h @ p["proj_w"] + p["proj_b"]


def nanogpt_loss(params, idx, targets, n_head=2):
    B, T = idx.shape
    pos = np.arange(0, T)
    x = params["wte"][idx] + params["wpe"][pos]
    for blk in params["h"]:
        x = nanogpt_block(x, blk, n_head)
    x = layer_norm(x, params["ln_f_g"], params["ln_f_b"])
    logits = x @ params["wte"].T
    logits = logits.reshape(-1, logits.shape[-1])
    targets = targets.reshape(-1)
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=1)) + m[:, 0]
    return np.mean(lse - logits[np.arange(len(targets)), targets])


def nanogpt_params(n_vocab, T, C, n_layer, hidden=2):
    def block():
        return {"ln1_g": np.ones(C), "ln1_b": np.zeros(C),
                "c_attn_w": normal(C, 3 * C, scale=0.3), "c_attn_b": normal(3 * C, scale=0.05),
                "c_proj_w": normal(C, C, scale=0.3), "c_proj_b": np.zeros(C),
                "ln2_g": np.ones(C) + normal(C, scale=0.1), "ln2_b": np.zeros(C),
                "fc_w": normal(C, hidden * C, scale=0.3), "fc_b": np.zeros(hidden * C),
                "proj_w": normal(hidden * C, C, scale=0.3), "proj_b": np.zeros(C)}

    return {"wte": normal(n_vocab, C, scale=0.5), "wpe": normal(T, C, scale=0.1),
            "h": [block() for _ in range(n_layer)], "ln_f_g": np.ones(C),
            "ln_f_b": np.zeros(C)}


NANO = nanogpt_params(V, 5, 8, 1)
IDX = rng.integers(0, V, (2, 5))
IDX_T = rng.integers(0, V, (2, 5))
NANO_D16 = nanogpt_params(11, 8, 16, 2, hidden=4)
IDX16 = rng.integers(0, 11, (2, 8))
IDX16_T = rng.integers(0, 11, (2, 8))

case("nanogpt_attention_where_neg_inf", lambda p, x: np.sum(
    causal_self_attention(x, p, 2) ** 2), NANO["h"][0], normal(2, 5, 8))
case("nanogpt_attention_additive_1e10", lambda p, x: np.sum(
    causal_self_attention(x, p, 2, masking="add") ** 2), NANO["h"][0], normal(2, 5, 8))
case("nanogpt_attention_wrt_x", lambda x, p: np.sum(np.sin(causal_self_attention(x, p, 4))),
     normal(2, 5, 8), NANO["h"][0])
case("nanogpt_full_loss_list_of_block_dicts", nanogpt_loss, NANO, IDX, IDX_T)
big("nanogpt_full_loss_d16_2layers", nanogpt_loss, NANO_D16, IDX16, IDX16_T)


def rotary_interleaved(x, theta=10000.0):
    """LLaMA NumPy ports: pairs (x[..., 0::2], x[..., 1::2]) rotated by position angles."""
    T, d = x.shape[-2], x.shape[-1]
    freqs = 1.0 / (theta ** (np.arange(0, d, 2)[: d // 2] / d))
    angles = np.outer(np.arange(T), freqs)
    cos, sin = np.cos(angles), np.sin(angles)
    xr = x.reshape(*x.shape[:-1], d // 2, 2)
    x0, x1 = xr[..., 0], xr[..., 1]
    out = np.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], axis=-1)
    return out.reshape(x.shape)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return np.concatenate((-x2, x1), axis=-1)


def rotary_half(x, base=10000):
    T, d = x.shape[-2], x.shape[-1]
    inv_freq = 1.0 / (base ** (np.arange(0, d, 2).astype(np.float64) / d))
    freqs = np.einsum("i,j->ij", np.arange(T, dtype=np.float64), inv_freq)
    emb = np.concatenate((freqs, freqs), axis=-1)
    return x * np.cos(emb) + rotate_half(x) * np.sin(emb)


def llama_attention(p, x, n_head=2, rope=rotary_half):
    T, C = x.shape
    hd = C // n_head
    h = rms_norm(x, p["attn_norm"])
    q = (h @ p["wq"]).reshape(T, n_head, hd).transpose(1, 0, 2)
    k = (h @ p["wk"]).reshape(T, n_head, hd).transpose(1, 0, 2)
    v = (h @ p["wv"]).reshape(T, n_head, hd).transpose(1, 0, 2)
    q, k = rope(q), rope(k)
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    scores = scores + mask
    probs = softmax(scores)
    out = (probs @ v).transpose(1, 0, 2).reshape(T, C)
    x = x + out @ p["wo"]
    h = rms_norm(x, p["ffn_norm"])
    silu = lambda z: z / (1 + np.exp(-z))
    return x + (silu(h @ p["w1"]) * (h @ p["w3"])) @ p["w2"]


LLAMA = {"attn_norm": 1 + normal(8, scale=0.1), "wq": normal(8, 8, scale=0.4),
         "wk": normal(8, 8, scale=0.4), "wv": normal(8, 8, scale=0.4),
         "wo": normal(8, 8, scale=0.4), "ffn_norm": 1 + normal(8, scale=0.1),
         "w1": normal(8, 12, scale=0.3), "w3": normal(8, 12, scale=0.3),
         "w2": normal(12, 8, scale=0.3)}

case("rmsnorm_weight_and_x", lambda x, w: np.sum(rms_norm(x, w) * np.cos(x)), normal(4, 6),
     1 + normal(6, scale=0.1), argnums=(0, 1))
case("rotary_interleaved_pairs_reshape", lambda x: np.sum(rotary_interleaved(x) ** 3),
     normal(2, 5, 8))
case("rotary_rotate_half_einsum_freqs", lambda x, w: np.sum(rotary_half(x) * w), normal(5, 8),
     normal(5, 8))
case("rotary_qk_scores", lambda q, k: np.sum(softmax(rotary_half(q) @ rotary_half(k).T)
                                             * np.arange(16.0).reshape(4, 4)),
     normal(4, 6), normal(4, 6), argnums=(0, 1))
case("llama_block_rope_triu_neg_inf_swiglu", lambda p, x: np.sum(llama_attention(p, x) ** 2),
     LLAMA, normal(5, 8))
case("llama_block_interleaved_rope", lambda p, x: np.sum(
    llama_attention(p, x, rope=rotary_interleaved) ** 2), LLAMA, normal(5, 8))


# ----------------------------------------------------------------------------- cross-entropies


def ce_label_smoothing(logits, targets, smoothing=0.1):
    T, Vv = logits.shape
    logits = logits - logits.max(axis=-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    true_dist = np.full_like(logp, smoothing / (Vv - 1))
    true_dist[np.arange(T), targets] = 1.0 - smoothing
    return -np.sum(true_dist * logp) / T


def ce_label_smoothing_eye(logits, targets, eps=0.2):
    Vv = logits.shape[-1]
    onehot = np.eye(Vv)[targets]
    soft = onehot * (1 - eps) + eps / Vv
    logp = logits - logits.max(-1, keepdims=True)
    logp = logp - np.log(np.sum(np.exp(logp), -1, keepdims=True))
    return -(soft * logp).sum(-1).mean()


def ce_ignore_index(logits, targets, ignore_index=-1):
    """minGPT's `ignore_index=-1`: masked positions pick row 0 and are multiplied out."""
    mask = targets != ignore_index
    safe = np.where(mask, targets, 0)
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.sum(logp[np.arange(len(targets)), safe] * mask) / mask.sum()


def ce_take_along_axis(logits, targets):
    logp = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], axis=-1).mean()


def ce_batched_3d_fancy(logits, targets):
    B, T, _ = logits.shape
    m = logits.max(axis=-1, keepdims=True)
    logp = logits - (m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True)))
    return -logp[np.arange(B)[:, None], np.arange(T)[None, :], targets].mean()


def ce_z_loss(logits, targets, z_coef=1e-2):
    m = np.max(logits, axis=-1, keepdims=True)
    lse = (m + np.log(np.sum(np.exp(logits - m), axis=-1, keepdims=True)))[:, 0]
    nll = lse - logits[np.arange(len(targets)), targets]
    return np.mean(nll) + z_coef * np.mean(lse ** 2)


TGT = np.array([3, 0, 6, 6, 2, 1])
TGT_IGN = np.array([3, -1, 6, -1, 2, 1])
case("ce_label_smoothing_full_like_write", ce_label_smoothing, normal(6, 7), TGT)
case("ce_label_smoothing_eye_onehot", ce_label_smoothing_eye, normal(6, 7), TGT)
case("ce_ignore_index_mingpt", ce_ignore_index, normal(6, 7), TGT_IGN)
case("ce_take_along_axis", ce_take_along_axis, normal(2, 3, 7), TGT.reshape(2, 3))
case("ce_batched_3d_fancy_index", ce_batched_3d_fancy, normal(2, 3, 7), TGT.reshape(2, 3))
case("ce_palm_z_loss", ce_z_loss, normal(6, 7), TGT)


def tied_embedding_lm(params, tokens, targets):
    """Embedding and unembedding share `wte`; tokens repeat, so the lookup's gradient
    accumulates rows."""
    x = np.take(params["wte"], tokens, axis=0) + params["wpe"][: len(tokens)]
    x = np.tanh(x @ params["w"])
    return cross_entropy(x @ params["wte"].T, targets)


def bigram_lm(W, idx, targets):
    """makemore's bigram model: a table of logits looked up by the previous character."""
    logits = W[idx]
    counts = np.exp(logits)
    probs = counts / counts.sum(1, keepdims=True)
    return -np.log(probs[np.arange(len(idx)), targets]).mean() + 0.01 * (W ** 2).mean()


def mlp_lm_makemore(p, X, Y):
    """makemore's MLP: embeddings of a block of previous characters concatenated by reshape."""
    emb = p["C"][X]
    h = np.tanh(emb.reshape(emb.shape[0], -1) @ p["W1"] + p["b1"])
    logits = h @ p["W2"] + p["b2"]
    return cross_entropy(logits, Y)


MAKEMORE_X = rng.integers(0, 6, (7, 3))
MAKEMORE_Y = rng.integers(0, 6, 7)
case("tied_embedding_take_and_transpose", tied_embedding_lm,
     {"wte": normal(V, 6, scale=0.5), "wpe": normal(8, 6, scale=0.2), "w": normal(6, 6,
                                                                                  scale=0.4)},
     TOKENS, NEXT)
case("makemore_bigram_table", bigram_lm, normal(6, 6), MAKEMORE_Y, np.roll(MAKEMORE_Y, 1))
case("makemore_mlp_embedding_concat", mlp_lm_makemore,
     {"C": normal(6, 2), "W1": normal(6, 10, scale=0.4), "b1": normal(10, scale=0.1),
      "W2": normal(10, 6, scale=0.4), "b2": np.zeros(6)}, MAKEMORE_X, MAKEMORE_Y)


# ----------------------------------------------------------------------------- CS231n layers


def conv_forward_naive(x, w, b, conv_param):
    """Loops over images, filters and output positions of the zero-padded input."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), "constant")
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    out[n, f, i, j] = np.sum(x_pad[n, :, hs:hs + HH, ws:ws + WW] * w[f]) + b[f]
    return out


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    N, C, H, W = x_shape
    out_height = (H + 2 * padding - field_height) // stride + 1
    out_width = (W + 2 * padding - field_width) // stride + 1
    i0 = np.repeat(np.arange(field_height), field_width)
    i0 = np.tile(i0, C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]
    C = x.shape[1]
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)


def conv_forward_im2col(x, w, b, stride=1, pad=1):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    out_h = (H + 2 * pad - HH) // stride + 1
    out_w = (W + 2 * pad - WW) // stride + 1
    x_cols = im2col_indices(x, HH, WW, pad, stride)
    res = w.reshape((F, -1)) @ x_cols + b.reshape(-1, 1)
    out = res.reshape(F, out_h, out_w, N)
    return out.transpose(3, 0, 1, 2)


def col2im_adjoint_check(cols, x_shape):
    """CS231n's col2im: `np.add.at` of the columns back into the padded image."""
    N, C, H, W = x_shape
    x_padded = np.zeros((N, C, H + 2, W + 2), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, 3, 3, 1, 1)
    cols_reshaped = cols.reshape(C * 9, -1, N).transpose(2, 0, 1)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    return x_padded[:, :, 1:-1, 1:-1]


def max_pool_naive(x, pool_param):
    N, C, H, W = x.shape
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out, W_out = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * s:i * s + ph, j * s:j * s + pw])
    return out


def max_pool_reshape(x, size=2):
    N, C, H, W = x.shape
    x_reshaped = x.reshape(N, C, H // size, size, W // size, size)
    return x_reshaped.max(axis=3).max(axis=4)


def avg_pool_reshape(x, size=2):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // size, size, W // size, size).mean(axis=(3, 5))


def global_avg_pool_flatten(x):
    return x.mean(axis=(2, 3)).reshape(x.shape[0], -1)


def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    """CS231n's staged form, every intermediate kept for the hand-written backward."""
    N, D = x.shape
    mu = 1.0 / N * np.sum(x, axis=0)
    xmu = x - mu
    sq = xmu ** 2
    var = 1.0 / N * np.sum(sq, axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    out = gamma * xhat + beta
    return out, (xhat, gamma, xmu, ivar, sqrtvar, var, eps)


def batchnorm_backward_alt(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(xhat * dout, axis=0)
    dxhat = dout * gamma
    dx = (1.0 / N) * ivar * (N * dxhat - np.sum(dxhat, axis=0)
                             - xhat * np.sum(dxhat * xhat, axis=0))
    return dx, dgamma, dbeta


def batchnorm_running_stats(x, gamma, beta, bn_param):
    """Training mode that also updates the running statistics in `bn_param` in place."""
    momentum = bn_param.get("momentum", 0.9)
    sample_mean = x.mean(axis=0)
    sample_var = x.var(axis=0)
    x_norm = (x - sample_mean) / np.sqrt(sample_var + 1e-5)
    bn_param["running_mean"] = momentum * bn_param["running_mean"] + (1 - momentum) * sample_mean
    bn_param["running_var"] = momentum * bn_param["running_var"] + (1 - momentum) * sample_var
    return np.sum(np.tanh(gamma * x_norm + beta))


def spatial_batchnorm(x, gamma, beta):
    N, C, H, W = x.shape
    x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out, _ = batchnorm_forward_train(x_flat, gamma, beta)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def groupnorm(x, gamma, beta, G, eps=1e-5):
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
    mean = xg.mean(axis=(2, 3, 4), keepdims=True)
    var = xg.var(axis=(2, 3, 4), keepdims=True)
    xg = (xg - mean) / np.sqrt(var + eps)
    return xg.reshape(N, C, H, W) * gamma + beta


def dropout_forward(x, mask, p=0.6):
    """Inverted dropout with the mask drawn outside: `(rand < p) / p`."""
    return x * (mask < p) / p


def affine_relu_dropout_net(params, X, y, mask):
    h = np.maximum(0, X.reshape(X.shape[0], -1) @ params["W1"] + params["b1"])
    h = dropout_forward(h, mask)
    scores = h @ params["W2"] + params["b2"]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(Z)
    loss = -np.sum(log_probs[np.arange(X.shape[0]), y]) / X.shape[0]
    return loss + 0.5 * 0.05 * sum(np.sum(params[k] ** 2) for k in ("W1", "W2"))


def three_layer_convnet(params, X, y):
    """CS231n's ThreeLayerConvNet: conv - relu - 2x2 max pool - affine - relu - affine - softmax."""
    W1, b1 = params["W1"], params["b1"]
    out = conv_forward_im2col(X, W1, b1, stride=1, pad=(W1.shape[2] - 1) // 2)
    out = max_pool_reshape(np.maximum(out, 0))
    h = np.maximum(0, out.reshape(out.shape[0], -1) @ params["W2"] + params["b2"])
    scores = h @ params["W3"] + params["b3"]
    loss = cross_entropy(scores, y)
    for k in ("W1", "W2", "W3"):
        loss += 0.5 * 0.01 * np.sum(params[k] * params[k])
    return loss


IMG = normal(2, 2, 4, 4)
FILT = normal(3, 2, 3, 3, scale=0.5)
FB = normal(3, scale=0.1)
POOL_IN = normal(2, 2, 4, 4)
BN_X = normal(6, 4) * 2 + 1
case("cs231n_conv_naive_loops_pad", lambda x, w, b, dout: np.sum(
    conv_forward_naive(x, w, b, {"stride": 1, "pad": 1}) * dout), IMG, FILT, FB,
    normal(2, 3, 4, 4), argnums=(0, 1, 2))
case("cs231n_conv_naive_stride2", lambda w, x, dout: np.sum(
    conv_forward_naive(x, w, np.zeros(3), {"stride": 2, "pad": 1}) * dout), FILT,
    normal(1, 2, 5, 5), normal(1, 3, 3, 3))
case("cs231n_conv_im2col_index_arrays", lambda x, w, b, dout: np.sum(
    conv_forward_im2col(x, w, b) * dout), IMG, FILT, FB, normal(2, 3, 4, 4), argnums=(0, 1, 2))
case("cs231n_conv_im2col_stride2_weights", lambda w, x, dout: np.sum(
    conv_forward_im2col(x, w, np.zeros(3), stride=2) * dout), FILT, normal(1, 2, 5, 5),
    normal(1, 3, 3, 3))
case("cs231n_col2im_add_at", lambda cols, w: np.sum(col2im_adjoint_check(cols, (2, 2, 3, 3)) * w),
     normal(18, 18), normal(2, 2, 3, 3))
case("cs231n_max_pool_naive_loops", lambda x, d: np.sum(max_pool_naive(
    x, {"pool_height": 2, "pool_width": 2, "stride": 2}) * d), POOL_IN, normal(2, 2, 2, 2))
case("cs231n_max_pool_overlapping_stride1", lambda x, d: np.sum(max_pool_naive(
    x, {"pool_height": 2, "pool_width": 2, "stride": 1}) * d), normal(1, 2, 4, 4),
    normal(1, 2, 3, 3))
case("max_pool_reshape_max_max", lambda x, d: np.sum(max_pool_reshape(x) * d), POOL_IN,
     normal(2, 2, 2, 2))
case("avg_pool_reshape_mean_axes", lambda x, d: np.sum(avg_pool_reshape(x) * d), POOL_IN,
     normal(2, 2, 2, 2))
case("global_avg_pool_flatten", lambda x, w: np.sum(global_avg_pool_flatten(x) @ w), POOL_IN,
     normal(2, 3))
case("cs231n_batchnorm_staged", lambda x, g, b, d: np.sum(batchnorm_forward_train(x, g, b)[0]
                                                          * d),
     BN_X, 1 + normal(4, scale=0.2), normal(4), normal(6, 4), argnums=(0, 1, 2))
case("spatial_batchnorm_transpose_reshape", lambda x, g, b, d: np.sum(
    spatial_batchnorm(x, g, b) * d), POOL_IN, 1 + normal(2, scale=0.2), normal(2),
    normal(2, 2, 4, 4), argnums=(0, 1, 2))
case("groupnorm_reshape_groups", lambda x, g, b, d: np.sum(groupnorm(x, g, b, 2) * d),
     normal(2, 4, 2, 2), 1 + normal(1, 4, 1, 1, scale=0.2), normal(1, 4, 1, 1),
     normal(2, 4, 2, 2), argnums=(0, 1, 2))
case("dropout_given_mask", lambda x, m: np.sum(dropout_forward(x, m) ** 2), normal(4, 5),
     rng.random((4, 5)))
case("cs231n_two_layer_dropout_l2_sum_generator", affine_relu_dropout_net,
     {"W1": normal(6, 8, scale=0.4), "b1": normal(8, scale=0.1), "W2": normal(8, 3, scale=0.4),
      "b2": np.zeros(3)}, normal(5, 2, 3), rng.integers(0, 3, 5), rng.random((5, 8)))
case("cs231n_three_layer_convnet", three_layer_convnet,
     {"W1": normal(2, 1, 3, 3, scale=0.5), "b1": normal(2, scale=0.1),
      "W2": normal(8, 5, scale=0.4), "b2": normal(5, scale=0.1), "W3": normal(5, 3, scale=0.4),
      "b3": np.zeros(3)}, normal(2, 1, 4, 4), np.array([2, 0]))


# ----------------------------------------------------------------------------- CS231n losses


def svm_loss_vectorized(x, y):
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


def softmax_loss_cs231n(x, y):
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


def svm_loss_naive(W, X, y, reg):
    """The assignment's double loop, with `continue` on the label decided by the int labels."""
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            loss += np.maximum(margin, 0)
    return loss / num_train + reg * np.sum(W * W)


def softmax_loss_probs_inplace(W, X, y, reg=0.1):
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(X.shape[0]), y])) / X.shape[0]
    return loss + 0.5 * reg * np.sum(W * W)


SC = normal(6, 4) * 2
SC_Y = rng.integers(0, 4, 6)
case("cs231n_svm_loss_vectorized_margins_write", lambda x, y: svm_loss_vectorized(x, y)[0], SC,
     SC_Y)
case("cs231n_softmax_loss_probs_copy", lambda x, y: softmax_loss_cs231n(x, y)[0], SC, SC_Y)
case("cs231n_softmax_probs_divide_inplace_range_index", softmax_loss_probs_inplace,
     normal(3, 4), normal(6, 3), SC_Y)


# ----------------------------------------------------------------------------- recurrent


def sigmoid_stable_masks(x):
    """CS231n's numerically stable sigmoid with boolean-mask writes."""
    pos_mask = x >= 0
    neg_mask = x < 0
    z = np.zeros_like(x)
    z[pos_mask] = np.exp(-x[pos_mask])
    z[neg_mask] = np.exp(x[neg_mask])
    top = np.ones_like(x)
    top[neg_mask] = z[neg_mask]
    return top / (1 + z)


def sigmoid_clip(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h = h0
    for t in range(T):
        prev_h = np.tanh(prev_h.dot(Wh) + x[:, t, :].dot(Wx) + b)
        h[:, t, :] = prev_h
    return h


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b, sig=sigmoid):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sig(a[:, :H])
    f = sig(a[:, H:2 * H])
    o = sig(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c


def lstm_forward(x, h0, Wx, Wh, b, sig=sigmoid):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b, sig)
        h[:, t] = prev_h
    return h


def gru_forward(params, xs, h):
    """A GRU as the NumPy tutorials unroll it: one list of hidden states appended per step."""
    hs = []
    for x in xs:
        z = sigmoid(x @ params["Wz"] + h @ params["Uz"] + params["bz"])
        r = sigmoid(x @ params["Wr"] + h @ params["Ur"] + params["br"])
        h_tilde = np.tanh(x @ params["Wh"] + (r * h) @ params["Uh"] + params["bh"])
        h = (1 - z) * h + z * h_tilde
        hs.append(h)
    return np.stack(hs)


def word_embedding_forward(x, W):
    return W[x]


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    M = b.shape[0]
    return x.reshape(N * T, D).dot(w).reshape(N, T, M) + b


def temporal_softmax_loss(x, y, mask):
    N, T, V_ = x.shape
    x_flat = x.reshape(N * T, V_)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    return -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N


def captioning_rnn_loss(params, features, captions, cell="rnn", null=0):
    captions_in = captions[:, :-1]
    captions_out = captions[:, 1:]
    mask = captions_out != null
    h0 = features.dot(params["W_proj"]) + params["b_proj"]
    x = word_embedding_forward(captions_in, params["W_embed"])
    if cell == "rnn":
        h = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    else:
        h = lstm_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores = temporal_affine_forward(h, params["W_vocab"], params["b_vocab"])
    return temporal_softmax_loss(scores, captions_out, mask)


def caption_params(H, gates=1, Vv=6, D=3, F=4):
    return {"W_proj": normal(F, H, scale=0.4), "b_proj": np.zeros(H),
            "W_embed": normal(Vv, D, scale=0.5), "Wx": normal(D, gates * H, scale=0.4),
            "Wh": normal(H, gates * H, scale=0.4), "b": np.zeros(gates * H),
            "W_vocab": normal(H, Vv, scale=0.4), "b_vocab": np.zeros(Vv)}


CAPTIONS = np.array([[1, 3, 4, 2, 0], [1, 5, 2, 0, 0]])
SEQ = normal(2, 4, 3)
case("sigmoid_stable_boolean_mask_writes", lambda x: np.sum(sigmoid_stable_masks(x) * x),
     normal(3, 4) * 3)
case("sigmoid_clip_500", lambda x: np.sum(np.log(sigmoid_clip(x))), normal(3, 4) * 3)
case("cs231n_rnn_forward_h_slices_written", lambda x, h0, Wx, Wh, b: np.sum(
    rnn_forward(x, h0, Wx, Wh, b) ** 2), SEQ, normal(2, 5), normal(3, 5, scale=0.4),
    normal(5, 5, scale=0.4), normal(5, scale=0.1), argnums=(0, 1, 2, 3, 4))
case("cs231n_lstm_forward_gate_slices", lambda Wx, Wh, b, x, h0: np.sum(
    lstm_forward(x, h0, Wx, Wh, b) * np.arange(4.0)[:, None]), normal(3, 16, scale=0.4),
    normal(4, 16, scale=0.4), normal(16, scale=0.1), SEQ, normal(2, 4), argnums=(0, 1, 2))
case("lstm_forward_stable_mask_sigmoid", lambda Wx, x, h0, Wh, b: np.sum(
    lstm_forward(x, h0, Wx, Wh, b, sigmoid_stable_masks) ** 2), normal(3, 16, scale=0.4), SEQ,
    normal(2, 4), normal(4, 16, scale=0.4), normal(16, scale=0.1))
case("gru_list_of_states_stacked", lambda p, xs, h: np.sum(gru_forward(p, xs, h)[-1] ** 2),
     {k: normal(*s, scale=0.4) for k, s in [("Wz", (3, 4)), ("Uz", (4, 4)), ("bz", (4,)),
                                             ("Wr", (3, 4)), ("Ur", (4, 4)), ("br", (4,)),
                                             ("Wh", (3, 4)), ("Uh", (4, 4)), ("bh", (4,))]},
     normal(5, 2, 3), normal(2, 4))
case("cs231n_captioning_rnn_masked_loss", captioning_rnn_loss, caption_params(5), normal(2, 4),
     CAPTIONS)
case("cs231n_captioning_lstm_masked_loss", lambda p, f, c: captioning_rnn_loss(p, f, c, "lstm"),
     caption_params(3, gates=4), normal(2, 4), CAPTIONS)
case("temporal_softmax_loss_wrt_scores", temporal_softmax_loss, normal(2, 3, 6), CAPTIONS[:, 1:4],
     CAPTIONS[:, 1:4] != 0)


def char_rnn_loss(params, inputs, targets, hprev):
    """min-char-rnn: one-hot columns built with `np.zeros` and an index write, dicts of states
    keyed by time step, `hs[-1]` the initial state."""
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    vocab = params["Why"].shape[0]
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(params["Wxh"], xs[t]) + np.dot(params["Whh"], hs[t - 1])
                        + params["bh"])
        ys[t] = np.dot(params["Why"], hs[t]) + params["by"]
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    return loss


def char_rnn_params(vocab, hidden):
    return {"Wxh": normal(hidden, vocab, scale=0.3), "Whh": normal(hidden, hidden, scale=0.3),
            "Why": normal(vocab, hidden, scale=0.3), "bh": np.zeros((hidden, 1)),
            "by": np.zeros((vocab, 1))}


CHARS_IN = [2, 0, 3, 3, 1]
CHARS_OUT = [0, 3, 3, 1, 4]
case("min_char_rnn_python_int_lists", char_rnn_loss, char_rnn_params(5, 4), CHARS_IN, CHARS_OUT,
     np.zeros((4, 1)))
case("min_char_rnn_wrt_hprev", lambda h, p, i, t: char_rnn_loss(p, i, t, h), normal(4, 1),
     char_rnn_params(5, 4), CHARS_IN, CHARS_OUT)
case("min_char_rnn_int_array_tokens", char_rnn_loss, char_rnn_params(5, 4),
     np.array(CHARS_IN), np.array(CHARS_OUT), np.zeros((4, 1)))


# ----------------------------------------------------------------------------- VAE and numpy-ml


def vae_loss(params, x, eps):
    h = np.tanh(x @ params["enc_W"] + params["enc_b"])
    mu = h @ params["mu_W"] + params["mu_b"]
    logvar = h @ params["lv_W"] + params["lv_b"]
    z = mu + np.exp(0.5 * logvar) * eps
    hd = np.maximum(0, z @ params["dec_W1"] + params["dec_b1"])
    recon = sigmoid(hd @ params["dec_W2"] + params["dec_b2"])
    bce = -np.sum(x * np.log(recon + 1e-8) + (1 - x) * np.log(1 - recon + 1e-8))
    kld = -0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar))
    return (bce + kld) / x.shape[0]


def vae_gaussian_decoder_split(params, x, eps, beta=0.5):
    """The encoder outputs `[mu, log_sigma]` in one matrix, split by `np.split`; the decoder
    is a Gaussian with a learned log scale."""
    stats = np.tanh(x @ params["W1"]) @ params["W2"]
    mu, log_sigma = np.split(stats, 2, axis=1)
    z = mu + np.exp(log_sigma) * eps
    x_hat = z @ params["Wd"]
    log_px = -0.5 * np.sum((x - x_hat) ** 2 / np.exp(2 * params["log_scale"])
                           + 2 * params["log_scale"] + np.log(2 * np.pi), axis=1)
    kl = 0.5 * np.sum(np.exp(2 * log_sigma) + mu ** 2 - 1 - 2 * log_sigma, axis=1)
    return -np.mean(log_px - beta * kl)


VAE_X = (rng.random((4, 6)) > 0.5).astype(float)
case("vae_bernoulli_reparameterized", vae_loss,
     {"enc_W": normal(6, 5, scale=0.4), "enc_b": np.zeros(5), "mu_W": normal(5, 2, scale=0.4),
      "mu_b": np.zeros(2), "lv_W": normal(5, 2, scale=0.4), "lv_b": np.zeros(2),
      "dec_W1": normal(2, 5, scale=0.4), "dec_b1": normal(5, scale=0.1),
      "dec_W2": normal(5, 6, scale=0.4), "dec_b2": np.zeros(6)}, VAE_X, normal(4, 2))
case("vae_gaussian_split_stats_beta", vae_gaussian_decoder_split,
     {"W1": normal(6, 5, scale=0.4), "W2": normal(5, 4, scale=0.4), "Wd": normal(2, 6, scale=0.4),
      "log_scale": np.array(-0.3)}, normal(4, 6), normal(4, 2))


def leaky_relu(z, alpha=0.3):
    _z = z.copy()
    _z[z < 0] = _z[z < 0] * alpha
    return _z


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))


def selu(z):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(z >= 0, z, alpha * (np.exp(z) - 1))


def softplus_naive(z):
    return np.log(np.exp(z) + 1)


def hard_sigmoid(z):
    return np.maximum(0, np.minimum(1, 0.2 * z + 0.5))


def numpy_ml_layer_norm(X, params, epsilon=1e-5):
    ep = epsilon
    scaler, intercept = params["scaler"], params["intercept"]
    X_mean, X_var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    lnorm = (X - X_mean) / np.sqrt(X_var + ep)
    return scaler * lnorm + intercept


def numpy_ml_fc_net(params, X, acts=(leaky_relu, elu)):
    h = X
    for i, act in enumerate(acts):
        h = act(h @ params[f"W{i}"] + params[f"b{i}"])
    return h


def squared_error(y, y_pred):
    return 0.5 * np.linalg.norm(y_pred - y) ** 2


def cross_entropy_probs(y, y_pred):
    eps = np.finfo(float).eps
    return -np.sum(y * np.log(y_pred + eps))


ACT_X = normal(4, 5) * 2
case("numpy_ml_leaky_relu_copy_mask_write", lambda z: np.sum(leaky_relu(z) ** 2), ACT_X)
case("numpy_ml_elu_where", lambda z: np.sum(elu(z) * np.cos(z)), ACT_X)
case("numpy_ml_selu_where", lambda z: np.sum(selu(z) ** 2), ACT_X)
case("numpy_ml_softplus_log_exp", lambda z: np.sum(softplus_naive(z) * z), ACT_X)
case("numpy_ml_hard_sigmoid", lambda z: np.sum(hard_sigmoid(z) ** 2), ACT_X)
case("numpy_ml_layer_norm_scaler_intercept", lambda p, X, w: np.sum(numpy_ml_layer_norm(X, p)
                                                                    * w),
     {"scaler": 1 + normal(1, 5, scale=0.2), "intercept": normal(1, 5)}, ACT_X, normal(4, 5))
case("numpy_ml_fc_net_fstring_keys_squared_error", lambda p, X, y: squared_error(
    y, numpy_ml_fc_net(p, X)), {"W0": normal(5, 4, scale=0.5), "b0": np.zeros(4),
                                "W1": normal(4, 3, scale=0.5), "b1": normal(3, scale=0.1)},
     ACT_X, normal(4, 3))
case("numpy_ml_cross_entropy_finfo_eps", lambda z, y: cross_entropy_probs(y, softmax(z)),
     normal(4, 3), np.eye(3)[[0, 2, 1, 1]])


# ----------------------------------------------------------------------------- losses


def huber(pred, y, delta=1.0):
    r = np.abs(pred - y)
    return np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)))


def huber_masks_sum(w, X, y, delta=0.7):
    r = X @ w - y
    quad = np.abs(r) <= delta
    return (0.5 * np.sum(r[quad] ** 2) + delta * np.sum(np.abs(r[~quad]) - 0.5 * delta)) / len(y)


def focal_loss(logits, y, gamma=2.0, alpha=0.25):
    p = sigmoid(logits)
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return -np.mean(alpha_t * (1 - p_t) ** gamma * np.log(np.clip(p_t, 1e-7, 1 - 1e-7)))


def focal_softmax(logits, y, gamma=2.0):
    p = softmax(logits)
    pt = p[np.arange(len(y)), y]
    return np.mean(-((1 - pt) ** gamma) * np.log(pt))


def hinge_binary(w, X, y, C=1.0):
    margins = 1 - y * (X @ w[:-1] + w[-1])
    return 0.5 * np.dot(w[:-1], w[:-1]) + C * np.sum(np.maximum(0, margins))


def squared_hinge(w, X, y):
    return np.mean(np.maximum(0, 1 - y * (X @ w)) ** 2)


def contrastive_loss(W, x1, x2, same, margin=2.0):
    a, b = np.tanh(x1 @ W), np.tanh(x2 @ W)
    d = np.linalg.norm(a - b, axis=1)
    return np.mean(same * d ** 2 + (1 - same) * np.maximum(margin - d, 0) ** 2) / 2


def triplet_loss(W, anchor, positive, negative, margin=0.5):
    fa, fp, fn = anchor @ W, positive @ W, negative @ W
    pos_dist = np.sum(np.square(fa - fp), axis=1)
    neg_dist = np.sum(np.square(fa - fn), axis=1)
    return np.mean(np.maximum(pos_dist - neg_dist + margin, 0.0))


def triplet_cosine(W, anchor, positive, negative, margin=0.3):
    def normed(v):
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    fa, fp, fn = normed(anchor @ W), normed(positive @ W), normed(negative @ W)
    return np.sum(np.clip(np.sum(fa * fn, 1) - np.sum(fa * fp, 1) + margin, 0, None))


def info_nce(W, x1, x2, temperature=0.5):
    z1 = x1 @ W
    z2 = x2 @ W
    z1 = z1 / np.linalg.norm(z1, axis=1)[:, None]
    z2 = z2 / np.linalg.norm(z2, axis=1)[:, None]
    logits = z1 @ z2.T / temperature
    labels = np.arange(len(x1))
    return cross_entropy(logits, labels)


def mlp_regularized(params, X, y, l1=0.01, l2=0.05):
    h = np.tanh(X @ params["W1"] + params["b1"])
    pred = (h @ params["W2"] + params["b2"]).ravel()
    mse = np.mean((pred - y) ** 2)
    l2_pen = sum(np.sum(w ** 2) for w in params.values())
    l1_pen = sum(np.abs(w).sum() for name, w in params.items() if name.startswith("W"))
    return mse + l2 * l2_pen + l1 * l1_pen


def weight_decay_list(layers, X, y, lam=1e-2):
    out = X
    for i, (W, b) in enumerate(layers):
        out = out @ W + b
        if i < len(layers) - 1:
            out = np.maximum(out, 0.01 * out)
    reg = 0.0
    for W, _ in layers:
        reg += np.linalg.norm(W, "fro") ** 2
    return huber(out.ravel(), y) + lam * reg


LX, LY = normal(8, 3), normal(8)
BIN = np.where(rng.random(8) > 0.5, 1, 0)
PM = np.where(BIN == 1, 1.0, -1.0)
case("huber_where_mean", lambda w, X, y: huber(X @ w, y), normal(3), LX, LY * 2)
case("huber_boolean_mask_sums", huber_masks_sum, normal(3), LX, LY)
case("focal_sigmoid_alpha_where_clip", focal_loss, normal(8) * 2, BIN)
case("focal_softmax_fancy", focal_softmax, normal(6, 4), SC_Y)
case("hinge_binary_bias_last_entry", hinge_binary, normal(4, scale=0.5), LX, PM)
case("squared_hinge", squared_hinge, normal(3, scale=0.5), LX, PM)
case("contrastive_norm_margin", contrastive_loss, normal(3, 4, scale=0.5), LX[:5], normal(5, 3),
     BIN[:5].astype(float))
case("triplet_squared_distances", triplet_loss, normal(3, 4, scale=0.5), LX[:5],
     LX[:5] + normal(5, 3, scale=0.3), normal(5, 3))
case("triplet_cosine_clip_none", triplet_cosine, normal(3, 4, scale=0.5), LX[:5],
     LX[:5] + normal(5, 3, scale=0.3), normal(5, 3))
case("info_nce_arange_labels", info_nce, normal(3, 4, scale=0.5), LX[:5],
     LX[:5] + normal(5, 3, scale=0.2))
case("l1_l2_sum_over_dict_values_generator", mlp_regularized,
     {"W1": normal(3, 5, scale=0.5), "b1": normal(5, scale=0.1), "W2": normal(5, 1, scale=0.5),
      "b2": normal(1, scale=0.1)}, LX, LY)
case("weight_decay_list_of_tuples_frobenius", weight_decay_list,
     [(normal(3, 4, scale=0.5), normal(4, scale=0.1)), (normal(4, 1, scale=0.5), np.zeros(1))],
     LX, LY)
case("weight_decay_tuple_of_tuples_wrt_X", lambda X, layers, y: weight_decay_list(layers, X, y),
     LX, ((normal(3, 4, scale=0.5), normal(4, scale=0.1)), (normal(4, 1, scale=0.5),
                                                            np.zeros(1))), LY)



# ----------------------------------------------------------------------------- more idioms


def triu_indices_mask(q, k):
    s = q @ k.T
    s[np.triu_indices(s.shape[0], 1)] = -np.inf
    return np.sum(softmax(s) * np.arange(16.0).reshape(4, 4))


def bool_mask_fill(s, mask):
    s = s.copy()
    s[mask] = -1e9
    return np.sum(softmax(s) ** 2)


def einsum_attention_4d(q, k, v):
    s = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(q.shape[-1])
    return np.sum(np.einsum("bhqk,bhkd->bhqd", softmax(s), v) ** 2)


def sinusoid_pe(x):
    """The Annotated Transformer's table: even columns sin, odd columns cos, added to x."""
    T, d = x.shape
    pe = np.zeros((T, d))
    position = np.arange(0, T)[:, np.newaxis]
    div_term = np.exp(np.arange(0, d, 2) * -(np.log(10000.0) / d))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return np.sum(np.tanh(x + pe) ** 2)


def layer_norm_std(x, a_2, b_2, eps=1e-6):
    mean = x.mean(-1, keepdims=True)
    std = x.std(-1, keepdims=True)
    return np.sum((a_2 * (x - mean) / (std + eps) + b_2) ** 3)


def padding_mask_attention(x, tokens, pad=0):
    s = x @ x.T
    mask = (tokens != pad)[None, :]
    s = np.where(mask, s, -1e9)
    return np.sum(softmax(s) @ x)


def ntxent_fill_diagonal(W, x, temperature=0.5):
    """SimCLR's NT-Xent: cosine similarities with the diagonal set to -inf in place."""
    z = x @ W
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    sim = z @ z.T / temperature
    np.fill_diagonal(sim, -np.inf)
    n = len(x) // 2
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return cross_entropy(sim, pos)


def ntxent_eye_mask(W, x, temperature=0.5):
    z = x @ W
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    sim = z @ z.T / temperature
    sim[np.eye(len(x), dtype=bool)] = -1e9
    n = len(x) // 2
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return cross_entropy(sim, pos)


def maxpool_im2col_argmax(x):
    """CS231n's fast max pool: im2col of each channel, the argmax row picked per column."""
    N, C, H, W = x.shape
    x_split = x.reshape(N * C, 1, H, W)
    cols = im2col_indices(x_split, 2, 2, padding=0, stride=2)
    idx = np.argmax(cols, axis=0)
    out = cols[idx, np.arange(cols.shape[1])]
    return np.sum(out.reshape(H // 2, W // 2, N, C).transpose(2, 3, 0, 1) ** 2)


def alibi_attention(q, k, n_head=2):
    T = q.shape[1]
    slopes = 2.0 ** (-8.0 * np.arange(1, n_head + 1) / n_head)
    rel = np.arange(T)[None, :] - np.arange(T)[:, None]
    bias = -slopes[:, None, None] * np.abs(rel)[None]
    s = q @ k.transpose(0, 2, 1) + bias
    s = np.where(np.tril(np.ones((T, T), dtype=bool)), s, -np.inf)
    return np.sum(softmax(s) ** 2)


def mlm_loss(logits, targets):
    """BERT's masked-LM loss with `-100` for the positions that are not predicted."""
    m = logits.max(-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
    safe = np.where(targets == -100, 0, targets)
    nll = -np.take_along_axis(logp, safe[..., None], -1)[..., 0]
    return np.where(targets == -100, 0, nll).sum() / (targets != -100).sum()


def relu_ufunc_out(x, W):
    h = x @ W
    np.maximum(h, 0, out=h)
    np.exp(h, out=h)
    return np.sum(h)


def relu_mask_write(x, W):
    h = x @ W
    h[h < 0] = 0
    return np.sum(h ** 2)


def lstm_vstack_columns(p, xs):
    """The column-vector LSTM of the NumPy blog posts: `z = np.vstack((h, x))`."""
    h = np.zeros((4, 1))
    c = np.zeros((4, 1))
    loss = 0.0
    for x in xs:
        z = np.vstack((h, x[:, None]))
        f = sigmoid(p["Wf"] @ z + p["bf"])
        i = sigmoid(p["Wi"] @ z + p["bi"])
        c_bar = np.tanh(p["Wc"] @ z + p["bc"])
        o = sigmoid(p["Wo"] @ z + p["bo"])
        c = f * c + i * c_bar
        h = o * np.tanh(c)
        loss = loss + np.sum(h)
    return loss


def dropout_seeded_inside(x):
    np.random.seed(0)
    mask = (np.random.rand(*x.shape) < 0.5) / 0.5
    return np.sum((x * mask) ** 2)


class Dense:
    """numpy-ml's layer objects keep the input of the forward pass on `self`."""

    def __init__(self):
        self.X = None

    def forward(self, X, W, b):
        self.X = X
        return X @ W + b


DENSE = Dense()


def layer_object_loss(params, X):
    return np.sum(np.tanh(DENSE.forward(X, params["W"], params["b"])) ** 2)


case("triu_indices_write_neg_inf", triu_indices_mask, normal(4, 3), normal(4, 3),
     argnums=(0, 1))
case("bool_mask_argument_fill_1e9", bool_mask_fill, normal(4, 4),
     np.triu(np.ones((4, 4), bool), 1))
case("einsum_attention_bhqd", einsum_attention_4d, normal(2, 2, 3, 4), normal(2, 2, 3, 4),
     normal(2, 2, 3, 4), argnums=(0, 1, 2))
case("annotated_transformer_sinusoid_pe", sinusoid_pe, normal(5, 6))
case("annotated_transformer_layernorm_std", layer_norm_std, normal(3, 5), normal(5), normal(5),
     argnums=(0, 1, 2))
case("padding_mask_from_int_tokens", padding_mask_attention, normal(5, 3),
     np.array([3, 1, 2, 0, 0]))
case("simclr_ntxent_fill_diagonal_neg_inf", ntxent_fill_diagonal, normal(3, 4), normal(6, 3))
case("simclr_ntxent_eye_bool_write", ntxent_eye_mask, normal(3, 4), normal(6, 3))
case("cs231n_maxpool_im2col_argmax_gather", maxpool_im2col_argmax, normal(2, 2, 4, 4))
case("pad_reflect_and_edge", lambda x: np.sum(
    np.pad(x, ((1, 1), (2, 2)), mode="reflect") ** 2 * np.arange(48.0).reshape(6, 8))
    + np.sum(np.pad(x, 1, mode="edge") ** 3), normal(4, 4))
case("upsample_repeat_and_kron", lambda x: np.sum(
    np.repeat(np.repeat(x, 2, axis=2), 2, axis=3) * np.arange(64.0).reshape(1, 1, 8, 8))
    + np.sum(np.kron(x[0, 0], np.ones((2, 2))) ** 2), normal(1, 1, 4, 4))
case("bincount_weights_segment_sum", lambda w, seg: np.sum(
    np.bincount(seg, weights=w, minlength=4) ** 2), normal(7), np.array([0, 0, 1, 3, 3, 3, 1]))
case("bce_with_logits_log1p", lambda z, y: np.mean(
    np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))), normal(8) * 2, BIN.astype(float))
case("choose_by_labels", lambda z, y: -np.sum(np.choose(y, z.T)), normal(5, 3),
     np.array([0, 2, 1, 1, 0]))
case("alibi_slopes_tril_bool", alibi_attention, normal(2, 4, 3), normal(2, 4, 3),
     argnums=(0, 1))
case("last_token_by_lengths", lambda x, n: np.sum(x[np.arange(x.shape[0]), n - 1] ** 2),
     normal(3, 5, 2), np.array([5, 2, 3]))
case("masked_mean_pool", lambda x, m: np.sum(((x * m[..., None]).sum(1)
                                              / m.sum(1, keepdims=True)) ** 2),
     normal(3, 5, 2), (np.arange(5)[None] < np.array([[5], [2], [3]])).astype(float))
case("bert_mlm_minus100_take_along_axis", mlm_loss, normal(2, 4, 5),
     np.array([[1, -100, 3, 4], [-100, -100, 0, 2]]))
case("gumbel_softmax_given_noise", lambda z, g: np.sum(softmax((z + g) / 0.5) * np.arange(4.0)),
     normal(3, 4), -np.log(-np.log(rng.random((3, 4)))))
case("ufunc_out_inplace_on_intermediate", relu_ufunc_out, normal(4, 3), normal(3, 5),
     argnums=(0, 1))
case("relu_by_mask_write", relu_mask_write, normal(4, 3), normal(3, 5), argnums=(0, 1))
case("lstm_vstack_column_vectors", lstm_vstack_columns,
     {k: normal(4, 7, scale=0.4) if k[0] == "W" else normal(4, 1, scale=0.1)
      for k in ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]}, normal(3, 3))
case("dropout_np_random_seed_inside_loss", dropout_seeded_inside, normal(4, 5))
case("numpy_ml_layer_object_caches_input", layer_object_loss,
     {"W": normal(3, 2), "b": normal(2)}, normal(4, 3),
     xfail="a layer object storing its input on `self` during the forward pass: "
           "UnsupportedFunctionError 'storing a traced value in DENSE.X, which outlives the "
           "call' (autograd leaves its box there and differentiates)")


def lstsq_column_vectors(w, X, y):
    """autograd-era least squares with column vectors: the loss is a (1, 1) array."""
    r = y - X @ w
    return r.T @ r / len(y)


def char_rnn_loss_no_column_index(params, inputs, targets, hprev):
    """min-char-rnn ports that drop the `, 0`: the loss accumulates as a shape (1,) array."""
    h = hprev
    loss = 0
    vocab = params["Why"].shape[0]
    for t in range(len(inputs)):
        x = np.zeros((vocab, 1))
        x[inputs[t]] = 1
        h = np.tanh(params["Wxh"] @ x + params["Whh"] @ h + params["bh"])
        y = params["Why"] @ h + params["by"]
        p = np.exp(y) / np.sum(np.exp(y))
        loss += -np.log(p[targets[t]])
    return loss


def unrolled_gd(w, X, y, lr, steps):
    """Hyperparameter gradients through an unrolled descent: `lr` a Python float."""
    for _ in range(steps):
        w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
    return np.mean((X @ w - y) ** 2)


def maml_inner(w, X, y):
    return np.mean((np.tanh(X @ w) - y) ** 2)


def maml_loss(w, X, y, Xq, yq, alpha=0.1):
    """MAML: one inner step with `tracenp.grad` inside the differentiated function."""
    w2 = w - alpha * tracenp.grad(maml_inner)(w, X, y)
    return maml_inner(w2, Xq, yq)


case("unrolled_gd_wrt_w", unrolled_gd, normal(3), LX, LY, 0.1, 3)
case("unrolled_gd_wrt_python_float_lr", unrolled_gd, normal(3), LX, LY, 0.1, 3, argnums=3)
case("maml_grad_inside_grad", maml_loss, normal(3), LX, LY, normal(5, 3), normal(5))
case("maml_grad_inside_grad_wrt_query", maml_loss, normal(3), LX, LY, normal(5, 3), normal(5),
     argnums=(3, 4))
# losses of size 1 but not 0-d, as autograd takes them (refused until stop 27)
case("lstsq_column_vectors_1x1_loss", lstsq_column_vectors, normal(3, 1), LX, LY[:, None])
case("min_char_rnn_shape_1_loss", char_rnn_loss_no_column_index, char_rnn_params(5, 4),
     CHARS_IN, CHARS_OUT, np.zeros((4, 1)))


# ----------------------------------------------------------------------------- tutorials' conv, RL


def as_strided_conv(x, w):
    """Fast NumPy CNNs: windows by `as_strided` on the input's strides, then einsum."""
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    oh, ow = H - kh + 1, W - kw + 1
    s = x.strides
    cols = as_strided(x, shape=(N, C, oh, ow, kh, kw),
                      strides=(s[0], s[1], s[2], s[3], s[2], s[3]))
    return np.sum(np.einsum("nchwij,fcij->nfhw", cols, w) ** 2)


def conv_rot180_kernel(w, x):
    """The backward-pass trick as a forward: convolution is correlation with the kernel
    turned by 180 degrees (`np.rot90(w, 2)`), plus `np.flip` of both spatial axes."""
    out = conv_forward_naive(x, np.rot90(w, 2, axes=(2, 3)), np.zeros(w.shape[0]),
                             {"stride": 1, "pad": 0})
    return np.sum(out ** 2) + np.sum(np.flip(w, axis=(2, 3)) * w[:, :, ::-1, :])


def independent_code_conv(kernels, biases, inp):
    """The Independent Code's Convolutional layer: `signal.correlate2d` per channel pair."""
    from scipy import signal
    output = np.copy(biases)
    for i in range(kernels.shape[0]):
        for j in range(inp.shape[0]):
            output[i] += signal.correlate2d(inp[j], kernels[i, j], "valid")
    return np.sum(output ** 2)


def scipy_correlate_valid(k, x):
    from scipy import signal
    return np.sum(signal.correlate(x, k, mode="valid") ** 2)


def scipy_convolve_1d_same(x, k):
    from scipy import signal
    return np.sum(signal.convolve(x, k, mode="same") ** 2)


def reinforce(W, states, actions, rewards, gamma=0.99):
    """REINFORCE as Karpathy's Pong agent writes it: discounted returns by a reversed loop
    into `np.zeros_like`, standardized in place, times the log-probabilities of the actions."""
    discounted = np.zeros_like(rewards)
    running_add = 0.0
    for t in reversed(range(len(rewards))):
        running_add = running_add * gamma + rewards[t]
        discounted[t] = running_add
    discounted -= np.mean(discounted)
    discounted /= np.std(discounted)
    logits = states @ W
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.sum(logp[np.arange(len(actions)), actions] * discounted)


def pong_policy_loss(model, xs, ys):
    h = np.dot(xs, model["W1"].T)
    h[h < 0] = 0
    logp = np.dot(h, model["W2"])
    p = 1.0 / (1.0 + np.exp(-logp))
    return -np.sum(np.log(np.where(ys > 0, p, 1 - p)))


case("as_strided_windows_einsum_conv", as_strided_conv, normal(1, 2, 4, 4), FILT,
     argnums=(0, 1))
case("conv_rot90_flip_kernel", conv_rot180_kernel, FILT, normal(1, 2, 4, 4))
case("np_convolve_and_correlate_1d", lambda x, k: np.sum(np.convolve(x, k, mode="valid") ** 2)
     + np.sum(np.correlate(x, k, mode="same") ** 2), normal(8), normal(3), argnums=(0, 1))
case("scipy_signal_convolve_1d_same", scipy_convolve_1d_same, normal(8), normal(3),
     argnums=(0, 1))
case("independent_code_conv_correlate2d", independent_code_conv, normal(2, 2, 3, 3),
     normal(2, 3, 3), normal(2, 5, 5), argnums=(0, 1),
     xfail="scipy.signal.correlate2d of a traced array is a host call without a gradient: "
           "UnsupportedFunctionError naming it (its values trace)")
case("scipy_signal_correlate_2d_valid", scipy_correlate_valid, normal(3, 3), normal(5, 5),
     xfail="scipy.signal.correlate of 2-D traced arrays: ConcretizationError")
case("reinforce_discounted_returns", reinforce, normal(3, 2), normal(6, 3),
     rng.integers(0, 2, 6), rng.random(6))
case("karpathy_pong_policy_relu_mask", pong_policy_loss, {"W1": normal(5, 4), "W2": normal(5)},
     normal(6, 4), np.where(rng.random(6) > 0.5, 1.0, -1.0))
case("var_std_ddof1", lambda x: np.sum(np.var(x, axis=0, ddof=1) * np.arange(3.0))
     + np.std(x, ddof=1), normal(5, 3))
case("norms_ord_1_inf_nuc", lambda x: np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf)
     + np.linalg.norm(x.reshape(3, 2), "nuc"), normal(6))
case("learnable_exponent_python_float", lambda p, x: np.sum(np.power(x, p))
     + np.sum(np.abs(x - 1) ** p), 1.7, rng.random(5) + 0.5)
case("tensordot_axes2_and_dot_3d", lambda x, w, v: np.sum(np.tensordot(x, w, axes=2) ** 2)
     + np.sum(np.dot(x, v) ** 2), normal(2, 3, 4), normal(3, 4, 2), normal(4, 2),
     argnums=(0, 1, 2))
case("einsum_ellipsis_batched", lambda a, b: np.sum(np.einsum("...ij,...jk->...ik", a, b) ** 2),
     normal(2, 3, 4), normal(2, 4, 2), argnums=(0, 1))
case("median_absolute_error", lambda w, X, y: np.median(np.abs(X @ w - y)), normal(3), LX[:7],
     LY[:7])
case("percentile_of_squared_errors", lambda w, X, y: np.percentile((X @ w - y) ** 2, 80),
     normal(3), LX, LY)
case("topk_by_sort_and_partition", lambda x: np.mean(np.sort(x, axis=1)[:, -2:])
     + np.sum(np.partition(x, -2, axis=1)[:, -2:]), normal(3, 5))
case("logaddexp_reduce_rows", lambda x: np.sum(np.logaddexp.reduce(x, axis=1)), normal(3, 5))


# ----------------------------------------------------------------------------- ufunc where=


def predicted_over_true_frequency(logits, labels, n_classes=4):
    """The predicted mass of each class over its count in the labels, with the safe-division
    idiom `np.divide(..., out=np.zeros(...), where=counts > 0)`: an absent class gets 0."""
    probs = softmax(logits)
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    ratio = np.divide(probs.sum(axis=0), counts, out=np.zeros(n_classes), where=counts > 0)
    return np.sum((ratio - 1) ** 2)


def masked_log_out_where(x, mask):
    return np.sum(np.log(x, out=np.zeros_like(x), where=mask) * np.arange(1.0, 6.0))


# ufunc `where=` with `out=`: the masked-out positions' gradients were NaN (0 times the
# infinite derivative of the op NumPy never evaluates there) until stop 27
case("ufunc_where_sum_and_max_initial", lambda x, m: np.sum(x ** 2, where=m)
     + np.sum(np.max(x, axis=1, where=m, initial=-10.0)), normal(4, 5),
     rng.random((4, 5)) > 0.4)
case("ufunc_exp_where_out_zeros", lambda x, m: np.sum(np.exp(x, where=m, out=np.zeros_like(x))),
     normal(4, 5), rng.random((4, 5)) > 0.4)
case("predicted_over_true_frequency_safe_divide", predicted_over_true_frequency, normal(6, 4),
     np.array([0, 0, 1, 3, 3, 1]))
case("masked_log_out_where_zeros_masked", masked_log_out_where,
     np.array([0.5, 0.0, 2.0, 0.0, 1.5]), np.array([True, False, True, False, True]))


# ----------------------------------------------------------------------------- seeded noise


def attention_dropout_seeded(p, x, seed, rate=0.3):
    """Dropout on the attention weights from `np.random.default_rng(seed)` inside the loss."""
    r = np.random.default_rng(seed)
    att = softmax(x @ p["Wq"] @ (x @ p["Wk"]).T)
    keep = r.random(att.shape) >= rate
    att = np.where(keep, att / (1 - rate), 0.0)
    return np.sum((att @ x) ** 2)


def vae_randomstate_noise(params, x, seed):
    r = np.random.RandomState(seed)
    mu, logvar = x @ params["W"], x @ params["V"]
    z = mu + np.exp(0.5 * logvar) * r.randn(*mu.shape)
    return np.sum(z ** 2) - 0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar))


def minibatch_np_random_choice(w, X, y, seed):
    np.random.seed(seed)
    idx = np.random.choice(len(y), 5, replace=False)
    return np.mean((X[idx] @ w - y[idx]) ** 2)


def label_noise_cross_entropy(W, X, y, seed):
    r = np.random.default_rng(seed)
    flip = r.random(len(y)) < 0.2
    noisy = np.where(flip, r.integers(0, 4, len(y)), y)
    return cross_entropy(X @ W, noisy)


case("attention_dropout_default_rng_seed", attention_dropout_seeded,
     {"Wq": normal(4, 4), "Wk": normal(4, 4)}, normal(5, 4), 3)
case("vae_randomstate_randn_noise", vae_randomstate_noise,
     {"W": normal(3, 2), "V": normal(3, 2, scale=0.3)}, normal(4, 3), 7)
case("minibatch_np_random_choice", minibatch_np_random_choice, normal(3), LX, LY, 2)
case("label_noise_rng_integers_where", label_noise_cross_entropy, normal(3, 4), LX,
     rng.integers(0, 4, 8), 5)


@pytest.mark.parametrize("name", _names(CASES))
def test_value_and_gradient_match_numpy_and_finite_differences(name):
    fn, args, argnums = CASES[name]
    with np.errstate(all="ignore"):
        check_grads(fn, args, argnums)


def sampled_numeric(fn, args, i, picks, eps=1e-6):
    """Central differences of `fn` in argument `i` at `picks`, `(leaf, flat index)` pairs."""
    leaves, tree = pytree.flatten(args[i])
    out = []
    for k, j in picks:
        vals = []
        for sign in (1, -1):
            bumped = [np.array(x, dtype=np.float64) for x in leaves]
            bumped[k].flat[j] += sign * eps
            new = list(copy.deepcopy(args))
            new[i] = pytree.unflatten(tree, bumped)
            vals.append(float(fn(*new)))
        out.append((vals[0] - vals[1]) / (2 * eps))
    return np.array(out)


@pytest.mark.parametrize("name", _names(BIG))
def test_large_models_on_sampled_coordinates(name):
    """The d=16 two-layer models: `value_and_grad`, its `jit`, `grad` and `vjp` under `jit`
    against eager NumPy and central differences at 60 random coordinates of each leaf set."""
    fn, args, argnums = BIG[name]
    want = fn(*copy.deepcopy(args))
    leaves = pytree.flatten(args[argnums])[0]
    r = np.random.default_rng(5)
    picks = [(k, int(r.integers(np.size(leaves[k])))) for k in r.integers(len(leaves), size=60)]
    numeric = sampled_numeric(fn, args, argnums, picks)

    def at_picks(g, scale=1.0):
        assert_tree_like(g, args[argnums])
        flat = pytree.flatten(g)[0]
        assert_grads_close(np.array([flat[k].flat[j] for k, j in picks]), scale * numeric)

    for transform in (tracenp.value_and_grad(fn, argnums),
                      tracenp.jit(tracenp.value_and_grad(fn, argnums))):
        value, g = transform(*copy.deepcopy(args))
        np.testing.assert_allclose(value, want, rtol=1e-9)
        at_picks(g)
    at_picks(tracenp.grad(fn, argnums)(*copy.deepcopy(args)))

    def pulled(*a):
        value, pull = tracenp.vjp(lambda p: fn(*a[:argnums], p, *a[argnums + 1:]), a[argnums])
        return value, pull(2.0)[0]

    value, g = tracenp.jit(pulled)(*copy.deepcopy(args))
    np.testing.assert_allclose(value, want, rtol=1e-9)
    at_picks(g, 2.0)


# ----------------------------------------------------------------------------- training loops


def two_layer_net_loss(params, X, y, reg=0.05):
    """CS231n's TwoLayerNet.loss: the loss, and the gradients written by hand."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    h = np.maximum(0, X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {"W2": h.T.dot(dscores) + 2 * reg * W2, "b2": np.sum(dscores, axis=0)}
    dh = dscores.dot(W2.T)
    dh[h <= 0] = 0
    grads["W1"] = X.T.dot(dh) + 2 * reg * W1
    grads["b1"] = np.sum(dh, axis=0)
    return loss, grads


def two_layer_loss_only(params, X, y):
    return two_layer_net_loss(params, X, y)[0]


def two_layer_with_aux(params, X, y):
    """The `has_aux` form: the loss and a dict of the scores and the accuracy."""
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    loss = cross_entropy(scores, y) + 0.05 * (np.sum(params["W1"] ** 2)
                                              + np.sum(params["W2"] ** 2))
    return loss, {"scores": scores, "acc": np.mean(np.argmax(scores, axis=1) == y)}


def hand_grads(params, X, y):
    return two_layer_net_loss(params, X, y)[1]


def sgd_train(grad_fn, params, X, y, num_iters=4, lr=0.5):
    params = dict(params)
    for it in range(num_iters):
        grads = grad_fn(params, X, y)
        for p in params:
            params[p] -= lr * grads[p]
    return params


def momentum_train(grad_fn, params, X, y, num_iters=4, lr=0.3, mu=0.9):
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    params = {k: v.copy() for k, v in params.items()}
    for _ in range(num_iters):
        grads = grad_fn(params, X, y)
        for k in params:
            velocity[k] = mu * velocity[k] - lr * grads[k]
            params[k] = params[k] + velocity[k]
    return params


def adam_train(grad_fn, params, X, y, num_iters=5, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    """CS231n's optim.adam with its config dict per parameter, `t` counted up each step."""
    params = {k: v.copy() for k, v in params.items()}
    configs = {k: {"m": np.zeros_like(v), "v": np.zeros_like(v), "t": 0} for k, v in
               params.items()}
    for _ in range(num_iters):
        grads = grad_fn(params, X, y)
        for k, w in params.items():
            c = configs[k]
            c["t"] += 1
            c["m"] = beta1 * c["m"] + (1 - beta1) * grads[k]
            c["v"] = beta2 * c["v"] + (1 - beta2) * grads[k] ** 2
            mt = c["m"] / (1 - beta1 ** c["t"])
            vt = c["v"] / (1 - beta2 ** c["t"])
            params[k] = w - lr * mt / (np.sqrt(vt) + eps)
    return params


def adagrad_rmsprop_list(grad_fn, params, X, y, num_iters=4, lr=0.05, decay=0.9):
    """min-char-rnn's Adagrad memory and an RMSProp cache, parameters in a list."""
    mem = [np.zeros_like(p) for p in params]
    params = [p.copy() for p in params]
    for _ in range(num_iters):
        grads = grad_fn(params, X, y)
        for i, (param, dparam) in enumerate(zip(params, grads)):
            np.clip(dparam, -5, 5, out=dparam)
            mem[i] = decay * mem[i] + (1 - decay) * dparam * dparam
            param += -lr * dparam / np.sqrt(mem[i] + 1e-8)
    return params


def list_mlp_loss(params, X, y):
    W1, b1, W2, b2 = params
    return two_layer_loss_only({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, y)


def list_hand_grads(params, X, y):
    g = hand_grads(dict(zip(("W1", "b1", "W2", "b2"), params)), X, y)
    return [g["W1"], g["b1"], g["W2"], g["b2"]]


NET_P = {"W1": normal(4, 6, scale=0.5), "b1": normal(6, scale=0.1),
         "W2": normal(6, 3, scale=0.5), "b2": np.zeros(3)}
NET_X = normal(7, 4)
NET_Y = rng.integers(0, 3, 7)


def _vg_grads(params, X, y):
    return tracenp.value_and_grad(two_layer_loss_only)(params, X, y)[1]


def _jit_vg_grads(params, X, y):
    return tracenp.jit(tracenp.value_and_grad(two_layer_loss_only))(params, X, y)[1]


def _aux_grads(params, X, y):
    (_, aux), g = tracenp.value_and_grad(two_layer_with_aux, has_aux=True)(params, X, y)
    return g


def _argnums_grads(params, X, y):
    names = ("W1", "b1", "W2", "b2")

    def loss(W1, b1, W2, b2, X, y):
        return two_layer_loss_only({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, y)

    g = tracenp.grad(loss, argnums=(0, 1, 2, 3))(*(params[k] for k in names), X, y)
    return dict(zip(names, g))


GRAD_FNS = {
    "grad": lambda p, X, y: tracenp.grad(two_layer_loss_only)(p, X, y),
    "value_and_grad": _vg_grads,
    "jit_value_and_grad": _jit_vg_grads,
    "has_aux": _aux_grads,
    "argnums_tuple": _argnums_grads,
}
OPTIMIZERS = {"sgd": sgd_train, "momentum": momentum_train, "adam": adam_train}


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("how", list(GRAD_FNS))
def test_training_loop_matches_hand_written_backprop(opt, how):
    """A few optimizer steps over a dict of parameters driven by tracenp's gradients end where
    the same loop driven by CS231n's hand-written gradients ends (`has_aux`'s loss is the same
    network with the regularizer written as a sum of squares)."""
    train = OPTIMIZERS[opt]
    want = train(hand_grads, NET_P, NET_X, NET_Y)
    got = train(GRAD_FNS[how], NET_P, NET_X, NET_Y)
    assert list(got) == list(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_whole_training_loop_under_jit(opt):
    """The optimizer loop itself jitted, `tracenp.grad` called on tracers inside it, and
    `num_iters` a Python int steered static."""
    train = OPTIMIZERS[opt]

    def run(params, X, y, num_iters):
        return train(tracenp.grad(two_layer_loss_only), params, X, y, num_iters=num_iters)

    jitted = tracenp.jit(run)
    for n in (3, 5):
        want = train(hand_grads, NET_P, NET_X, NET_Y, num_iters=n)
        got = jitted(NET_P, NET_X, NET_Y, n)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-10)


def test_adagrad_list_params_clip_out_and_inplace_update():
    """min-char-rnn's update: `np.clip(dparam, -5, 5, out=dparam)` on the gradient tracenp
    returned, then `param += ...` into the list's arrays; plain and with the loop jitted."""
    params = [NET_P["W1"] * 6, NET_P["b1"], NET_P["W2"] * 6, NET_P["b2"]]
    want = adagrad_rmsprop_list(list_hand_grads, params, NET_X, NET_Y)
    got = adagrad_rmsprop_list(tracenp.grad(list_mlp_loss), params, NET_X, NET_Y)
    jitted = tracenp.jit(lambda p, X, y: adagrad_rmsprop_list(tracenp.grad(list_mlp_loss), p, X,
                                                              y))(params, NET_X, NET_Y)
    for res in (got, jitted):
        assert isinstance(res, list)
        for a, b in zip(res, want):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_has_aux_returns_numpy_aux_plain_and_jitted():
    """`value_and_grad(..., has_aux=True)` and `grad(..., has_aux=True)`: the aux dict
    (scores and an accuracy from `argmax`) as NumPy computes it, the gradient as the hand one
    plus the regularizer's."""
    want_loss, want_aux = two_layer_with_aux(NET_P, NET_X, NET_Y)
    want_g = hand_grads(NET_P, NET_X, NET_Y)
    for vg in (tracenp.value_and_grad(two_layer_with_aux, has_aux=True),
               tracenp.jit(tracenp.value_and_grad(two_layer_with_aux, has_aux=True))):
        (loss, aux), g = vg(NET_P, NET_X, NET_Y)
        np.testing.assert_allclose(loss, want_loss, rtol=1e-12)
        assert set(aux) == {"scores", "acc"}
        np.testing.assert_allclose(aux["scores"], want_aux["scores"], rtol=1e-12)
        np.testing.assert_allclose(aux["acc"], want_aux["acc"])
        for k in want_g:
            assert_grads_close(g[k], want_g[k])
    g, aux = tracenp.grad(two_layer_with_aux, has_aux=True)(NET_P, NET_X, NET_Y)
    np.testing.assert_allclose(aux["acc"], want_aux["acc"])
    assert_grads_close(g["W1"], want_g["W1"])


def test_hand_written_gradients_of_cs231n_losses():
    """`svm_loss` and `softmax_loss` return `dx` written by hand; tracenp's gradient of the
    loss equals it, plain and jitted, and so does the batch norm backward of the assignment."""
    for fn in (svm_loss_vectorized, softmax_loss_cs231n):
        _, dx = fn(SC, SC_Y)
        for g in (tracenp.grad(lambda x, y: fn(x, y)[0]),
                  tracenp.jit(tracenp.grad(lambda x, y: fn(x, y)[0]))):
            assert_grads_close(g(SC, SC_Y), dx)
    gamma, beta, dout = 1 + normal(4, scale=0.2), normal(4), normal(6, 4)
    out, cache = batchnorm_forward_train(BN_X, gamma, beta)
    want = batchnorm_backward_alt(dout, cache)

    def bn(x, g, b, dout):
        return np.sum(batchnorm_forward_train(x, g, b)[0] * dout)

    for g in (tracenp.grad(bn, argnums=(0, 1, 2)), tracenp.jit(tracenp.grad(bn, (0, 1, 2)))):
        for got, w in zip(g(BN_X, gamma, beta, dout), want):
            assert_grads_close(got, w)


def test_gradient_clipping_by_global_norm_inside_jit():
    """Clip the gradients of all parameters by their global norm without a Python `if`:
    `np.minimum(1, max_norm / (norm + 1e-6))` on the norm tracenp computed."""
    def step(params, X, y, lr=0.5, max_norm=0.5):
        grads = tracenp.grad(two_layer_loss_only)(params, X, y)
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = np.minimum(1.0, max_norm / (total + 1e-6))
        return {k: params[k] - lr * scale * grads[k] for k in params}

    def step_hand(params, X, y, lr=0.5, max_norm=0.5):
        grads = hand_grads(params, X, y)
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, max_norm / (total + 1e-6))
        return {k: params[k] - lr * scale * grads[k] for k in params}

    want = step_hand(NET_P, NET_X, NET_Y)
    for got in (step(NET_P, NET_X, NET_Y), tracenp.jit(step)(NET_P, NET_X, NET_Y)):
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-10)


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0, z) - y * z)


def test_argnums_over_weight_bias_and_inputs():
    """`grad(..., argnums=(0, 1))` and `(0, 2)` of a logistic loss against its closed form
    `X.T (sigmoid(Xw + b) - y) / N` (and `w (p - y) / N` per input row)."""
    w, b = normal(3), 0.3
    p = sigmoid(LX @ w + b)
    want_w, want_b, want_x = LX.T @ (p - BIN) / 8, np.mean(p - BIN), np.outer(p - BIN, w) / 8
    for g in (tracenp.grad(logistic_loss, argnums=(0, 1)),
              tracenp.jit(tracenp.grad(logistic_loss, argnums=(0, 1)))):
        gw, gb = g(w, b, LX, BIN.astype(float))
        assert_grads_close(gw, want_w)
        assert type(gb) is float
        assert_grads_close(gb, want_b)
    gw, gx = tracenp.value_and_grad(logistic_loss, argnums=(0, 2))(w, b, LX,
                                                                   BIN.astype(float))[1]
    assert_grads_close(gw, want_w)
    assert_grads_close(gx, want_x)


def test_kwargs_namedtuple_and_negative_argnums():
    """Data passed by keyword, parameters as a namedtuple, `argnums=-1` and a list `argnums`."""
    from collections import namedtuple

    Params = namedtuple("Params", "W b")
    W, b = normal(3, 4), normal(4)

    def loss(p, X, y):
        return cross_entropy(np.tanh(X @ p.W + p.b), y)

    labels = rng.integers(0, 4, 8)
    want = tracenp.grad(lambda W, b: loss(Params(W, b), LX, labels), argnums=(0, 1))(W, b)
    for g in (tracenp.grad(loss)(Params(W, b), X=LX, y=labels),
              tracenp.jit(tracenp.grad(loss))(Params(W, b), LX, y=labels)):
        assert isinstance(g, Params)
        assert_grads_close(g.W, want[0])
        assert_grads_close(g.b, want[1])
    gb = tracenp.grad(lambda X, W, b: loss(Params(W, b), X, labels), argnums=-1)(LX, W, b)
    assert_grads_close(gb, want[1])
    gw, gb = tracenp.grad(lambda X, W, b: loss(Params(W, b), X, labels), argnums=[1, 2])(LX, W, b)
    assert_grads_close(gw, want[0])


def _float32(tree):
    leaves, structure = pytree.flatten(tree)
    return pytree.unflatten(structure, [np.asarray(x, np.float32) for x in leaves])


FLOAT32 = {
    "picogpt_loss": (gpt2_loss, GPT_SMALL, (TOKENS, NEXT)),
    "nanogpt_loss": (nanogpt_loss, NANO, (IDX, IDX_T)),
    "llama_block": (lambda p, x: np.sum(llama_attention(p, x) ** 2), LLAMA,
                    (normal(5, 8).astype(np.float32),)),
    "two_layer_net": (two_layer_loss_only, NET_P, (NET_X.astype(np.float32), NET_Y)),
    "vae": (vae_loss, CASES["vae_bernoulli_reparameterized"][1][0],
            (VAE_X.astype(np.float32), normal(4, 2).astype(np.float32))),
    "captioning_lstm": (lambda p, f, c: captioning_rnn_loss(p, f, c, "lstm"),
                        caption_params(3, gates=4), (normal(2, 4).astype(np.float32), CAPTIONS)),
    "conv_im2col": (lambda w, x: np.sum(conv_forward_im2col(x, w, np.zeros(3, np.float32)) ** 2),
                    FILT, (IMG.astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(FLOAT32))
def test_float32_parameters_as_checkpoints_load_them(name):
    """picoGPT's checkpoints are float32: the value has NumPy's dtype and value (rtol 1e-5),
    each gradient leaf is float32 and close to the float64 gradient."""
    fn, params, rest = FLOAT32[name]
    p32 = _float32(params)
    want = fn(p32, *rest)
    g64 = pytree.flatten(tracenp.grad(fn)(params, *rest))[0]
    for vg in (tracenp.value_and_grad(fn), tracenp.jit(tracenp.value_and_grad(fn))):
        value, g = vg(p32, *rest)
        assert np.asarray(value).dtype == np.asarray(want).dtype
        np.testing.assert_allclose(value, want, rtol=1e-5)
        for got, ref in zip(pytree.flatten(g)[0], g64):
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, ref, rtol=2e-3, atol=2e-4 * np.abs(ref).max())


HVP = {
    "gelu": lambda x: np.sum(gelu(x) ** 2),
    "cross_entropy": lambda x: cross_entropy(x, np.array([0, 2, 4])),
    "layer_norm": lambda x: np.sum(layer_norm(x, 1.0, 0.0) ** 3),
    "causal_attention": lambda x: np.sum(attention(x, x, x, (1 - np.tri(3)) * -1e10) ** 2),
    "where_neg_inf_softmax": lambda x: np.sum(softmax(np.where(np.tri(3, 5) > 0, x, -np.inf))
                                              ** 2),
    "max_pool": lambda x: np.sum(max_pool_reshape(x.reshape(1, 1, 3, 5)[:, :, :2, :4]) ** 2),
    "stable_sigmoid_masks": lambda x: np.sum(sigmoid_stable_masks(x) ** 3),
    "rms_norm": lambda x: np.sum(rms_norm(x, 1.5) ** 3),
    "rotary": lambda x: np.sum(rotary_half(x) ** 3),
}


@pytest.mark.parametrize("name", list(HVP))
def test_hessian_vector_products(name):
    """`grad` of `np.sum(grad(f)(x) * v)`, plain and jitted, against central differences of
    the gradient along `v`."""
    f = HVP[name]
    x, v = normal(3, 4 if name == "rotary" else 5), normal(3, 4 if name == "rotary" else 5)

    def hv(x, v):
        return np.sum(tracenp.grad(f)(x) * v)

    g, eps = tracenp.grad(f), 1e-5
    numeric = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    assert_grads_close(tracenp.grad(hv)(x, v), numeric, rtol=1e-4)
    assert_grads_close(tracenp.jit(tracenp.grad(hv))(x, v), numeric, rtol=1e-4)


# ----------------------------------------------------------------------------- writes in a loss


def bn_running_stats_case():
    return (batchnorm_running_stats, (BN_X, 1 + normal(4, scale=0.2), normal(4),
                                      {"momentum": 0.8, "running_mean": np.zeros(4),
                                       "running_var": np.ones(4)}), (0, 1))


def _cache_loss(params, X, cache):
    h = np.tanh(X @ params["W"] + params["b"])
    cache["h"] = h
    return np.sum(h ** 2)


def _state_list_loss(x, state):
    state[0] = x.mean(axis=0)
    return np.sum(x ** 2)


def _buffer_loss(x, buf):
    buf[:] = x.sum(axis=0)
    return np.sum(np.tanh(x))


WRITES = {
    "batchnorm_running_stats_into_bn_param": lambda: bn_running_stats_case(),
    "cs231n_cache_dict_argument": lambda: (_cache_loss, ({"W": normal(3, 2), "b": normal(2)},
                                                         normal(4, 3), {}), 0),
    "state_list_argument": lambda: (_state_list_loss, (normal(4, 3), [np.zeros(3)]), 0),
    "buffer_array_argument_slice_write": lambda: (_buffer_loss, (normal(4, 3), np.zeros(3)), 0),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_loss_writes_into_a_non_differentiated_argument(name):
    """A loss that writes something computed from the parameters into another argument
    (batch norm's running statistics, a CS231n cache dict, a state list, a buffer): NumPy's
    writes, once. Run in a subprocess: until stop 27 it crashed the interpreter."""
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r});"
            "import test_grad_hunt_ad as m;"
            f"fn, args, argnums = m.WRITES[{name!r}]();"
            "m.check_grads(fn, args, argnums)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def bn_with_aux_state(params, x, state, momentum=0.9):
    """The functional form of the running statistics: returned as `aux`, not written."""
    mu, var = x.mean(axis=0), x.var(axis=0)
    xn = (x - mu) / np.sqrt(var + 1e-5)
    out = np.tanh(params["gamma"] * xn + params["beta"]) @ params["W"]
    new_state = {"running_mean": momentum * state["running_mean"] + (1 - momentum) * mu,
                 "running_var": momentum * state["running_var"] + (1 - momentum) * var}
    return np.mean(out ** 2), new_state


def test_running_statistics_returned_as_aux():
    """Batch norm's new running statistics as `has_aux` output, of the parameters and of the
    differentiated input, and from `vjp(..., has_aux=True)`: NumPy's values."""
    params = {"gamma": 1 + normal(4, scale=0.1), "beta": normal(4), "W": normal(4, 2)}
    state = {"running_mean": np.zeros(4), "running_var": np.ones(4)}
    want_loss, want_state = bn_with_aux_state(params, BN_X, state)
    results = [vg(params, BN_X, state) for vg in (
        tracenp.value_and_grad(bn_with_aux_state, has_aux=True),
        tracenp.jit(tracenp.value_and_grad(bn_with_aux_state, has_aux=True)),
        tracenp.value_and_grad(bn_with_aux_state, argnums=1, has_aux=True))]
    _, _, aux = tracenp.vjp(lambda x: bn_with_aux_state(params, x, state), BN_X, has_aux=True)
    for (loss, new_state), _ in results:
        np.testing.assert_allclose(loss, want_loss, rtol=1e-12)
        for k in want_state:
            np.testing.assert_allclose(new_state[k], want_state[k], rtol=1e-12)
            np.testing.assert_allclose(aux[k], want_state[k], rtol=1e-12)


def picogpt_generate(inputs, params, n_tokens_to_generate):
    """picoGPT's greedy decoding: the argmax appended to the token list each step."""
    for _ in range(n_tokens_to_generate):
        logits = gpt2(inputs, **params, n_head=2)
        next_id = np.argmax(logits[-1])
        inputs.append(int(next_id))
    return inputs[len(inputs) - n_tokens_to_generate:]


def test_picogpt_greedy_generate_appends_to_token_list():
    """picoGPT's decoding loop feeds each argmax back into the token list argument: NumPy's
    tokens, and the list grown as NumPy grows it."""
    check_like_numpy(picogpt_generate, {}, lambda seed, size: (
        [int(t) for t in np.random.default_rng(seed).integers(0, V, size - 2)], GPT_SMALL, 2))


# ----------------------------------------------------------------------------- refused


REFUSED = {
    "cs231n_svm_loss_naive_continue_on_label": (
        tracenp.ConcretizationError, svm_loss_naive,
        lambda s: (np.random.default_rng(s).standard_normal((3, 4)),
                   np.random.default_rng(s + 9).standard_normal((6, 3)),
                   np.random.default_rng(s).integers(0, 4, 6), 0.1)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_name_the_construct_and_run_under_fallback(name):
    """`if j == y[i]: continue` on the label array: the named error under `jit` and under
    `grad`, NumPy's values under `fallback=True`."""
    error, fn, make_args = REFUSED[name]
    check_refused(error, fn, make_args)
    with pytest.raises(error):
        tracenp.grad(fn)(*make_args(1))
