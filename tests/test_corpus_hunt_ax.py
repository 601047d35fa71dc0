"""Corpus, hunt AX: information theory, survival analysis and reliability, and queueing and
inventory simulation as course notebooks, textbooks' companion code, blog posts and
lifelines/scikit-survival-free reimplementations write them.

Information theory (the entropy of probability vectors with 0 log 0 handled by `np.where`, by
a boolean selection, by `xlogy`, `entr` and `rel_entr` (also in float32), by `np.nan_to_num`,
a masked `np.ma.log2(...).filled(0)`, `np.sum(..., where=)` and `np.log2(..., out=, where=)`,
of integer counts and uint8 image histograms; histogram entropies with a differential
correction and from `density=True`; joint entropy and mutual information by `np.histogram2d`
(the StackOverflow answer with its `float(np.sum(...))`, fixed ranges, weights) and total
correlation and conditional MI by `np.histogramdd`; conditional entropy by `np.divide(...,
where=)`; KL by `np.where` and `rel_entr`/`kl_div`, Jensen-Shannon by hand, over rows and by
`scipy.spatial.distance.jensenshannon`; cross-entropy by `np.eye(k)[y]` and `logsumexp`;
bigram perplexity counted by `np.add.at`; binary entropy by masked writes and `xlog1py`;
Blahut-Arimoto with `np.prod(np.power(q, P))` and by divergences; Shannon and
Shannon-Fano-Elias code lengths with Kraft sums; Renyi entropies over a tuple of orders; the
entropy rate of a chain by `eig`; information gain and Gini by `np.bincount` of selections;
PPMI; scikit-learn's `mutual_info_score` by `np.nonzero` and `take`; NMI and variation of
information; the AEP by `rng.choice` and Miller-Madow by `rng.multinomial`;
`scipy.stats.entropy` with `axis` and `base`; Gaussian entropies by `slogdet`; spectral entropy
by `np.fft.rfft`; Fano's bound), survival analysis (Kaplan-Meier with Greenwood and log-log
intervals, bool `event_observed`, ties by `np.lexsort` and `searchsorted(side="right")`, at a
grid by `searchsorted(sorter=)` and `np.interp`, medians by `np.argmax`, restricted means,
at-risk counts by broadcasting; Nelson-Aalen on a grid; the Cox partial log-likelihood by
sorted cumulative sums, `np.logaddexp.accumulate` and a risk-set matrix, its gradient and
Hessian by reversed cumulative sums and `einsum`, Newton fits into a dict with Wald p-values,
Breslow's baseline hazard; Harrell's C; log-rank and Gehan tests with `chi2.sf`; exponential
MLEs with chi-square intervals and per group by `np.bincount`; Weibull MLEs by Newton loops,
complete and censored, and by a probability plot with `np.polyfit`; `weibull_min`/`expon`
functions; bathtub hazards by `cumulative_trapezoid`; piecewise-exponential hazards and their
MLE by a weighted `np.histogram`; life tables by `np.digitize` and by a loop), reliability
(blocks in a dict, k-out-of-n by `comb` and `binom.sf`, the bridge network by pivoting and by
inclusion-exclusion over `itertools.combinations`, structure functions over
`itertools.product` states, exponential systems with MTTFs by `np.trapezoid`, MTBF and
availability, Monte Carlo lifetimes with `np.sort` for 2-out-of-3, fault trees of lambdas,
greedy redundancy allocation by `np.argmax` and an indexed increment, Markov availability by
`solve`, `np.kron` product chains and transient availability by complex `eig` and by `expm`,
Crow-AMSAA, renewal counts, cold standby by `math.factorial`, a gamma MLE by
`digamma`/`polygamma`), queueing and inventory (Lindley's recursion by Python `max`, by
`np.maximum` from a generator argument, under `np.random.seed` and by
`np.minimum.accumulate`; single-server, tandem and multi-server departures by `np.argmin` into
free times; queue lengths by `searchsorted` and running maxima by `np.maximum.accumulate`;
M/M/1 with `np.where` for unstable loads, M/M/c by Erlang C with `math.factorial` and by
`np.vectorize` of a scalar formula, Erlang B by recursion, `gammaincc` and `poisson`, staffing by
`np.argmax`; birth-death, M/M/1/K and M/M/c/K distributions; CTMC steady states by `solve`,
`lstsq`, the last singular vector, `scipy.linalg.null_space` and transients by `expm`; Markov
chains by `eig` (also picked by `np.isclose`), spectral gaps, absorbing-chain fundamental
matrices and Kemeny-Snell first passage times, simulated by `searchsorted`, by `argmax` of a
comparison and by `rng.choice(p=P[state])`; compound demand and M/G/1 queue lengths by complex
FFTs; Jackson networks; a Geo/Geo/1 queue; (s, S) inventory with `np.where` on demands given
and drawn, a lead-time pipeline by `np.roll` and by a `deque`, replications as a demand matrix,
many policies at once; the newsvendor by `ndtri` and by a sample grid).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Iteration counts, server counts, histogram bins,
seeds and horizons of generators made inside, matrix powers and the k and n of k-out-of-n
given positionally are made static; the forms whose Python or shapes depend on array values
(Kaplan-Meier, Nelson-Aalen and log-rank over `np.unique` times, the failure times returned,
`np.unique(..., return_inverse=True)` contingency tables, Blahut-Arimoto and Weibull fits to a
tolerance, `scipy.optimize.brentq`, an inventory `if` on the stock, a queue simulated `while
t < T`, staffing `while` the wait is too long, a chain run until absorption, `heapq` of server
free times, a generator expression with `if`, `bins="auto"`) raise a named error and run
eagerly under `fallback=True`; `scipy.linalg.eig(left=True)` runs on the host. Strict
xfails: `np.vectorize` of a function taking `math.factorial` of a constant Python int
argument, `scipy.linalg.null_space`, and `M[0, mask].sum()` with a traced mask.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.optimize
import scipy.spatial.distance
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _probs(seed, n, zeros=True):
    p = _u(seed, n) + 0.05
    if zeros:
        p[1::3] = 0.0
    return p / p.sum()


def _stochastic(seed, n, zeros=False):
    P = _u(seed, n, n) + 0.05
    if zeros:
        P[np.arange(n), (np.arange(n) + 2) % n] = 0.0
    return P / P.sum(axis=1, keepdims=True)


# ======================================================================= information theory


def entropy_where(p):
    # the lecture-notes form: 0 log 0 taken as 0 by np.where, in bits
    return -np.sum(np.where(p > 0, p * np.log2(p), 0.0))


def entropy_mask(p):
    # drop the zeros first, then the textbook sum
    p = p[p > 0]
    return -np.sum(p * np.log2(p))


def entropy_xlogy_counts(counts):
    # counts to probabilities, nats by xlogy (xlogy(0, 0) == 0)
    p = counts / counts.sum()
    return -np.sum(scipy.special.xlogy(p, p))


def entropy_rows_log2_where(P):
    # a batch of distributions in rows: normalise with keepdims, log2 only where positive
    P = P / P.sum(axis=1, keepdims=True)
    logP = np.log2(P, out=np.zeros_like(P), where=P > 0)
    return -(P * logP).sum(axis=1)


def entropy_float32(p):
    # float32 probabilities from a model's softmax, clipped before the log
    p = p.astype(np.float32)
    return -(p * np.log(np.clip(p, 1e-7, 1.0))).sum()


def image_entropy_uint8(img):
    # the entropy of a grey image's histogram, 256 levels by bincount
    hist = np.bincount(img.ravel(), minlength=256)
    p = hist / hist.sum()
    p = p[p > 0]
    return -np.sum(p * np.log2(p))


def histogram_entropy(x, bins=16):
    # plug-in entropy of the histogram and the differential-entropy estimate
    counts, edges = np.histogram(x, bins=bins)
    p = counts / counts.sum()
    nz = p > 0
    H = -np.sum(p[nz] * np.log2(p[nz]))
    width = edges[1] - edges[0]
    return H, H + np.log2(width)


def histogram_entropy_density(x, bins=10):
    dens, edges = np.histogram(x, bins=bins, density=True)
    widths = np.diff(edges)
    h = -np.sum(widths * scipy.special.xlogy(dens, dens))
    H = scipy.special.entr(dens * widths).sum()
    return h, H


def joint_entropy_hist2d(x, y, bins=8):
    H, _, _ = np.histogram2d(x, y, bins=bins)
    pxy = H / H.sum()
    px = pxy.sum(axis=1)
    py = pxy.sum(axis=0)
    Hxy = -np.sum(pxy[pxy > 0] * np.log2(pxy[pxy > 0]))
    Hx = -np.sum(px[px > 0] * np.log2(px[px > 0]))
    Hy = -np.sum(py[py > 0] * np.log2(py[py > 0]))
    return Hxy, Hx + Hy - Hxy


def mutual_info_hist2d(x, y, bins=10):
    # the StackOverflow answer
    c_xy = np.histogram2d(x, y, bins)[0]
    pxy = c_xy / float(np.sum(c_xy))
    px = np.sum(pxy, axis=1)
    py = np.sum(pxy, axis=0)
    px_py = px[:, None] * py[None, :]
    nzs = pxy > 0
    return np.sum(pxy[nzs] * np.log(pxy[nzs] / px_py[nzs]))


def mutual_info_fixed_range(x, y, bins=12):
    # fixed ranges so that estimates are comparable across samples; normalised MI too
    H, xe, ye = np.histogram2d(x, y, bins=bins, range=[[-4, 4], [-4, 4]])
    pxy = H / H.sum()
    px = pxy.sum(axis=1, keepdims=True)
    py = pxy.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.nansum(pxy * np.log(pxy / (px * py)))
    hx = scipy.special.entr(px).sum()
    hy = scipy.special.entr(py).sum()
    return mi, mi / np.sqrt(hx * hy)


def total_correlation_histogramdd(X, bins=5):
    # sum of marginal entropies minus the joint entropy of d variables
    H, edges = np.histogramdd(X, bins=bins)
    p = H / H.sum()
    joint = scipy.special.entr(p).sum()
    marg = 0.0
    d = X.shape[1]
    for axis in range(d):
        other = tuple(a for a in range(d) if a != axis)
        marg += scipy.special.entr(p.sum(axis=other)).sum()
    return marg - joint


def conditional_mi_histogramdd(x, y, z, bins=4):
    # I(X; Y | Z) = H(X, Z) + H(Y, Z) - H(X, Y, Z) - H(Z)
    p, _ = np.histogramdd(np.column_stack([x, y, z]), bins=bins)
    p /= p.sum()

    def H(q):
        q = q[q > 0]
        return -np.sum(q * np.log(q))

    return H(p.sum(axis=1)) + H(p.sum(axis=0)) - H(p) - H(p.sum(axis=(0, 1)))


def conditional_entropy_table(joint):
    # H(Y|X) from a joint count table, p(y|x) by np.divide with where=
    pxy = joint / joint.sum()
    px = pxy.sum(axis=1, keepdims=True)
    py_x = np.divide(pxy, px, out=np.zeros_like(pxy), where=px > 0)
    return -np.sum(scipy.special.xlogy(pxy, py_x))


def kl_where(p, q):
    return np.sum(np.where(p != 0, p * np.log(p / q), 0))


def kl_rel_entr(p, q):
    return scipy.special.rel_entr(p, q).sum(), scipy.special.kl_div(p, q).sum()


def js_divergence(p, q, base=2):
    p = p / p.sum()
    q = q / q.sum()
    m = 0.5 * (p + q)
    js = 0.5 * (scipy.special.rel_entr(p, m).sum() + scipy.special.rel_entr(q, m).sum())
    js /= np.log(base)
    return js, np.sqrt(js)


def js_rows(P, Q):
    # many pairs at once, rows of P against rows of Q: H(M) - (H(P) + H(Q)) / 2
    M = (P + Q) / 2

    def H(A):
        return -np.sum(np.where(A > 0, A * np.log(A), 0.0), axis=1)

    return H(M) - 0.5 * (H(P) + H(Q))


def cross_entropy_onehot(y, probs, eps=1e-12):
    k = probs.shape[1]
    Y = np.eye(k)[y]
    return -np.mean(np.sum(Y * np.log(probs + eps), axis=1))


def cross_entropy_logits(logits, y):
    # log-softmax by logsumexp, the true class picked by fancy indexing; perplexity as exp
    logp = logits - scipy.special.logsumexp(logits, axis=1, keepdims=True)
    nll = -logp[np.arange(len(y)), y].mean()
    return nll, np.exp(nll)


def bigram_perplexity(tokens, V, alpha=1.0):
    # add-alpha bigram counts by np.add.at, row-normalised, the log-likelihood of the text
    C = np.zeros((V, V))
    np.add.at(C, (tokens[:-1], tokens[1:]), 1)
    P = (C + alpha) / (C + alpha).sum(axis=1, keepdims=True)
    ll = np.log(P[tokens[:-1], tokens[1:]]).sum()
    return np.exp(-ll / (len(tokens) - 1)), P


def binary_entropy(p):
    # h2(p) with the endpoints set to zero
    p = np.asarray(p, dtype=float)
    h = np.zeros_like(p)
    m = (p > 0) & (p < 1)
    h[m] = -p[m] * np.log2(p[m]) - (1 - p[m]) * np.log2(1 - p[m])
    return h


def blahut_arimoto(p_y_x, log_base=2, max_iter=30):
    # the common GitHub implementation with its tolerance test taken out: r a (1, m) row
    m = p_y_x.shape[0]
    r = np.ones((1, m)) / m
    for iteration in range(max_iter):
        q = r.T * p_y_x
        q = q / np.sum(q, axis=0)
        r1 = np.prod(np.power(q, p_y_x), axis=1)
        r1 = r1 / np.sum(r1)
        r = r1
    r = r.flatten()
    c = np.sum(r[:, None] * p_y_x * np.log(q / r[:, None] + 1e-16))
    return c / np.log(log_base), r


def blahut_arimoto_log(W, n_iter=40):
    # the divergence form: r <- r exp(D(W_x || q)), with the upper bound max D
    m = W.shape[0]
    r = np.full(m, 1.0 / m)
    for _ in range(n_iter):
        q = r @ W
        D = np.sum(scipy.special.rel_entr(W, q[None, :]), axis=1)
        r = r * np.exp(D)
        r /= r.sum()
    q = r @ W
    D = np.sum(scipy.special.rel_entr(W, q[None, :]), axis=1)
    return np.dot(r, D) / np.log(2), D.max() / np.log(2), r


def shannon_code_lengths(p):
    # Shannon's lengths ceil(-log2 p): expected length, entropy, Kraft sum and efficiency
    lengths = np.ceil(-np.log2(p)).astype(int)
    L = np.sum(p * lengths)
    H = -np.sum(p * np.log2(p))
    kraft = np.sum(2.0 ** -lengths)
    return lengths, L, H, kraft, H / L


def shannon_fano_elias(p):
    # the midpoint of each step of the CDF, truncated to l(x) = ceil(log2 1/p) + 1 bits
    Fbar = np.cumsum(p) - p / 2
    lengths = np.ceil(np.log2(1 / p)).astype(np.int64) + 1
    codewords = np.floor(Fbar * 2.0 ** lengths).astype(np.int64)
    return lengths, codewords, np.dot(p, lengths)


def renyi_entropies(p, alphas=(0.0, 0.5, 1.0, 2.0, np.inf)):
    out = []
    pp = p[p > 0]
    for a in alphas:
        if a == 1:
            out.append(-np.sum(pp * np.log2(pp)))
        elif a == np.inf:
            out.append(-np.log2(np.max(p)))
        else:
            out.append(np.log2(np.sum(pp ** a)) / (1 - a))
    return np.array(out)


def markov_entropy_rate(P):
    # the stationary distribution by eig of P^T, then -sum pi_i P_ij log P_ij
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi = pi / pi.sum()
    logP = np.where(P > 0, np.log2(np.where(P > 0, P, 1)), 0)
    return -np.sum(pi[:, None] * P * logP), pi


def information_gain(x, y, threshold, k=3):
    # a decision-tree split: parent entropy minus the weighted child entropies, and Gini

    def entropy(counts):
        p = counts / max(counts.sum(), 1)
        return -np.sum(scipy.special.xlogy(p, p)) / np.log(2)

    def gini(counts):
        p = counts / max(counts.sum(), 1)
        return 1 - np.sum(p ** 2)

    left = x <= threshold
    n, nl = len(y), left.sum()
    cl = np.bincount(y[left], minlength=k)
    cr = np.bincount(y[~left], minlength=k)
    c = np.bincount(y, minlength=k)
    ig = entropy(c) - (nl / n) * entropy(cl) - ((n - nl) / n) * entropy(cr)
    gg = gini(c) - (nl / n) * gini(cl) - ((n - nl) / n) * gini(cr)
    return ig, gg


def ppmi_matrix(C):
    # positive PMI of a word-context co-occurrence matrix, the -inf of zero counts set to 0
    total = C.sum()
    row = C.sum(axis=1, keepdims=True)
    col = C.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore"):
        pmi = np.log(C * total / (row * col))
    pmi[np.isinf(pmi)] = 0.0
    return np.maximum(pmi, 0)


def mutual_info_score_contingency(contingency):
    # scikit-learn's mutual_info_score from a contingency matrix, by np.nonzero and take
    nzx, nzy = np.nonzero(contingency)
    nz_val = contingency[nzx, nzy]
    contingency_sum = contingency.sum()
    pi = np.ravel(contingency.sum(axis=1))
    pj = np.ravel(contingency.sum(axis=0))
    log_contingency_nm = np.log(nz_val)
    contingency_nm = nz_val / contingency_sum
    outer = pi.take(nzx).astype(np.int64, copy=False) * pj.take(nzy).astype(np.int64, copy=False)
    log_outer = -np.log(outer) + np.log(pi.sum()) + np.log(pj.sum())
    mi = (contingency_nm * (log_contingency_nm - np.log(contingency_sum))
          + contingency_nm * log_outer)
    mi = np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi)
    return np.clip(mi.sum(), 0.0, None)


def nmi_labels_add_at(labels_true, labels_pred, k=3):
    # the contingency table by np.add.at, then MI normalised by the arithmetic mean entropy
    C = np.zeros((k, k))
    np.add.at(C, (labels_true, labels_pred), 1)
    pxy = C / C.sum()
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    outer = np.outer(px, py)
    mi = np.sum(pxy * np.log(np.where(pxy > 0, pxy, 1) / np.where(outer > 0, outer, 1)))
    hx = scipy.special.entr(px).sum()
    hy = scipy.special.entr(py).sum()
    return mi, mi / ((hx + hy) / 2), hx + hy - 2 * mi


def aep_typical_set(p, rng, n=40, m=300, eps=0.1):
    # sample m sequences of n symbols; the fraction whose per-symbol log-prob is within eps of H
    X = rng.choice(len(p), size=(m, n), p=p)
    logp = np.log2(p)[X]
    per_symbol = -logp.mean(axis=1)
    H = -np.sum(p * np.log2(p))
    return per_symbol, np.mean(np.abs(per_symbol - H) < eps)


def entropy_scipy_stats(p, q):
    return scipy.stats.entropy(p, base=2), scipy.stats.entropy(p, q)


def gaussian_entropy_mi(cov):
    # h(X) = 0.5 log det(2 pi e Sigma); MI of the first variable with the rest
    d = cov.shape[0]
    sign, logdet = np.linalg.slogdet(2 * np.pi * np.e * cov)
    h = 0.5 * logdet
    _, ld_rest = np.linalg.slogdet(cov[1:, 1:])
    mi = 0.5 * (np.log(cov[0, 0]) + ld_rest - np.linalg.slogdet(cov)[1])
    return h, h / d, mi


def fano_bound(joint):
    # Fano: the lower bound on the error of guessing X from Y, and the MAP error
    pxy = joint / joint.sum()
    py = pxy.sum(axis=0)
    H_x_given_y = -np.sum(scipy.special.xlogy(pxy, pxy / py[None, :]))
    M = pxy.shape[0]
    pe_map = 1 - pxy.max(axis=0).sum()
    bound = (H_x_given_y / np.log(2) - 1) / np.log2(M - 1)
    return H_x_given_y, pe_map, bound


def spectral_entropy(x, normalize=True):
    # the spectral entropy of a signal: the normalised power spectrum as a distribution
    psd = np.abs(np.fft.rfft(x)) ** 2
    psd_norm = psd / psd.sum()
    se = -np.sum(psd_norm * np.log2(psd_norm + 1e-20))
    if normalize:
        se /= np.log2(len(psd_norm))
    return se


def js_scipy_spatial(P, Q):
    # scipy's Jensen-Shannon distance, one pair of rows at a time
    d = np.array([scipy.spatial.distance.jensenshannon(p, q, base=2) for p, q in zip(P, Q)])
    return d, d ** 2


def entropy_scipy_axis(P, Q):
    return scipy.stats.entropy(P, axis=1), scipy.stats.entropy(P, Q, axis=1, base=2)


def binary_entropy_xlog1py(p):
    return -(scipy.special.xlogy(p, p) + scipy.special.xlog1py(1 - p, -p)) / np.log(2)


def mi_histogram2d_density_weights(x, y, w, bins=6):
    # weighted samples, densities times the bin areas back to probabilities
    pxy, xe, ye = np.histogram2d(x, y, bins=bins, weights=w, density=True)
    dx, dy = np.diff(xe), np.diff(ye)
    P = pxy * dx[:, None] * dy[None, :]
    px, py = P.sum(1), P.sum(0)
    return np.sum(scipy.special.rel_entr(P, np.outer(px, py)))


def entropy_three_idioms(p):
    # the same zeros handled three more ways: nan_to_num, a masked log, sum(where=)
    with np.errstate(divide="ignore", invalid="ignore"):
        h1 = -np.sum(np.nan_to_num(p * np.log2(p)))
        h3 = -np.sum(p * np.log2(p), where=p > 0)
    h2 = -np.sum(p * np.ma.log2(p).filled(0))
    return h1, h2, h3


def entropy_float32_special(p):
    # float32 probabilities through entr, xlogy and rel_entr against the uniform
    p = p.astype(np.float32)
    u = np.float32(1.0 / len(p))
    return scipy.special.entr(p).sum(), -scipy.special.xlogy(p, p).sum(), \
        scipy.special.rel_entr(p, u).sum()


def miller_madow(rng, p, N=50, reps=30):
    # the plug-in entropy of multinomial samples and the Miller-Madow bias correction
    counts = rng.multinomial(N, p, size=reps)
    phat = counts / N
    H = -np.sum(scipy.special.xlogy(phat, phat), axis=1)
    m = np.count_nonzero(counts, axis=1)
    return H, H + (m - 1) / (2 * N)


def _xy(seed, n, rho=0.6):
    r = np.random.default_rng(seed)
    x = r.standard_normal(20 * n)
    y = rho * x + np.sqrt(1 - rho ** 2) * r.standard_normal(20 * n)
    return x, y


def _cov(seed, d):
    A = _f(d, d + 2, seed=seed)
    return A @ A.T / (d + 2) + 0.5 * np.eye(d)


INFO = {
    "entropy_np_where": (entropy_where, {}, lambda s, n: (_probs(s, 2 * n),)),
    "entropy_mask_selection": (entropy_mask, {}, lambda s, n: (_probs(s, 2 * n),)),
    "entropy_xlogy_int_counts": (entropy_xlogy_counts, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "entropy_rows_log2_out_where": (entropy_rows_log2_where, {}, lambda s, n: (
        _i(4, n, 5, seed=s).astype(float) + np.eye(n, 5),)),
    "entropy_float32_clip": (entropy_float32, {}, lambda s, n: (_probs(s, 2 * n),)),
    "image_entropy_uint8_bincount": (image_entropy_uint8, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 40, (n, 8), dtype=np.uint8) * 3,)),
    "histogram_entropy_differential": (histogram_entropy, {}, lambda s, n: (
        _f(25 * n, seed=s),)),
    "histogram_entropy_density": (histogram_entropy_density, {}, lambda s, n: (
        _f(25 * n, seed=s) ** 2,)),
    "joint_entropy_histogram2d": (joint_entropy_hist2d, {}, lambda s, n: _xy(s, n)),
    "mutual_info_histogram2d_so": (mutual_info_hist2d, {}, lambda s, n: _xy(s, n)),
    "mutual_info_fixed_range_nmi": (mutual_info_fixed_range, {}, lambda s, n: _xy(s, n, 0.8)),
    "total_correlation_histogramdd": (total_correlation_histogramdd, {}, lambda s, n: (
        np.column_stack([*_xy(s, n), _f(20 * n, seed=s + 5)]),)),
    "conditional_mi_histogramdd": (conditional_mi_histogramdd, {}, lambda s, n: (
        *_xy(s, n), _xy(s, n)[0] + _f(20 * n, seed=s + 3))),
    "conditional_entropy_divide_where": (conditional_entropy_table, {}, lambda s, n: (
        _i(6, n, 3, seed=s) * (np.arange(n) != 1)[:, None],)),
    "kl_np_where": (kl_where, {}, lambda s, n: (_probs(s, 2 * n), _probs(s + 1, 2 * n, False))),
    "kl_rel_entr_kl_div": (kl_rel_entr, {}, lambda s, n: (
        _probs(s, 2 * n), _probs(s + 1, 2 * n, False))),
    "js_divergence_sqrt": (js_divergence, {}, lambda s, n: (
        _probs(s, 2 * n) * 3, _probs(s + 1, 2 * n))),
    "js_rows_nested_def": (js_rows, {}, lambda s, n: (
        _stochastic(s, n, True), _stochastic(s + 1, n))),
    "cross_entropy_eye_onehot": (cross_entropy_onehot, {}, lambda s, n: (
        _i(4, 3 * n, seed=s), _stochastic(s, 3 * n)[:, :4] / _stochastic(s, 3 * n)[:, :4].sum(
            axis=1, keepdims=True))),
    "cross_entropy_logsumexp": (cross_entropy_logits, {}, lambda s, n: (
        _f(3 * n, 5, seed=s) * 2, _i(5, 3 * n, seed=s))),
    "bigram_perplexity_add_at": (bigram_perplexity, {"V": 5}, lambda s, n: (
        _i(5, 8 * n, seed=s),)),
    "binary_entropy_mask_writes": (binary_entropy, {}, lambda s, n: (
        np.r_[0.0, 1.0, _u(s, 2 * n)],)),
    "blahut_arimoto_fixed_iter": (blahut_arimoto, {}, lambda s, n: (_stochastic(s, n, True),)),
    "blahut_arimoto_rel_entr": (blahut_arimoto_log, {}, lambda s, n: (
        _stochastic(s, n, True)[:, : n - 1] / _stochastic(s, n, True)[:, : n - 1].sum(
            axis=1, keepdims=True),)),
    "shannon_code_lengths_kraft": (shannon_code_lengths, {}, lambda s, n: (
        _probs(s, 2 * n, False),)),
    "shannon_fano_elias_codewords": (shannon_fano_elias, {}, lambda s, n: (
        _probs(s, 2 * n, False),)),
    "renyi_entropies_tuple_orders": (renyi_entropies, {}, lambda s, n: (_probs(s, 2 * n),)),
    "markov_entropy_rate_eig": (markov_entropy_rate, {}, lambda s, n: (
        _stochastic(s, n, True),)),
    "information_gain_gini_bincount": (information_gain, {}, lambda s, n: (
        _f(6 * n, seed=s), _i(3, 6 * n, seed=s + 1), 0.1)),
    "ppmi_isinf_write": (ppmi_matrix, {}, lambda s, n: (
        _i(4, n, n + 2, seed=s).astype(float),)),
    "sklearn_mutual_info_score_nonzero": (mutual_info_score_contingency, {}, lambda s, n: (
        _i(5, n, 3, seed=s),)),
    "nmi_vi_add_at": (nmi_labels_add_at, {}, lambda s, n: (
        _i(3, 6 * n, seed=s), np.where(_u(s, 6 * n) < 0.6, _i(3, 6 * n, seed=s),
                                       _i(3, 6 * n, seed=s + 1)))),
    "aep_typical_set_rng_choice": (aep_typical_set, {}, lambda s, n: (
        _probs(s, n, False), np.random.default_rng(s))),
    "scipy_stats_entropy": (entropy_scipy_stats, {}, lambda s, n: (
        _i(5, 2 * n, seed=s) + 1, _probs(s + 1, 2 * n, False))),
    "gaussian_entropy_slogdet": (gaussian_entropy_mi, {}, lambda s, n: (_cov(s, n),)),
    "spectral_entropy_rfft": (spectral_entropy, {}, lambda s, n: (_f(16 * n, seed=s),)),
    "jensenshannon_scipy_spatial_rows": (js_scipy_spatial, {}, lambda s, n: (
        _stochastic(s, n, True), _stochastic(s + 1, n))),
    "scipy_stats_entropy_axis_base": (entropy_scipy_axis, {}, lambda s, n: (
        _stochastic(s, n, True), _stochastic(s + 1, n))),
    "binary_entropy_xlog1py": (binary_entropy_xlog1py, {}, lambda s, n: (
        np.r_[0.0, 1.0, _u(s, 2 * n)],)),
    "mi_histogram2d_weights_density": (mi_histogram2d_density_weights, {}, lambda s, n: (
        *_xy(s, n), _u(s, 20 * n))),
    "entropy_nan_to_num_ma_sum_where": (entropy_three_idioms, {}, lambda s, n: (
        _probs(s, 2 * n),)),
    "entropy_float32_entr_xlogy_rel_entr": (entropy_float32_special, {}, lambda s, n: (
        _probs(s, 2 * n),)),
    "miller_madow_multinomial_rng": (miller_madow, {}, lambda s, n: (
        np.random.default_rng(s), _probs(s, n, False))),
    "fano_bound_map_error": (fano_bound, {}, lambda s, n: (_i(9, n, n + 1, seed=s) + 1,)),
}


@pytest.mark.parametrize("name", _names(INFO))
def test_information_theory_matches_numpy(name):
    """Entropies of vectors, rows, float32 and uint8 histograms; joint entropy and mutual
    information by histogram2d and histogramdd; KL, JS, cross-entropy and perplexity;
    channel capacities by Blahut-Arimoto; code lengths; information gain; PPMI; NMI;
    Miller-Madow; spectral entropy."""
    check_like_numpy(*INFO[name])


# ======================================================================= survival analysis


def km_greenwood_loglog(time, event):
    # distinct times: at risk n, n-1, ..., 1; Greenwood's variance; the log-log interval
    idx = np.argsort(time)
    t, e = time[idx], event[idx]
    n = len(t)
    at_risk = np.arange(n, 0, -1)
    S = np.cumprod(1.0 - e / at_risk)
    var_cum = np.cumsum(e / (at_risk * (at_risk - e)))
    with np.errstate(divide="ignore", invalid="ignore"):
        se_loglog = np.sqrt(var_cum) / np.abs(np.log(S))
        lo = S ** np.exp(1.96 * se_loglog)
        hi = S ** np.exp(-1.96 * se_loglog)
    return t, S, np.sqrt(S ** 2 * var_cum), lo, hi


def km_ties_lexsort(time, event):
    # deaths before censorings at a tied time; the value at the end of each tied block
    order = np.lexsort((1 - event, time))
    t, e = time[order], event[order]
    n = len(t)
    S = np.cumprod(1 - e / np.arange(n, 0, -1))
    last = np.searchsorted(t, t, side="right") - 1
    return t, S[last]


def km_median_rmst(time, event, tau=8.0):
    order = np.argsort(time)
    t, e = time[order], event[order]
    S = np.cumprod(1 - e / np.arange(len(t), 0, -1))
    below = S <= 0.5
    median = np.where(below.any(), t[np.argmax(below)], np.inf)
    # restricted mean: the area under the step function up to tau
    t_clip = np.minimum(t, tau)
    widths = np.diff(np.concatenate(([0.0], t_clip)))
    S_prev = np.concatenate(([1.0], S[:-1]))
    rmst = np.sum(widths * S_prev) + (tau - t_clip[-1]) * S[-1]
    return median, rmst


def km_at_risk_broadcast_subjects(time, event):
    # at-risk and death counts at each subject's own time (ties counted), product over events
    at_risk = (time[None, :] >= time[:, None]).sum(axis=1)
    deaths = ((time[None, :] == time[:, None]) & (event[None, :] == 1)).sum(axis=1)
    factor = np.where(event == 1, 1 - deaths / at_risk, 1.0) ** (1.0 / np.maximum(deaths, 1))
    before = time[None, :] <= time[:, None]
    S = np.prod(np.where(before, factor[None, :], 1.0), axis=1)
    return S, at_risk, deaths


def nelson_aalen_grid(time, event, grid):
    # at risk from the sorted times, events up to each grid point by searchsorted
    ts = np.sort(time)
    n_risk = len(time) - np.searchsorted(ts, grid, side="left")
    ev_times = np.sort(np.where(event == 1, time, np.inf))
    cum_events = np.searchsorted(ev_times, grid, side="right")
    d = np.diff(np.concatenate(([0], cum_events)))
    H = np.cumsum(d / np.maximum(n_risk, 1))
    return H, n_risk, d


def cox_partial_loglik(beta, X, time, event):
    # Breslow: descending time, the risk set sums are a running cumsum of exp(eta)
    order = np.argsort(-time)
    X, event = X[order], event[order]
    eta = X @ beta
    log_risk = np.log(np.cumsum(np.exp(eta)))
    return np.sum(event * (eta - log_risk))


def cox_logaddexp_accumulate(beta, X, time, event):
    order = np.argsort(-time)
    eta = X[order] @ beta
    log_risk = np.logaddexp.accumulate(eta)
    return np.sum(event[order] * (eta - log_risk))


def cox_grad_hessian(beta, X, time, event):
    # ascending sort, risk sums as reversed cumulative sums
    order = np.argsort(time)
    X, d = X[order], event[order]
    w = np.exp(X @ beta)
    S0 = np.cumsum(w[::-1])[::-1]
    S1 = np.cumsum((w[:, None] * X)[::-1], axis=0)[::-1]
    S2 = np.cumsum((w[:, None, None] * X[:, :, None] * X[:, None, :])[::-1], axis=0)[::-1]
    xbar = S1 / S0[:, None]
    grad = np.sum(d[:, None] * (X - xbar), axis=0)
    hess = -np.sum(d[:, None, None] * (S2 / S0[:, None, None]
                                       - xbar[:, :, None] * xbar[:, None, :]), axis=0)
    return grad, hess


def cox_newton_fit(X, time, event, n_iter=6):
    beta = np.zeros(X.shape[1])
    for _ in range(n_iter):
        g, H = cox_grad_hessian(beta, X, time, event)
        beta = beta - np.linalg.solve(H, g)
    g, H = cox_grad_hessian(beta, X, time, event)
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    z = beta / se
    return {"coef": beta, "exp(coef)": np.exp(beta), "se(coef)": se, "z": z,
            "p": 2 * scipy.stats.norm.sf(np.abs(z))}


def cox_risk_matrix(beta, X, time, event):
    # the risk-set indicator R[i, j] = time[j] >= time[i]; Breslow's ties; the score too
    R = (time[None, :] >= time[:, None]).astype(float)
    eta = X @ beta
    w = np.exp(eta)
    denom = R @ w
    ll = np.sum(event * (eta - np.log(denom)))
    P = R * w[None, :] / denom[:, None]
    grad = X.T @ event - (event @ P) @ X
    return ll, grad


def cox_einsum_newton(X, time, event, n_iter=5):
    # the same Newton fit with the information matrix by einsum over the risk matrix
    R = (time[None, :] >= time[:, None]).astype(float)
    beta = np.zeros(X.shape[1])
    for it in range(n_iter):
        w = np.exp(X @ beta)
        P = R * w / (R @ w)[:, None]
        xbar = P @ X
        grad = event @ (X - xbar)
        info = (np.einsum("i,ij,jk,jl->kl", event, P, X, X)
                - np.einsum("i,ik,il->kl", event, xbar, xbar))
        beta = beta + np.linalg.solve(info, grad)
    return beta


def breslow_baseline(beta, X, time, event):
    # Breslow's baseline cumulative hazard and each subject's predicted survival
    order = np.argsort(time)
    t, d, Xs = time[order], event[order], X[order]
    w = np.exp(Xs @ beta)
    risk = np.cumsum(w[::-1])[::-1]
    H0 = np.cumsum(d / risk)
    surv = np.exp(-H0[None, :] * w[:, None])
    return t, H0, surv


def harrell_c_index(time, event, risk):
    comparable = (time[:, None] < time[None, :]) & (event[:, None] == 1)
    concordant = (risk[:, None] > risk[None, :]) & comparable
    tied = (risk[:, None] == risk[None, :]) & comparable
    return (concordant.sum() + 0.5 * tied.sum()) / comparable.sum()


def harrell_c_loop(time, event, risk):
    # one row of pairs per subject, accumulated in a Python loop
    num = 0.0
    den = 0.0
    for i in range(len(time)):
        ok = (time[i] < time) & (event[i] == 1)
        num += np.sum(ok * ((risk[i] > risk) + 0.5 * (risk[i] == risk)))
        den += np.sum(ok)
    return num / den


def logrank_risk_matrix(time, event, group, weights="logrank"):
    # log-rank (or Gehan-Wilcoxon) with the risk sets of each death by a matrix
    at_risk = time[None, :] >= time[:, None]
    n = at_risk.sum(axis=1)
    n1 = (at_risk & (group == 1)[None, :]).sum(axis=1)
    d = event
    d1 = event * (group == 1)
    w = np.ones(len(time)) if weights == "logrank" else n.astype(float)
    E1 = d * n1 / n
    V = d * n1 * (n - n1) / n ** 2
    U = np.sum(w * (d1 - E1))
    chi2 = U ** 2 / np.sum(w ** 2 * V)
    return chi2, scipy.stats.chi2.sf(chi2, df=1)


def exponential_mle(time, event, alpha=0.05):
    d = event.sum()
    T = time.sum()
    lam = d / T
    lo = scipy.stats.chi2.ppf(alpha / 2, 2 * d) / (2 * T)
    hi = scipy.stats.chi2.ppf(1 - alpha / 2, 2 * d + 2) / (2 * T)
    loglik = d * np.log(lam) - lam * T
    return {"lambda": lam, "ci": (lo, hi), "mttf": 1 / lam, "se": lam / np.sqrt(d),
            "loglik": loglik}


def exponential_by_group(time, event, group, k=2):
    d = np.bincount(group, weights=event, minlength=k)
    T = np.bincount(group, weights=time, minlength=k)
    lam = d / T
    hr = lam[1:] / lam[0]
    se_log_hr = np.sqrt(1 / d[1:] + 1 / d[0])
    return lam, hr, np.exp(np.log(hr) - 1.96 * se_log_hr), np.exp(np.log(hr) + 1.96 * se_log_hr)


def weibull_mle_newton(x, n_iter=15):
    # complete data: Newton on the shape's profile equation, then the scale in closed form
    lnx = np.log(x)
    k = 1.0
    for _ in range(n_iter):
        xk = x ** k
        A = np.sum(xk * lnx)
        B = np.sum(xk)
        C = np.sum(xk * lnx ** 2)
        f = A / B - 1 / k - lnx.mean()
        fp = (C * B - A ** 2) / B ** 2 + 1 / k ** 2
        k = k - f / fp
    lam = np.mean(x ** k) ** (1 / k)
    return k, lam


def weibull_censored_newton(time, event, n_iter=20):
    d = event.sum()
    lnt = np.log(time)
    k = np.float64(1.0)
    for _ in range(n_iter):
        tk = time ** k
        s0, s1, s2 = tk.sum(), (tk * lnt).sum(), (tk * lnt ** 2).sum()
        f = d / k + np.sum(event * lnt) - d * s1 / s0
        fp = -d / k ** 2 - d * (s2 * s0 - s1 ** 2) / s0 ** 2
        k -= f / fp
    lam = (np.sum(time ** k) / d) ** (1 / k)
    return k, lam


def weibull_probability_plot(failures):
    # median ranks by Bernard's approximation, a straight line through the Weibull plot
    t = np.sort(failures)
    n = len(t)
    i = np.arange(1, n + 1)
    F = (i - 0.3) / (n + 0.4)
    x = np.log(t)
    y = np.log(-np.log(1 - F))
    slope, intercept = np.polyfit(x, y, 1)
    beta = slope
    eta = np.exp(-intercept / slope)
    r2 = np.corrcoef(x, y)[0, 1] ** 2
    return beta, eta, r2


def bathtub_hazard(t, k1, l1, c, k3, l3):
    # infant mortality + random failures + wear-out, cumulative hazard by cumulative_trapezoid
    h = k1 / l1 * (t / l1) ** (k1 - 1) + c + k3 / l3 * (t / l3) ** (k3 - 1)
    H = scipy.integrate.cumulative_trapezoid(h, t, initial=0)
    R = np.exp(-H)
    return h, R, np.trapezoid(R, t)


def piecewise_exponential(t, breaks, rates):
    # cumulative hazard of a piecewise-constant hazard: whole intervals plus the partial one
    widths = np.diff(breaks)
    H_breaks = np.concatenate(([0.0], np.cumsum(rates[:-1] * widths)))
    j = np.searchsorted(breaks, t, side="right") - 1
    H = H_breaks[j] + rates[j] * (t - breaks[j])
    return np.exp(-H), rates[j]


def actuarial_life_table(deaths, withdrawals, n0):
    # intervals of a follow-up study: entering, effective at risk, q, cumulative survival
    k = len(deaths)
    entering = np.empty(k)
    entering[0] = n0
    for j in range(1, k):
        entering[j] = entering[j - 1] - deaths[j - 1] - withdrawals[j - 1]
    eff = entering - withdrawals / 2
    q = deaths / eff
    S = np.cumprod(1 - q)
    S_start = np.concatenate(([1.0], S[:-1]))
    se = S * np.sqrt(np.cumsum(q / (eff * (1 - q))))
    return np.column_stack([entering, eff, q, S_start, S, se])


def km_bool_events(time, observed):
    # lifelines' `event_observed` as a bool array: ~observed in the sort keys, bools divided
    order = np.lexsort((~observed, time))
    t, d = time[order], observed[order]
    n = len(t)
    at_risk = n - np.arange(n)
    S = np.cumprod(1.0 - d / at_risk)
    H = np.cumsum(d / at_risk)
    return t, S, H, d.sum()


def weibull_scipy_dists(t, c, scale):
    R = scipy.stats.weibull_min.sf(t, c, scale=scale)
    h = scipy.stats.weibull_min.pdf(t, c, scale=scale) / R
    R_exp = scipy.stats.expon.sf(t, scale=scale)
    return R, h, R_exp, scale * scipy.special.gamma(1 + 1 / c)


def km_interp_step(time, event, grid):
    # the curve at a grid by searchsorted with sorter= on the unsorted times, and np.interp
    order = np.argsort(time)
    t, e = time[order], event[order]
    S = np.cumprod(1 - e / np.arange(len(t), 0, -1))
    idx = np.searchsorted(time, grid, side="right", sorter=order)
    return np.r_[1.0, S][idx], np.interp(grid, t, S, left=1.0)


def piecewise_exponential_mle(time, event, breaks):
    # deaths per interval by a weighted histogram, exposure by clipping into each interval
    d = np.histogram(time, bins=breaks, weights=event)[0]
    widths = np.diff(breaks)
    exposure = np.clip(time[:, None] - breaks[None, :-1], 0, widths).sum(axis=0)
    return d / exposure, d, exposure


def life_table_digitize(time, event, breaks):
    # intervals by np.digitize, deaths and censorings by bincount, the actuarial adjustment
    k = len(breaks) - 1
    idx = np.digitize(time, breaks) - 1
    deaths = np.bincount(idx, weights=event, minlength=k)
    censored = np.bincount(idx, weights=1 - event, minlength=k)
    entering = len(time) - np.concatenate(([0], np.cumsum(deaths + censored)[:-1]))
    q = deaths / (entering - censored / 2)
    return np.cumprod(1 - q), entering


def _surv(seed, n, ties=False):
    r = np.random.default_rng(seed)
    t = r.weibull(1.5, 6 * n) * 10
    c = r.uniform(2, 16, 6 * n)
    time = np.minimum(t, c)
    event = (t <= c).astype(int)
    if ties:
        time = np.ceil(time / 2)
    return time, event


def _cox(seed, n, ties=False):
    time, event = _surv(seed, n, ties)
    return _f(6 * n, 2, seed=seed + 7) * 0.5, time, event


SURVIVAL = {
    "km_greenwood_loglog": (km_greenwood_loglog, {}, lambda s, n: _surv(s, n)),
    "km_bool_event_observed": (km_bool_events, {}, lambda s, n: (
        _surv(s, n)[0], _surv(s, n)[1].astype(bool))),
    "km_ties_lexsort_block_end": (km_ties_lexsort, {}, lambda s, n: _surv(s, n, True)),
    "km_searchsorted_sorter_interp": (km_interp_step, {}, lambda s, n: (
        *_surv(s, n), np.linspace(-1, 16, 3 * n))),
    "km_median_rmst": (km_median_rmst, {}, lambda s, n: _surv(s, n)),
    "km_at_risk_broadcast_ties": (km_at_risk_broadcast_subjects, {}, lambda s, n: _surv(
        s, n, True)),
    "nelson_aalen_grid_searchsorted": (nelson_aalen_grid, {}, lambda s, n: (
        *_surv(s, n, True), np.arange(1.0, n + 4))),
    "cox_partial_loglik_cumsum": (cox_partial_loglik, {}, lambda s, n: (
        np.array([0.3, -0.5]), *_cox(s, n))),
    "cox_logaddexp_accumulate": (cox_logaddexp_accumulate, {}, lambda s, n: (
        np.array([0.3, -0.5]), *_cox(s, n))),
    "cox_grad_hessian_reversed_cumsum": (cox_grad_hessian, {}, lambda s, n: (
        np.array([0.2, 0.1]), *_cox(s, n))),
    "cox_newton_fit_dict": (cox_newton_fit, {}, lambda s, n: _cox(s, n)),
    "cox_risk_matrix_breslow_ties": (cox_risk_matrix, {}, lambda s, n: (
        np.array([0.4, -0.2]), *_cox(s, n, True))),
    "cox_einsum_newton": (cox_einsum_newton, {}, lambda s, n: _cox(s, n, True)),
    "breslow_baseline_hazard": (breslow_baseline, {}, lambda s, n: (
        np.array([0.4, -0.2]), *_cox(s, n))),
    "harrell_c_broadcast": (harrell_c_index, {}, lambda s, n: (
        *_surv(s, n), np.round(_f(6 * n, seed=s), 1))),
    "harrell_c_python_loop": (harrell_c_loop, {}, lambda s, n: (
        *_surv(s, n), np.round(_f(6 * n, seed=s), 1))),
    "logrank_risk_matrix": (logrank_risk_matrix, {}, lambda s, n: (
        *_surv(s, n), np.arange(6 * n) % 2)),
    "gehan_wilcoxon_weights": (logrank_risk_matrix, {"weights": "gehan"}, lambda s, n: (
        *_surv(s, n), np.arange(6 * n) % 2)),
    "exponential_mle_chi2_ci_dict": (exponential_mle, {}, lambda s, n: _surv(s, n)),
    "exponential_by_group_bincount": (exponential_by_group, {}, lambda s, n: (
        *_surv(s, n), np.arange(6 * n) % 2)),
    "weibull_mle_newton_complete": (weibull_mle_newton, {}, lambda s, n: (
        np.random.default_rng(s).weibull(1.8, 8 * n) * 5,)),
    "weibull_mle_newton_censored": (weibull_censored_newton, {}, lambda s, n: _surv(s, n)),
    "weibull_probability_plot_polyfit": (weibull_probability_plot, {}, lambda s, n: (
        np.random.default_rng(s).weibull(2.2, 4 * n) * 100,)),
    "weibull_min_expon_scipy_stats": (weibull_scipy_dists, {}, lambda s, n: (
        np.linspace(0.1, 10, 4 * n), 1.5 + 0.1 * s, 4.0)),
    "bathtub_cumulative_trapezoid": (bathtub_hazard, {}, lambda s, n: (
        np.linspace(0.01, 10, 10 * n), 0.5, 2.0, 0.05, 4.0, 8.0 + s)),
    "piecewise_exponential_searchsorted": (piecewise_exponential, {}, lambda s, n: (
        np.linspace(0, 11.9, 4 * n), np.arange(0.0, 13.0, 3.0), 0.05 + _u(s, 5) * 0.2)),
    "piecewise_exponential_mle_histogram": (piecewise_exponential_mle, {}, lambda s, n: (
        *_surv(s, n), np.array([0.0, 3.0, 6.0, 10.0, 20.0]))),
    "life_table_digitize_bincount": (life_table_digitize, {}, lambda s, n: (
        *_surv(s, n), np.array([0.0, 3.0, 6.0, 10.0, 20.0]))),
    "actuarial_life_table": (actuarial_life_table, {}, lambda s, n: (
        _i(10, n, seed=s).astype(float) + 1, _i(5, n, seed=s + 1).astype(float), 200.0)),
}


@pytest.mark.parametrize("name", _names(SURVIVAL))
def test_survival_analysis_matches_numpy(name):
    """Kaplan-Meier with Greenwood and log-log intervals, bool events, ties, medians and RMST;
    Nelson-Aalen; Cox likelihoods, gradients, Hessians and Newton fits; Breslow; Harrell's C;
    log-rank and Gehan; exponential and Weibull MLEs; parametric and piecewise hazards; life
    tables."""
    check_like_numpy(*SURVIVAL[name])


# ============================================================================= reliability


def rbd_dict(r):
    # a pump, two redundant valves and a motor, component reliabilities in a dict
    valves = 1 - (1 - r["valve1"]) * (1 - r["valve2"])
    system = r["pump"] * valves * r["motor"]
    return {"valves": valves, "system": system, "unreliability": 1 - system}


def k_out_of_n_comb(p, k=2, n=3):
    R = np.zeros_like(p)
    for i in range(k, n + 1):
        R += scipy.special.comb(n, i) * p ** i * (1 - p) ** (n - i)
    return R, scipy.stats.binom.sf(k - 1, n, p)


def bridge_reliability(R):
    # the bridge network by pivoting on the middle component
    R1, R2, R3, R4, R5 = R.T
    up = (1 - (1 - R1) * (1 - R2)) * (1 - (1 - R4) * (1 - R5))
    down = 1 - (1 - R1 * R4) * (1 - R2 * R5)
    return R3 * up + (1 - R3) * down


def exponential_systems_over_time(lams, t):
    Ri = np.exp(-np.outer(t, lams))
    series = Ri.prod(axis=1)
    parallel = 1 - (1 - Ri).prod(axis=1)
    mttf_series = 1 / lams.sum()
    return series, parallel, np.trapezoid(series, t), np.trapezoid(parallel, t), mttf_series


def mtbf_availability(fail_times, repair_durations):
    # up times between the end of each repair and the next failure
    restored = fail_times + repair_durations
    up = fail_times - np.concatenate(([0.0], restored[:-1]))
    mtbf = up.mean()
    mttr = repair_durations.mean()
    return {"MTBF": mtbf, "MTTR": mttr, "A": mtbf / (mtbf + mttr), "failure_rate": 1 / mtbf}


def monte_carlo_lifetimes(lams, rng, n_sim=2000, mission=1.0):
    T = rng.exponential(1 / lams, size=(n_sim, len(lams)))
    series = T.min(axis=1)
    parallel = T.max(axis=1)
    standby = T.sum(axis=1)
    two_of_three = np.sort(T[:, :3], axis=1)[:, 1]
    lifetimes = np.stack([series, parallel, standby, two_of_three])
    return lifetimes.mean(axis=1), (lifetimes > mission).mean(axis=1)


def fault_tree(p):
    # top = (A AND B) OR C OR (D AND (E OR F)), rows of basic-event probabilities
    OR = lambda *q: 1 - np.prod([1 - x for x in q], axis=0)  # noqa: E731
    AND = lambda *q: np.prod(q, axis=0)  # noqa: E731
    return OR(AND(p[:, 0], p[:, 1]), p[:, 2], AND(p[:, 3], OR(p[:, 4], p[:, 5])))


def redundancy_allocation_greedy(r, cost, steps=6):
    # add one spare at a time where the gain in log reliability per unit cost is largest
    n = np.ones(len(r), dtype=int)
    for _ in range(steps):
        cur = 1 - (1 - r) ** n
        new = 1 - (1 - r) ** (n + 1)
        j = np.argmax(np.log(new / cur) / cost)
        n[j] += 1
    return n, np.prod(1 - (1 - r) ** n), np.sum(n * cost)


def two_unit_availability(lam, mu):
    # states 0, 1, 2 failed units, one repair crew; steady state by a replaced row
    Q = np.array([[-2 * lam, 2 * lam, 0.0],
                  [mu, -(lam + mu), lam],
                  [0.0, mu, -mu]])
    A = Q.T.copy()
    A[-1, :] = 1.0
    b = np.array([0.0, 0.0, 1.0])
    pi = np.linalg.solve(A, b)
    return pi, 1 - pi[2]


def crow_amsaa(failure_times, T):
    # reliability growth: the power-law process MLE on a time-truncated test
    n = len(failure_times)
    beta = n / np.sum(np.log(T / failure_times))
    lam = n / T ** beta
    inst_mtbf = 1 / (lam * beta * T ** (beta - 1))
    cum_mtbf = failure_times / np.arange(1, n + 1)
    return beta, lam, inst_mtbf, cum_mtbf


def renewal_count(shape, scale, rng, horizon=10.0, n_sim=500, max_events=20):
    gaps = scale * rng.weibull(shape, size=(n_sim, max_events))
    arrivals = np.cumsum(gaps, axis=1)
    N = (arrivals <= horizon).sum(axis=1)
    return N.mean(), N.var(), np.bincount(N, minlength=max_events + 1)


def cold_standby(lam, t, n=3):
    # n identical units in cold standby with perfect switching: Poisson terms summed
    x = lam * t
    R = np.zeros_like(t)
    for k in range(n):
        R += x ** k / math.factorial(k)
    return R * np.exp(-x), n / lam


def structure_function_enumeration(p):
    # 2-out-of-3 in series with a pump: all 2^n component states by itertools.product
    n = len(p)
    states = np.array(list(itertools.product([0, 1], repeat=n)))
    probs = np.prod(np.where(states == 1, p, 1 - p), axis=1)
    two_of_three = states[:, :3].sum(axis=1) >= 2
    works = two_of_three & (states[:, 3] == 1)
    return probs[works].sum(), probs @ works


def min_path_inclusion_exclusion(p):
    # the bridge by its minimal path sets, inclusion-exclusion over combinations
    paths = [{0, 3}, {1, 4}, {0, 2, 4}, {1, 2, 3}]
    R = 0.0
    for k in range(1, len(paths) + 1):
        for combo in itertools.combinations(paths, k):
            comps = sorted(set().union(*combo))
            R += (-1) ** (k + 1) * np.prod(p[comps])
    return R


def gamma_mle_digamma(x, n_iter=8):
    # gamma lifetimes: Minka's starting point, Newton on log k - digamma(k) = s
    s = np.log(x.mean()) - np.log(x).mean()
    k = (3 - s + np.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(n_iter):
        k -= (np.log(k) - scipy.special.digamma(k) - s) / (1 / k - scipy.special.polygamma(1, k))
    return k, x.mean() / k


def two_units_kron(lams, mus):
    # two independent repairable units: the product chain's generator by Kronecker sums
    Q1 = np.array([[-lams[0], lams[0]], [mus[0], -mus[0]]])
    Q2 = np.array([[-lams[1], lams[1]], [mus[1], -mus[1]]])
    I = np.eye(2)
    Q = np.kron(Q1, I) + np.kron(I, Q2)
    A = np.vstack([Q.T[:-1], np.ones(4)])
    pi = np.linalg.solve(A, np.r_[0.0, 0.0, 0.0, 1.0])
    return Q, pi, pi[0], 1 - pi[3]


def transient_availability_eig(Q, p0, ts):
    # P(t) = V diag(exp(w t)) V^-1 with the generator's complex eigenvalues, real part kept
    w, V = np.linalg.eig(Q)
    Vi = np.linalg.inv(V)
    out = []
    for t in ts:
        Pt = (V * np.exp(w * t)) @ Vi
        out.append((p0 @ Pt).real)
    return np.array(out)


def transient_availability_expm(Q, up, ts):
    # the probability of being in an up state at each time, from state 0
    return np.array([scipy.linalg.expm(Q * t)[0, up].sum() for t in ts])


def _rel(seed, *shape):
    return 0.7 + 0.29 * _u(seed, *shape)


RELIABILITY = {
    "rbd_dict_of_arrays": (rbd_dict, {}, lambda s, n: ({
        k: _rel(s + j, n) for j, k in enumerate(["pump", "valve1", "valve2", "motor"])},)),
    "k_out_of_n_comb_binom": (k_out_of_n_comb, {"k": 2, "n": 4}, lambda s, n: (_rel(s, n),)),
    "bridge_network": (bridge_reliability, {}, lambda s, n: (_rel(s, n, 5),)),
    "exponential_systems_trapezoid": (exponential_systems_over_time, {}, lambda s, n: (
        0.1 + _u(s, 3), np.linspace(0, 30, 10 * n))),
    "mtbf_availability_dict": (mtbf_availability, {}, lambda s, n: (
        np.cumsum(50 + 100 * _u(s, n)), 1 + 5 * _u(s + 1, n))),
    "monte_carlo_lifetimes_rng": (monte_carlo_lifetimes, {"n_sim": 400}, lambda s, n: (
        0.2 + _u(s, n), np.random.default_rng(s))),
    "fault_tree_lambdas": (fault_tree, {}, lambda s, n: (0.3 * _u(s, n, 6),)),
    "redundancy_greedy_argmax_increment": (redundancy_allocation_greedy, {}, lambda s, n: (
        _rel(s, n) - 0.2, 1 + _i(4, n, seed=s).astype(float))),
    "two_unit_markov_availability": (two_unit_availability, {}, lambda s, n: (
        0.01 * s, 0.5 + 0.1 * n)),
    "structure_function_itertools_product": (structure_function_enumeration, {}, lambda s, n: (
        _rel(s, 4) - 0.1,)),
    "min_paths_inclusion_exclusion": (min_path_inclusion_exclusion, {}, lambda s, n: (
        _rel(s, 5) - 0.1,)),
    "gamma_mle_digamma_polygamma": (gamma_mle_digamma, {}, lambda s, n: (
        np.random.default_rng(s).gamma(2.0, 3.0, 8 * n),)),
    "two_units_kron_generator": (two_units_kron, {}, lambda s, n: (
        0.01 + 0.1 * _u(s, 2), 0.5 + _u(s + 1, 2))),
    "transient_availability_complex_eig": (transient_availability_eig, {}, lambda s, n: (
        _generator(s, n), np.eye(n)[0], np.linspace(0, 3, 5))),
    "transient_availability_expm_mask": (transient_availability_expm, {}, lambda s, n: (
        _generator(s, n), np.arange(n) < 2, np.linspace(0, 3, 5))),
    "crow_amsaa_growth": (crow_amsaa, {}, lambda s, n: (
        np.sort(100 * _u(s, 3 * n)) + 1, 120.0)),
    "renewal_count_weibull_rng": (renewal_count, {}, lambda s, n: (
        1.5, 1.0 + 0.1 * n, np.random.default_rng(s))),
    "cold_standby_factorial": (cold_standby, {}, lambda s, n: (
        0.2 * s, np.linspace(0, 20, 4 * n))),
}


@pytest.mark.parametrize("name", _names(RELIABILITY))
def test_reliability_matches_numpy(name):
    """Block diagrams, k-out-of-n, bridge systems and structure functions, MTTFs and
    availabilities, Monte Carlo lifetimes, fault trees, redundancy allocation, Markov
    availability (Kronecker sums, transients by eig and expm), reliability growth, renewal
    counts, cold standby and a gamma MLE."""
    check_like_numpy(*RELIABILITY[name])


# ================================================================== queueing and inventory


def lindley_python_max(interarrival, service):
    n = len(service)
    W = np.zeros(n)
    for i in range(1, n):
        W[i] = max(0.0, W[i - 1] + service[i - 1] - interarrival[i])
    return W, W.mean()


def lindley_rng(lam, mu, rng, n=60):
    # M/M/1 waiting times from a generator argument, against the formula
    A = rng.exponential(1 / lam, n)
    S = rng.exponential(1 / mu, n)
    Wq = np.zeros(n)
    for i in range(1, n):
        Wq[i] = np.maximum(0, Wq[i - 1] + S[i - 1] - A[i])
    rho = lam / mu
    return Wq.mean(), (Wq + S).mean(), rho / (mu - lam)


def lindley_cumsum_accumulate(interarrival, service):
    # W_n = C_n - min_{k<=n} C_k for the random walk C of service minus interarrival times
    X = service[:-1] - interarrival[1:]
    C = np.concatenate(([0.0], np.cumsum(X)))
    return C - np.minimum.accumulate(C)


def single_server_departures(arrivals, services):
    n = len(arrivals)
    D = np.empty(n)
    D[0] = arrivals[0] + services[0]
    for i in range(1, n):
        D[i] = max(arrivals[i], D[i - 1]) + services[i]
    W = D - arrivals
    Wq = W - services
    lam_hat = n / arrivals[-1]
    return {"W": W.mean(), "Wq": Wq.mean(), "L_little": lam_hat * W.mean(),
            "util": services.sum() / D[-1]}


def tandem_queue(arrivals, s1, s2):
    n = len(arrivals)
    D1 = np.zeros(n)
    D2 = np.zeros(n)
    for i in range(n):
        prev1 = D1[i - 1] if i > 0 else 0.0
        prev2 = D2[i - 1] if i > 0 else 0.0
        D1[i] = np.maximum(arrivals[i], prev1) + s1[i]
        D2[i] = np.maximum(D1[i], prev2) + s2[i]
    return D2 - arrivals


def multi_server_fcfs(arrivals, services, c=3):
    # each customer goes to the server that frees up first
    free = np.zeros(c)
    wait = np.zeros(len(arrivals))
    for i in range(len(arrivals)):
        j = np.argmin(free)
        start = max(arrivals[i], free[j])
        wait[i] = start - arrivals[i]
        free[j] = start + services[i]
    return wait, free


def queue_length_path(arrivals, departures, t_grid):
    # N(t) = arrivals so far minus departures so far; its time average against Little's law
    N = (np.searchsorted(arrivals, t_grid, side="right")
         - np.searchsorted(np.sort(departures), t_grid, side="right"))
    L = np.trapezoid(N, t_grid) / (t_grid[-1] - t_grid[0])
    return N, L


def mm1_metrics_where(lam, mu):
    # unstable systems reported as inf instead of negative
    rho = lam / mu
    stable = rho < 1
    L = np.where(stable, rho / (1 - rho), np.inf)
    W = np.where(stable, 1 / (mu - lam), np.inf)
    Pn = np.where(stable[:, None], (1 - rho[:, None]) * rho[:, None] ** np.arange(5), 0.0)
    return L, W, Pn


def mmc_erlang_c(lam, mu, c=3):
    a = lam / mu
    rho = a / c
    sum_terms = sum(a ** k / math.factorial(k) for k in range(c))
    last = a ** c / math.factorial(c) / (1 - rho)
    P_wait = last / (sum_terms + last)
    Wq = P_wait / (c * mu - lam)
    Lq = lam * Wq
    return P_wait, Wq, Lq, Lq + a


def erlang_b_recursion(a, c=5):
    B = np.ones_like(a)
    for k in range(1, c + 1):
        B = a * B / (k + a * B)
    return B


def erlang_b_gammaincc(a, c=5):
    # B = Poisson(c; a) / P(Poisson(a) <= c), the tail by the regularised incomplete gamma
    log_pmf = c * np.log(a) - a - scipy.special.gammaln(c + 1)
    return np.exp(log_pmf) / scipy.special.gammaincc(c + 1, a)


def erlang_b_poisson(a, c=5):
    return scipy.stats.poisson.pmf(c, a) / scipy.stats.poisson.cdf(c, a)


def erlang_c_from_b(a, mu, c=4, t=0.5):
    B = erlang_b_recursion(a, c)
    C = c * B / (c - a * (1 - B))
    Wq = C / (c * mu - a * mu)
    service_level = 1 - C * np.exp(-(c - a) * mu * t)
    return C, Wq, service_level


def staffing_argmax(lam, mu, target=0.1, c_max=12):
    # the smallest server count meeting a target wait, over all counts at once
    a = lam / mu
    cs = np.arange(1, c_max + 1)
    B = 1.0
    Wq = np.empty(c_max)
    for k in range(1, c_max + 1):
        B = a * B / (k + a * B)
        C = np.where(k > a, k * B / (k - a * (1 - B)), 1.0)
        Wq[k - 1] = np.where(k > a, C / (k * mu - lam), np.inf)
    ok = Wq <= target
    return cs[np.argmax(ok)], Wq


def birth_death_stationary(lams, mus):
    ratios = lams / mus
    pi = np.concatenate(([1.0], np.cumprod(ratios)))
    return pi / pi.sum()


def mm1k(lam, mu, K=6):
    rho = lam / mu
    n = np.arange(K + 1)
    pi = rho ** n
    pi = pi / pi.sum()
    L = n @ pi
    lam_eff = lam * (1 - pi[-1])
    return {"pi": pi, "P_block": pi[-1], "L": L, "W": L / lam_eff, "throughput": lam_eff}


def mmck_loop(lam, mu, c=2, K=7):
    p = np.zeros(K + 1)
    p[0] = 1.0
    for n in range(1, K + 1):
        p[n] = p[n - 1] * lam / (min(n, c) * mu)
    p /= p.sum()
    Lq = np.sum((np.arange(K + 1) - c).clip(0) * p)
    return p, Lq


def ctmc_steady_solve(Q):
    n = Q.shape[0]
    A = np.vstack([Q.T[:-1], np.ones(n)])
    b = np.zeros(n)
    b[-1] = 1.0
    return np.linalg.solve(A, b)


def ctmc_steady_lstsq(Q):
    n = Q.shape[0]
    A = np.vstack([Q.T, np.ones(n)])
    b = np.r_[np.zeros(n), 1.0]
    pi, *_ = np.linalg.lstsq(A, b, rcond=None)
    return pi


def ctmc_transient_expm(Q, p0, t=2.0):
    return p0 @ scipy.linalg.expm(Q * t)


def ctmc_null_space(Q):
    v = scipy.linalg.null_space(Q.T)[:, 0]
    return v / v.sum()


def markov_eig(P):
    w, v = np.linalg.eig(P.T)
    idx = np.argmin(np.abs(w - 1))
    pi = np.real(v[:, idx])
    return pi / pi.sum()


def absorbing_chain(P, t=3):
    # fundamental matrix, expected steps to absorption, their variance, absorption probs
    Q = P[:t, :t]
    R = P[:t, t:]
    N = np.linalg.inv(np.eye(t) - Q)
    steps = N @ np.ones(t)
    var = (2 * N - np.eye(t)) @ steps - steps ** 2
    B = N @ R
    return steps, var, B


def mean_first_passage(P):
    # Kemeny-Snell: Z = (I - P + W)^-1, M = (I - Z + E Z_dg) D
    n = P.shape[0]
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmax(np.real(w))])
    pi /= pi.sum()
    W = np.tile(pi, (n, 1))
    Z = np.linalg.inv(np.eye(n) - P + W)
    E = np.ones((n, n))
    M = (np.eye(n) - Z + E @ np.diag(np.diag(Z))) @ np.diag(1 / pi)
    return M


def markov_simulate_searchsorted(P, rng, n_steps=60):
    cum = np.cumsum(P, axis=1)
    u = rng.random(n_steps)
    state = 0
    states = np.zeros(n_steps, dtype=int)
    for t in range(n_steps):
        state = np.searchsorted(cum[state], u[t])
        states[t] = state
    return states, np.bincount(states, minlength=P.shape[0]) / n_steps


def markov_simulate_argmax(P, rng, n_steps=60):
    # the "first index where u < cumulative probability" form
    x = np.zeros(n_steps + 1, dtype=np.int64)
    for t in range(n_steps):
        u = rng.random()
        x[t + 1] = np.argmax(u < np.cumsum(P[x[t]]))
    return x


def jackson_network(gamma, P, mu):
    lam = np.linalg.solve(np.eye(len(gamma)) - P.T, gamma)
    rho = lam / mu
    L = rho / (1 - rho)
    return lam, rho, L, L.sum() / gamma.sum()


def geo_geo_1(p, q, rng, T=80):
    # a discrete-time queue: Bernoulli arrivals and services, integer queue lengths
    arrive = rng.random(T) < p
    serve = rng.random(T) < q
    Q = np.zeros(T + 1, dtype=int)
    for t in range(T):
        Q[t + 1] = max(Q[t] + arrive[t] - (serve[t] & (Q[t] > 0)), 0)
    return Q, Q.mean()


def inventory_sS(demand, s, S, h=1.0, b=5.0, K=20.0, c=2.0):
    # (s, S): order up to S when the position drops to s or below; backorders allowed
    inv = S
    cost = 0.0
    levels = []
    for d in demand:
        order = np.where(inv <= s, S - inv, 0)
        cost = cost + K * (order > 0) + c * order
        inv = inv + order - d
        cost = cost + h * np.maximum(inv, 0) + b * np.maximum(-inv, 0)
        levels.append(inv)
    return cost / len(demand), np.array(levels)


def inventory_sS_rng(s, S, lam, rng, days=40, h=0.5, p=4.0):
    # lost sales, demand drawn from a generator argument up front
    demand = rng.poisson(lam, size=days)
    inv = np.empty(days + 1)
    inv[0] = S
    lost = np.zeros(days)
    orders = np.zeros(days)
    for t in range(days):
        sold = np.minimum(inv[t], demand[t])
        lost[t] = demand[t] - sold
        left = inv[t] - sold
        orders[t] = np.where(left <= s, S - left, 0)
        inv[t + 1] = left + orders[t]
    fill_rate = 1 - lost.sum() / demand.sum()
    return inv, fill_rate, h * inv[1:].mean() + p * lost.mean(), np.count_nonzero(orders)


def inventory_lead_time(demand, s, S, lead=2):
    # orders arrive after `lead` periods: a pipeline vector rolled each day
    pipeline = np.zeros(lead)
    inv = float(S)
    on_hand = []
    backlog = 0.0
    for d in demand:
        inv += pipeline[0]
        pipeline = np.roll(pipeline, -1)
        pipeline[-1] = 0.0
        net = inv - backlog - d
        backlog = np.maximum(-net, 0.0)
        inv = np.maximum(net, 0.0)
        position = inv - backlog + pipeline.sum()
        q = np.where(position <= s, S - position, 0.0)
        pipeline[-1] += q
        on_hand.append(inv)
    return np.array(on_hand), backlog


def inventory_policies_vectorized(demand, s_vals, S_vals):
    # many (s, S) policies at once: one inventory level per policy
    inv = S_vals.astype(float)
    n_orders = np.zeros(len(s_vals), dtype=int)
    stockout = np.zeros(len(s_vals))
    for d in demand:
        low = inv <= s_vals
        n_orders += low
        inv = np.where(low, S_vals, inv) - d
        stockout += inv < 0
        inv = np.maximum(inv, 0)
    return n_orders, stockout / len(demand)


def newsvendor(price, cost, salvage, mu, sigma):
    cu = price - cost
    co = cost - salvage
    cr = cu / (cu + co)
    z = scipy.special.ndtri(cr)
    q = mu + sigma * z
    loss = sigma * (scipy.stats.norm.pdf(z) - z * (1 - scipy.special.ndtr(z)))
    exp_sales = mu - loss
    profit = price * exp_sales + salvage * (q - exp_sales) - cost * q
    return {"q": q, "critical_ratio": cr, "expected_profit": profit, "fill_rate": exp_sales / mu}


def newsvendor_grid(demand, q_grid, price=10.0, cost=4.0):
    profit = price * np.minimum(q_grid[:, None], demand[None, :]) - cost * q_grid[:, None]
    mean_profit = profit.mean(axis=1)
    best = np.argmax(mean_profit)
    return q_grid[best], mean_profit[best], np.percentile(profit[best], [5, 95])


def erlang_c_scalar(a, c):
    s = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (s + top)


def erlang_c_vectorize(a_grid, c=4):
    # a scalar formula from a textbook, vectorised over the offered load
    return np.vectorize(erlang_c_scalar)(a_grid, c)


def inventory_deque(demand, s, S, lead=2):
    # the pipeline of outstanding orders as a deque: popleft arrives, append orders
    pipeline = deque([0.0] * lead)
    inv = S
    hist = []
    for d in demand:
        inv = inv + pipeline.popleft()
        inv = inv - d
        position = inv + sum(pipeline)
        pipeline.append(np.where(position <= s, S - position, 0.0))
        hist.append(inv)
    return np.array(hist)


def inventory_monte_carlo(rng, s, S, lam, n_sims=200, days=25):
    # many replications at once: a (sims, days) demand matrix, one column a day
    D = rng.poisson(lam, size=(n_sims, days))
    inv = np.full(n_sims, S, dtype=float)
    short = np.zeros(n_sims)
    for t in range(days):
        inv = np.where(inv <= s, S, inv)
        short += np.maximum(D[:, t] - inv, 0)
        inv = np.maximum(inv - D[:, t], 0)
    return short.mean(), np.mean(short > 0), np.percentile(short, 90)


def mm1_global_seed(lam, mu, n=40, seed=42):
    np.random.seed(seed)
    ia = np.random.exponential(1 / lam, n)
    sv = np.random.exponential(1 / mu, n)
    W = np.zeros(n)
    for i in range(1, n):
        W[i] = max(0, W[i - 1] + sv[i - 1] - ia[i])
    return W.mean()


def peak_queue_running_max(Q):
    running = np.maximum.accumulate(Q)
    return running, np.argmax(Q), (running == Q).sum()


def ctmc_svd_null(Q):
    # the null space by hand: the last right singular vector of Q^T
    u, s, vh = np.linalg.svd(Q.T)
    pi = vh[-1]
    return pi / pi.sum(), s[-1]


def markov_spectral_gap(P):
    w = np.linalg.eigvals(P)
    mods = np.sort(np.abs(w))[::-1]
    return 1 - mods[1], -1 / np.log(mods[1])


def compound_demand_fft(p, k=3, N=64):
    # the distribution of the sum of k iid daily demands by the FFT
    f = np.fft.fft(p, N)
    return np.real(np.fft.ifft(f ** k))


def mg1_queue_pgf(lam, service_pmf, N=64, r=0.999):
    # M/G/1 queue-length pgf (Pollaczek-Khinchine) inverted by a damped FFT on a circle
    z = r * np.exp(2j * np.pi * np.arange(N) / N)
    j = np.arange(len(service_pmf))
    rho = lam * np.dot(j, service_pmf)
    A = np.sum(service_pmf[None, :] * np.exp(-lam * (1 - z)[:, None] * j[None, :]), axis=1)
    P = (1 - rho) * (1 - z) * A / (A - z)
    pmf = np.real(np.fft.fft(P)) / N / r ** np.arange(N)
    return pmf[:20], rho


def markov_eig_isclose(P):
    # the eigenvector whose eigenvalue is close to one, picked by a boolean mask
    w, v = np.linalg.eig(P.T)
    pi = v[:, np.isclose(w, 1)][:, 0]
    return (pi / pi.sum()).real


def markov_simulate_choice(P, rng, n_steps=30):
    # the next state by rng.choice with the current row as probabilities
    state = 0
    path = [state]
    for _ in range(n_steps):
        state = rng.choice(len(P), p=P[state])
        path.append(state)
    return np.array(path)


def _queue(seed, n, lam=0.8, mu=1.0):
    r = np.random.default_rng(seed)
    ia = r.exponential(1 / lam, 8 * n)
    return ia, r.exponential(1 / mu, 8 * n)


def _arr_dep(seed, n):
    ia, sv = _queue(seed, n)
    arr = np.cumsum(ia)
    dep = np.empty_like(arr)
    prev = 0.0
    for i in range(len(arr)):
        prev = max(arr[i], prev) + sv[i]
        dep[i] = prev
    return arr, dep


def _generator(seed, n):
    Q = _u(seed, n, n) + 0.1
    np.fill_diagonal(Q, 0.0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    return Q


def _absorbing(seed, n, t=3):
    P = _u(seed, t + n, t + n) + 0.05
    P[t:] = 0.0
    P[np.arange(t, t + n), np.arange(t, t + n)] = 1.0
    return P / P.sum(axis=1, keepdims=True)


QUEUE = {
    "lindley_python_max": (lindley_python_max, {}, lambda s, n: _queue(s, n)),
    "lindley_np_maximum_rng": (lindley_rng, {"n": 50}, lambda s, n: (
        0.5 + 0.05 * n, 1.0, np.random.default_rng(s))),
    "lindley_minimum_accumulate": (lindley_cumsum_accumulate, {}, lambda s, n: _queue(s, n)),
    "single_server_departures_dict": (single_server_departures, {}, lambda s, n: (
        np.cumsum(_queue(s, n)[0]), _queue(s, n)[1])),
    "tandem_queue_conditional_prev": (tandem_queue, {}, lambda s, n: (
        np.cumsum(_queue(s, n)[0]), *_queue(s + 1, n))),
    "multi_server_argmin_free": (multi_server_fcfs, {}, lambda s, n: (
        np.cumsum(_queue(s, n, lam=2.0)[0]), 2.5 * _queue(s, n)[1])),
    "queue_length_searchsorted": (queue_length_path, {}, lambda s, n: (
        *_arr_dep(s, n), np.linspace(0, 5 * n, 12 * n))),
    "mm1_metrics_where_unstable": (mm1_metrics_where, {}, lambda s, n: (
        0.3 + _u(s, n), np.ones(n))),
    "mmc_erlang_c_factorial": (mmc_erlang_c, {"c": 3}, lambda s, n: (
        0.5 + 2 * _u(s, n), 1.0)),
    "erlang_b_recursion": (erlang_b_recursion, {}, lambda s, n: (0.5 + 5 * _u(s, n),)),
    "erlang_b_gammaincc": (erlang_b_gammaincc, {}, lambda s, n: (0.5 + 5 * _u(s, n),)),
    "erlang_b_scipy_poisson": (erlang_b_poisson, {}, lambda s, n: (0.5 + 5 * _u(s, n),)),
    "erlang_c_np_vectorize_constant_c": (erlang_c_vectorize, {}, lambda s, n: (
        0.5 + 3 * _u(s, n),)),
    "erlang_c_from_b_service_level": (erlang_c_from_b, {}, lambda s, n: (
        0.5 + 3 * _u(s, n), 0.5)),
    "staffing_argmax_over_counts": (staffing_argmax, {}, lambda s, n: (
        2.0 + s + 0.1 * n, 1.0)),
    "birth_death_cumprod": (birth_death_stationary, {}, lambda s, n: (
        0.5 + _u(s, n), 1.0 + _u(s + 1, n))),
    "mm1k_blocking_dict": (mm1k, {}, lambda s, n: (0.5 + 0.2 * s, 1.0)),
    "mmck_python_min_loop": (mmck_loop, {}, lambda s, n: (1.5 + 0.2 * s, 1.0)),
    "ctmc_steady_solve_vstack": (ctmc_steady_solve, {}, lambda s, n: (_generator(s, n),)),
    "ctmc_steady_lstsq": (ctmc_steady_lstsq, {}, lambda s, n: (_generator(s, n),)),
    "ctmc_svd_last_singular_vector": (ctmc_svd_null, {}, lambda s, n: (_generator(s, n),)),
    "ctmc_transient_expm": (ctmc_transient_expm, {}, lambda s, n: (
        _generator(s, n), np.eye(n)[0])),
    "markov_stationary_eig": (markov_eig, {}, lambda s, n: (_stochastic(s, n),)),
    "markov_spectral_gap_eigvals": (markov_spectral_gap, {}, lambda s, n: (
        _stochastic(s, n),)),
    "markov_eig_isclose_mask_column": (markov_eig_isclose, {}, lambda s, n: (
        _stochastic(s, n),)),
    "markov_simulate_rng_choice_p_row": (markov_simulate_choice, {}, lambda s, n: (
        _stochastic(s, n, True), np.random.default_rng(s))),
    "absorbing_chain_fundamental": (absorbing_chain, {}, lambda s, n: (_absorbing(s, n // 2),)),
    "mean_first_passage_kemeny_snell": (mean_first_passage, {}, lambda s, n: (
        _stochastic(s, n),)),
    "markov_simulate_searchsorted": (markov_simulate_searchsorted, {}, lambda s, n: (
        _stochastic(s, n, True), np.random.default_rng(s))),
    "markov_simulate_argmax_cumsum": (markov_simulate_argmax, {}, lambda s, n: (
        _stochastic(s, n, True), np.random.default_rng(s))),
    "compound_demand_fft_power": (compound_demand_fft, {}, lambda s, n: (
        _probs(s, n + 2, False),)),
    "mg1_pgf_damped_fft_complex": (mg1_queue_pgf, {}, lambda s, n: (
        0.3 + 0.02 * s, _probs(s, n, False))),
    "mm1_global_seed_python_max": (mm1_global_seed, {}, lambda s, n: (0.5 + 0.05 * n, 1.0)),
    "peak_queue_maximum_accumulate": (peak_queue_running_max, {}, lambda s, n: (
        _i(9, 5 * n, seed=s),)),
    "jackson_network_solve": (jackson_network, {}, lambda s, n: (
        0.1 + 0.2 * _u(s, n), 0.6 * _stochastic(s, n), 3.0 + _u(s + 1, n))),
    "geo_geo_1_int_queue": (geo_geo_1, {}, lambda s, n: (
        0.3 + 0.02 * n, 0.5, np.random.default_rng(s))),
    "inventory_sS_backorders": (inventory_sS, {}, lambda s, n: (
        np.random.default_rng(s).poisson(3, 6 * n), 4, 15)),
    "inventory_sS_lost_sales_rng": (inventory_sS_rng, {"days": 30}, lambda s, n: (
        3.0 + n, 12.0 + n, 2.5, np.random.default_rng(s))),
    "inventory_lead_time_roll": (inventory_lead_time, {}, lambda s, n: (
        np.random.default_rng(s).poisson(3.0, 6 * n).astype(float), 6.0, 18.0)),
    "inventory_deque_pipeline": (inventory_deque, {}, lambda s, n: (
        np.random.default_rng(s).poisson(3.0, 5 * n).astype(float), 6.0, 18.0)),
    "inventory_monte_carlo_matrix": (inventory_monte_carlo, {"n_sims": 100}, lambda s, n: (
        np.random.default_rng(s), 3.0 + n, 12.0, 2.5)),
    "inventory_policies_vectorized": (inventory_policies_vectorized, {}, lambda s, n: (
        np.random.default_rng(s).poisson(4, 30), np.arange(n) + 2, np.arange(n) + 10 + s)),
    "newsvendor_ndtri_dict": (newsvendor, {}, lambda s, n: (
        10.0, 4.0 + _u(s, n), 1.0, 100.0, 20.0)),
    "newsvendor_sample_grid": (newsvendor_grid, {}, lambda s, n: (
        np.random.default_rng(s).normal(100, 20, 20 * n), np.linspace(50, 150, 5 * n))),
}


@pytest.mark.parametrize("name", _names(QUEUE))
def test_queueing_and_inventory_match_numpy(name):
    """Lindley's recursion four ways, single, tandem and multi-server queues, queue-length
    paths and running maxima, M/M/1, M/M/c and M/M/1/K formulas, Erlang B and C, staffing,
    birth-death and CTMC steady states, Markov chains solved and simulated, FFTs of demand and
    queue-length pgfs, Jackson networks, Geo/Geo/1, (s, S) inventory and the newsvendor."""
    check_like_numpy(*QUEUE[name])


# -------------------------------------------------------------- Python scalars that steer


def blahut_arimoto_positional(P, n_iter):
    return blahut_arimoto(P, 2, n_iter)


def erlang_b_servers(a, c):
    return erlang_b_recursion(a, c)


def lindley_seeded(lam, mu, n, seed):
    rng = np.random.default_rng(seed)
    return lindley_rng(lam, mu, rng, n)


def histogram_entropy_bins(x, bins):
    return histogram_entropy(x, bins)


def inventory_seeded(s, S, days, seed):
    rng = np.random.default_rng(seed)
    return inventory_sS_rng(s, S, 3.0, rng, days)


def chain_after_n_steps(P, n):
    return np.linalg.matrix_power(P, n)


def k_out_of_n_python_ints(p, k, n):
    return k_out_of_n_comb(p, k, n)


def weibull_iterations(x, n_iter):
    return weibull_mle_newton(x, n_iter)


STEERED = {
    "blahut_arimoto_n_iter": (blahut_arimoto_positional, lambda s: (
        _stochastic(3, 4, True), 10 * s)),
    "erlang_b_server_count": (erlang_b_servers, lambda s: (0.5 + 5 * _u(s, 4), 2 + 3 * s)),
    "lindley_customers_seed": (lindley_seeded, lambda s: (0.7, 1.0, 20 * s, s)),
    "histogram_entropy_bins": (histogram_entropy_bins, lambda s: (_f(100, seed=s), 5 * s)),
    "inventory_days_seed": (inventory_seeded, lambda s: (4.0, 15.0, 10 * s, 100 + s)),
    "markov_matrix_power_n": (chain_after_n_steps, lambda s: (_stochastic(s, 4), 3 * s)),
    "k_out_of_n_python_ints": (k_out_of_n_python_ints, lambda s: (_rel(s, 5), s, 2 + s)),
    "weibull_newton_iterations": (weibull_iterations, lambda s: (
        np.random.default_rng(s).weibull(1.8, 30) * 5, 5 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Iteration counts, server counts, customers, days and seeds of generators made inside,
    histogram bins, matrix powers, k-out-of-n's k and n and Newton iterations: made static,
    NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def km_unique_times(time, event):
    # the lifelines-style estimator over the distinct event times
    t_events = np.unique(time[event == 1])
    n_at_risk = np.array([np.sum(time >= t) for t in t_events])
    d = np.array([np.sum((time == t) & (event == 1)) for t in t_events])
    return t_events, np.cumprod(1 - d / n_at_risk)


def nelson_aalen_unique_counts(time, event):
    uniq, inv = np.unique(time, return_inverse=True)
    d = np.bincount(inv, weights=event)
    counts = np.bincount(inv)
    at_risk = len(time) - np.concatenate(([0], np.cumsum(counts)[:-1]))
    return uniq, np.cumsum(d / at_risk)


def logrank_unique(time, event, group):
    O1 = E1 = V = 0.0
    for t in np.unique(time[event == 1]):
        at = time >= t
        n, n1 = at.sum(), (at & (group == 1)).sum()
        dead = (time == t) & (event == 1)
        d, d1 = dead.sum(), (dead & (group == 1)).sum()
        O1 += d1
        E1 += d * n1 / n
        V += d * (n1 / n) * (1 - n1 / n) * (n - d) / max(n - 1, 1)
    return (O1 - E1) ** 2 / V


def failure_times(time, event):
    # the observed failures, for a Weibull plot
    return np.sort(time[event == 1])


def mutual_info_unique_labels(a, b):
    # sklearn's contingency_matrix: class indices by np.unique(return_inverse=True)
    classes, ci = np.unique(a, return_inverse=True)
    clusters, ki = np.unique(b, return_inverse=True)
    C = np.zeros((len(classes), len(clusters)))
    np.add.at(C, (ci, ki), 1)
    pxy = C / C.sum()
    outer = pxy.sum(1)[:, None] * pxy.sum(0)[None, :]
    nz = pxy > 0
    return np.sum(pxy[nz] * np.log(pxy[nz] / outer[nz]))


def blahut_arimoto_tolerance(p_y_x, thresh=1e-12, max_iter=1000):
    m = p_y_x.shape[0]
    r = np.ones((1, m)) / m
    for iteration in range(max_iter):
        q = r.T * p_y_x
        q = q / np.sum(q, axis=0)
        r1 = np.prod(np.power(q, p_y_x), axis=1)
        r1 = r1 / np.sum(r1)
        tolerance = np.linalg.norm(r1 - r)
        r = r1
        if tolerance < thresh:
            break
    return r.flatten()


def weibull_newton_tol(x, tol=1e-10):
    lnx = np.log(x)
    k = 1.0
    while True:
        xk = x ** k
        f = np.sum(xk * lnx) / np.sum(xk) - 1 / k - lnx.mean()
        fp = ((np.sum(xk * lnx ** 2) * np.sum(xk) - np.sum(xk * lnx) ** 2) / np.sum(xk) ** 2
              + 1 / k ** 2)
        step = f / fp
        k -= step
        if abs(step) < tol:
            return k


def inventory_if(demand, s, S):
    inv = S
    orders = 0
    for d in demand:
        if inv <= s:
            inv = S
            orders += 1
        inv -= d
    return inv, orders


def mm1_until_time(lam, mu, T, seed):
    rng = np.random.default_rng(seed)
    t, n, area = 0.0, 0, 0.0
    while t < T:
        rate = lam + (mu if n > 0 else 0.0)
        dt = rng.exponential(1 / rate)
        area += n * dt
        t += dt
        n += 1 if rng.random() < lam / rate else -1
    return area / t


def staffing_while(lam, mu, target=0.1):
    a = lam / mu
    c = int(np.floor(a)) + 1
    while True:
        B = 1.0
        for k in range(1, c + 1):
            B = a * B / (k + a * B)
        C = c * B / (c - a * (1 - B))
        if C / (c * mu - lam) <= target:
            return c
        c += 1


def steps_to_absorption(P, rng, start=0):
    state, steps = start, 0
    while P[state, state] < 1:
        state = rng.choice(len(P), p=P[state])
        steps += 1
    return steps


def entropy_generator_if(p):
    return -sum(pi * np.log2(pi) for pi in p if pi > 0)


def histogram_entropy_auto(x):
    counts, _ = np.histogram(x, bins="auto")
    p = counts / counts.sum()
    return -np.sum(scipy.special.xlogy(p, p))


def mmc_heapq(arrivals, services, c=2):
    # the event-driven form: server free times in a heap
    free = [0.0] * c
    heapq.heapify(free)
    waits = []
    for a, s in zip(arrivals, services):
        f = heapq.heappop(free)
        start = max(a, f)
        waits.append(start - a)
        heapq.heappush(free, start + s)
    return np.array(waits)


def stationary_left_eig(P):
    w, vl = scipy.linalg.eig(P, left=True, right=False)
    pi = np.real(vl[:, np.argmax(np.real(w))])
    return pi / pi.sum()


def test_a_stationary_distribution_by_scipys_left_eigenvectors():
    """`scipy.linalg.eig(P, left=True, right=False)`: refused until it ran on the host."""
    check_like_numpy(stationary_left_eig, {}, lambda s, n: (_stochastic(s, n),))


def weibull_brentq(x):
    # the shape's profile equation solved by scipy.optimize.brentq
    lnx = np.log(x)

    def f(k):
        xk = x ** k
        return np.sum(xk * lnx) / np.sum(xk) - 1 / k - lnx.mean()

    return scipy.optimize.brentq(f, 0.05, 20)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "km_np_unique_event_times": (_DataDependent, km_unique_times, lambda s: _surv(s, 4, True)),
    "nelson_aalen_unique_inverse": (_DataDependent, nelson_aalen_unique_counts, lambda s: _surv(
        s, 4, True)),
    "logrank_unique_loop": (_DataDependent, logrank_unique, lambda s: (
        *_surv(s, 4, True), np.arange(24) % 2)),
    "failure_times_returned": (_DataDependent, failure_times, lambda s: _surv(s, 4)),
    "ctmc_scipy_null_space": (_DataDependent, ctmc_null_space, lambda s: (_generator(s, 4),)),
    "mutual_info_unique_inverse": (_DataDependent, mutual_info_unique_labels, lambda s: (
        _i(3, 20, seed=s), _i(4, 20, seed=s + 1))),
    "blahut_arimoto_tolerance_break": (_Concretization, blahut_arimoto_tolerance, lambda s: (
        _stochastic(s, 3, True),)),
    "weibull_newton_while_tol": (_Concretization, weibull_newton_tol, lambda s: (
        np.random.default_rng(s).weibull(1.8, 30) * 5,)),
    "inventory_python_if": (_Concretization, inventory_if, lambda s: (
        np.random.default_rng(s).poisson(3, 20), np.int64(4), np.int64(15))),
    "mm1_while_t_less_T": (_Concretization, mm1_until_time, lambda s: (
        np.array(0.7), np.array(1.0), np.array(20.0 + s), 5)),
    "staffing_while_wait": (_Concretization, staffing_while, lambda s: (
        np.array(3.0 + s), np.array(1.0))),
    "steps_to_absorption_while": (_Concretization, steps_to_absorption, lambda s: (
        _absorbing(s, 2), np.random.default_rng(s))),
    "mmc_heapq_free_times": (_Concretization, mmc_heapq, lambda s: (
        np.cumsum(_u(s, 10)), _u(s + 1, 10))),
    "weibull_scipy_optimize_brentq": (_Concretization, weibull_brentq, lambda s: (
        np.random.default_rng(s).weibull(1.8, 30) * 5,)),
    "entropy_generator_if": (_Concretization, entropy_generator_if, lambda s: (_probs(s, 9),)),
    "histogram_bins_auto": (_DataDependent, histogram_entropy_auto, lambda s: (
        _f(60, seed=s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Kaplan-Meier, Nelson-Aalen and log-rank over `np.unique` times, failure times returned,
    `np.unique(return_inverse=True)` contingency tables, tolerance loops, `brentq`, an
    inventory `if`, `while t < T`, staffing and absorption `while` loops, `heapq`, a generator
    expression with `if`, `bins="auto"`: the named error,
    NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
