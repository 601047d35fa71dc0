"""Corpus, hunt BC: information retrieval, NLP and recommender systems written by hand in NumPy,
as course assignments (CS224n, CS246/MMDS), IR textbooks' companion code, blog posts and small
GitHub projects write them.

Retrieval (term-document count matrices from integer token ids by `np.add.at`, by a loop of
`np.bincount(..., minlength=V)`, by one flat `bincount` of `doc * V + tok`, by one-hot
comparison sums and from padded batches with a pad id; document frequencies; tf-idf as
scikit-learn's smooth idf with l2 rows by `np.linalg.norm(keepdims=True)`, the textbook
`log(N / df)` with a `np.where` guard, sublinear tf by a masked write and by `np.log1p`,
augmented and length-normalised tf, float32 tf-idf; BM25 by a loop over query terms, by
fancy columns, rank_bm25's Okapi idf floor at `epsilon * mean(idf)`, BM25L and BM25+; query
likelihood with Dirichlet and Jelinek-Mercer smoothing; pivoted length normalisation; cosine
similarity matrices and top-k by reversed `argsort`, by `argpartition` then `argsort` with
`take_along_axis`; Rocchio feedback; LSI by truncated `np.linalg.svd`; hashing vectorisers
with signed hashes; PageRank by power iteration with dangling nodes and by `np.linalg.solve`,
HITS), evaluation (precision/recall/F1@k, average precision and MAP, DCG and NDCG with
`np.log2` discounts and exponential gains, MRR by `argmax` of the first hit, hit rate, NCF's
leave-one-out HR/NDCG against sampled negatives, R-precision by a rank mask, interpolated and
11-point precision, novelty), embeddings (co-occurrence counts in windows by nested loops, by
`np.add.at` over offsets and GloVe's 1/distance weights; PPMI with context smoothing; SVD
embeddings; word2vec skip-gram with negative sampling in CS224n's naive-softmax and
negative-sampling forms, batched SGNS steps by `np.add.at` and negatives from a generator
argument by `rng.choice(p=unigram ** 0.75)`, CBOW; subsampling probabilities; GloVe weighting,
loss and AdaGrad steps; analogies and neighbours), sequence models (masked attention over
padded tokens, causal masks, mean pooling, bigram and trigram language models with add-k
smoothing, interpolation and absolute discounting, perplexity by `scipy.special.logsumexp`,
Viterbi tagging with a fixed backtrace, Karpathy's min-char-rnn loss, greedy decoding),
strings and hashing (Levenshtein by DP loops with `np.min` of a list, `np.where` costs and by
rows with a running minimum, OSA distance, LCS, character n-gram Jaccard; MinHash signatures by
`(a * x + b) % p` loops, datasketch's uint64 permutations masked to 32 bits, LSH banding
candidate pairs, SimHash by random hyperplanes and by bits of uint64 hashes, FNV-1a in uint32,
Bloom filters and count-min sketches) and recommenders (user mean centring by `np.nanmean`
and by rating masks, user-user and item-item cosine and Pearson similarities, kNN predictions
with neighbours by `argsort` and `argpartition`, slope one, popularity and damped-mean
baselines, alternating bias estimates, matrix factorisation by SGD over rating triples with
and without biases into a dict, full-batch gradient steps, explicit ALS per user and batched,
implicit ALS with confidence weights in Hu-Koren's `YtY` form and by conjugate-gradient steps,
BPR steps, EASE, SVD recommenders, top-N with seen items masked, negative sampling by
`rng.choice` and `rng.integers`), and idioms: repeated ids in buffered fancy updates, boolean
matrix products, `np.minimum.at` MinHash, MurmurHash/FNV-64 in uint64 with Python int constants,
`np.bitwise_count`, `np.unique`'s inverse and counts (1-d and over rows), `apply_along_axis`,
`lexsort`, half-star rounding, RotatE/ComplEx scores, `rel_entr`, a slice at `int()` of a
traced count and Python's `min` in a DP table.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. The k of top-k cut-offs, window sizes, epoch counts,
hash counts, feature counts and seeds given positionally are made static; the forms whose
Python or shapes depend on array values (a vocabulary by `np.unique`, `np.bincount` without
`minlength`, Levenshtein with a Python `if` on characters, documents above a
score threshold, Python sets of ranked ids, SGD with a
tolerance `break`, the items a user rated by `np.nonzero`, rejection-sampled negatives,
decoding until an end token, a word-to-id dict over `np.unique`, GloVe's weight by a
conditional expression, `rng.choice(replace=False, p=traced)`, `x.view(np.uint8)` of uint64)
raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _docs(s, n, L=12, V=10):
    # n documents of L token ids in [0, V)
    return _i(V, n, L, seed=s)


def _counts(s, n, V=10):
    # a term-document count matrix, every term in some document
    tf = _i(4, n, V, seed=s) * (_u(s + 50, n, V) < 0.6)
    tf[np.arange(V) % n, np.arange(V)] += 1
    return tf


def _ratings(s, n, m=7):
    # explicit ratings 1..5 with zeros for missing, every user and item rated at least once
    R = (_i(5, n, m, seed=s) + 1) * (_u(s + 9, n, m) < 0.6)
    R[np.arange(max(n, m)) % n, np.arange(max(n, m)) % m] = 3 + np.arange(max(n, m)) % 3
    return R.astype(float)


def _ratings_nan(s, n, m=7):
    R = _ratings(s, n, m)
    return np.where(R > 0, R, np.nan)


def _triples(s, n, n_users, n_items, k=None):
    k = 4 * n if k is None else k
    r = np.random.default_rng(s)
    return (r.integers(0, n_users, k), r.integers(0, n_items, k),
            r.integers(1, 6, k).astype(float))


# ============================================================================ retrieval


def term_doc_add_at(docs, V):
    # counts[d, t] += 1 for every token, written with np.add.at on row/col index arrays
    n_docs, L = docs.shape
    tf = np.zeros((n_docs, V), dtype=np.int64)
    rows = np.repeat(np.arange(n_docs), L)
    np.add.at(tf, (rows, docs.ravel()), 1)
    return tf


def term_doc_bincount_loop(docs, vocab_size):
    # one bincount per document
    tf = np.zeros((len(docs), vocab_size))
    for d in range(len(docs)):
        tf[d] = np.bincount(docs[d], minlength=vocab_size)
    return tf


def term_doc_bincount_flat(docs, V):
    # the vectorised trick: one bincount over doc * V + token
    n = docs.shape[0]
    doc_ids = np.repeat(np.arange(n), docs.shape[1])
    flat = np.bincount(doc_ids * V + docs.ravel(), minlength=n * V)
    return flat.reshape(n, V)


def term_doc_onehot(docs, V):
    # one-hot by broadcast comparison, summed over positions
    return (docs[:, :, None] == np.arange(V)[None, None, :]).sum(axis=1)


def term_doc_padded(batch, lengths, V, pad_id=0):
    # a padded batch: positions past each length hold pad_id and must not count
    mask = np.arange(batch.shape[1])[None, :] < lengths[:, None]
    counts = np.zeros((batch.shape[0], V))
    rows = np.broadcast_to(np.arange(batch.shape[0])[:, None], batch.shape)
    np.add.at(counts, (rows[mask], batch[mask]), 1.0)
    counts[:, pad_id] = 0
    return counts, mask.sum(axis=1)


def tfidf_sklearn_smooth(tf):
    # TfidfTransformer(smooth_idf=True, norm="l2")
    n_docs = tf.shape[0]
    df = np.sum(tf > 0, axis=0)
    idf = np.log((1 + n_docs) / (1 + df)) + 1
    X = tf * idf
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    return X, idf


def tfidf_textbook(tf):
    # idf = log(N / df), zero where a term never occurs
    N = tf.shape[0]
    df = np.count_nonzero(tf, axis=0)
    idf = np.where(df > 0, np.log(N / np.maximum(df, 1)), 0.0)
    tfidf = tf / tf.sum(axis=1, keepdims=True) * idf
    return tfidf


def tfidf_sublinear_masked(tf):
    # sublinear_tf: 1 + log(tf) where tf > 0, written into a float copy by a mask
    wtf = tf.astype(float)
    nz = wtf > 0
    wtf[nz] = 1 + np.log(wtf[nz])
    idf = np.log(tf.shape[0] / (1.0 + (tf > 0).sum(0))) + 1.0
    X = wtf * idf
    norms = np.sqrt((X ** 2).sum(axis=1))
    norms[norms == 0] = 1.0
    return X / norms[:, np.newaxis]


def tfidf_log1p(tf, idf):
    # log-scaled tf by np.log1p, with an idf vector given
    w = np.log1p(tf) * idf[None, :]
    return w / (np.linalg.norm(w, axis=-1, keepdims=True) + 1e-12)


def tfidf_float32(tf):
    tf = tf.astype(np.float32)
    df = (tf > 0).sum(axis=0).astype(np.float32)
    idf = np.log((1 + tf.shape[0]) / (1 + df)) + 1
    X = tf * idf
    return X / np.linalg.norm(X, axis=1, keepdims=True), idf.dtype


def bm25_query_loop(tf, query, k1=1.5, b=0.75):
    # the textbook BM25: a Python loop over the query's term ids
    N = tf.shape[0]
    dl = tf.sum(axis=1)
    avgdl = dl.mean()
    df = (tf > 0).sum(axis=0)
    scores = np.zeros(N)
    for t in query:
        idf = np.log((N - df[t] + 0.5) / (df[t] + 0.5) + 1)
        f = tf[:, t]
        scores += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * dl / avgdl))
    return scores


def bm25_fancy_columns(tf, queries, k1=1.2, b=0.75):
    # all queries at once: tf[:, q] is (docs, queries, terms)
    N = tf.shape[0]
    dl = tf.sum(1)
    df = np.count_nonzero(tf, axis=0)
    idf = np.log(1 + (N - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * dl / dl.mean())
    f = tf[:, queries]
    s = idf[queries][None] * f * (k1 + 1) / (f + norm[:, None, None])
    return s.sum(axis=-1).T


def bm25_okapi_epsilon(tf, query, k1=1.5, b=0.75, epsilon=0.25):
    # rank_bm25's BM25Okapi: negative idfs floored at epsilon * average idf
    corpus_size = tf.shape[0]
    doc_len = tf.sum(axis=1)
    avgdl = np.sum(doc_len) / corpus_size
    nd = (tf > 0).sum(axis=0)
    idf = np.log(corpus_size - nd + 0.5) - np.log(nd + 0.5)
    average_idf = idf.sum() / len(idf)
    eps = epsilon * average_idf
    idf = np.where(idf < 0, eps, idf)
    score = np.zeros(corpus_size)
    for q in query:
        q_freq = tf[:, q]
        score += idf[q] * (q_freq * (k1 + 1) /
                           (q_freq + k1 * (1 - b + b * doc_len / avgdl)))
    return score


def bm25_l_plus(tf, query, k1=1.5, b=0.75, delta=0.5):
    # BM25L and BM25+ side by side, into a dict
    N = tf.shape[0]
    dl = tf.sum(axis=1)
    avgdl = dl.mean()
    df = (tf > 0).sum(axis=0)
    f = tf[:, query].astype(float)
    ctd = f / (1 - b + b * dl[:, None] / avgdl)
    idf_l = np.log((N + 1) / (df[query] + 0.5))
    bm25l = (idf_l * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)).sum(1)
    idf_p = np.log((N + 1) / df[query])
    denom = k1 * (1 - b + b * dl[:, None] / avgdl) + f
    bm25p = (idf_p * (delta + f * (k1 + 1) / denom)).sum(1)
    return {"bm25l": bm25l, "bm25+": bm25p}


def query_likelihood_dirichlet(tf, query, mu=20.0):
    # log p(q | d) with Dirichlet smoothing from the collection model
    cf = tf.sum(axis=0)
    p_c = cf / cf.sum()
    dl = tf.sum(axis=1, keepdims=True)
    p = (tf[:, query] + mu * p_c[query]) / (dl + mu)
    return np.log(p).sum(axis=1)


def query_likelihood_jm(tf, query, lam=0.3):
    p_ml = tf / tf.sum(axis=1, keepdims=True)
    p_c = tf.sum(0) / tf.sum()
    scores = np.zeros(tf.shape[0])
    for w in query:
        scores = scores + np.log((1 - lam) * p_ml[:, w] + lam * p_c[w])
    return scores


def pivoted_normalisation(tf, query, s=0.2):
    N = len(tf)
    dl = tf.sum(1)
    df = (tf > 0).sum(0)
    num = 1 + np.log(1 + np.log(np.maximum(tf[:, query], 1)))
    num = np.where(tf[:, query] > 0, num, 0)
    idf = np.log((N + 1) / df[query])
    return (num / ((1 - s) + s * dl / dl.mean())[:, None] * idf).sum(1)


def cosine_similarity_matrix(Q, D, eps=1e-10):
    qn = Q / (np.linalg.norm(Q, axis=1, keepdims=True) + eps)
    dn = D / (np.linalg.norm(D, axis=1, keepdims=True) + eps)
    return qn @ dn.T


def cosine_maximum_norms(A):
    # doc-doc cosine, norms clipped at eps, by np.dot and np.outer
    norms = np.maximum(np.sqrt(np.sum(A * A, axis=1)), 1e-8)
    return np.dot(A, A.T) / np.outer(norms, norms)


def topk_argsort_reversed(q, D, k=3):
    scores = D @ q / (np.linalg.norm(D, axis=1) * np.linalg.norm(q))
    top = np.argsort(scores)[::-1][:k]
    return top, scores[top]


def topk_argpartition_batch(Q, D, k=3):
    # argpartition for the k best, then sort those k
    S = Q @ D.T
    part = np.argpartition(-S, k, axis=1)[:, :k]
    part_scores = np.take_along_axis(S, part, axis=1)
    order = np.argsort(-part_scores, axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.take_along_axis(S, idx, axis=1)


def topk_negated_argsort(Q, D, k=4):
    sims = cosine_similarity_matrix(Q, D)
    idx = np.argsort(-sims, axis=1)[:, :k]
    return idx, sims[np.arange(len(Q))[:, None], idx]


def rocchio_feedback(q, D, rel, alpha=1.0, beta=0.75, gamma=0.15):
    # relevant and non-relevant centroids by boolean row means
    rel = rel.astype(bool)
    q_new = alpha * q + beta * D[rel].mean(axis=0) - gamma * D[~rel].mean(axis=0)
    q_new[q_new < 0] = 0
    return q_new


def lsi_truncated_svd(A, q, k=2):
    # latent semantic indexing on the term-document matrix; the query folded in
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    Uk, Sk, Vk = U[:, :k], S[:k], Vt[:k].T
    q_k = q @ Uk / Sk
    docs_k = Vk * Sk
    sims = docs_k @ q_k / (np.linalg.norm(docs_k, axis=1) * np.linalg.norm(q_k))
    return np.abs(sims), Sk


def most_similar_not_self(X):
    S = cosine_maximum_norms(X)
    np.fill_diagonal(S, -np.inf)
    return S.argmax(axis=1), S.max(axis=1)


def hashing_vectorizer_signed(tokens, n_features=16):
    # the hashing trick with a sign hash: Knuth's multiplicative hash in uint32
    h = tokens.astype(np.uint32) * np.uint32(2654435761)
    idx = (h % n_features).astype(np.int64)
    sign = np.where((h >> 31) & 1, -1.0, 1.0)
    out = np.zeros((tokens.shape[0], n_features))
    for d in range(tokens.shape[0]):
        out[d] = np.bincount(idx[d], weights=sign[d], minlength=n_features)
    return out


def bigram_hash_features(tokens, V=10, n_features=32):
    # hashed bigram features: (w_i * V + w_{i+1}) % n_features, counted per document
    big = tokens[:, :-1] * V + tokens[:, 1:]
    idx = big % n_features
    X = np.zeros((tokens.shape[0], n_features), dtype=np.int64)
    for d in range(tokens.shape[0]):
        np.add.at(X[d], idx[d], 1)
    return X


def pagerank_power(A, d=0.85, iters=40):
    # the adjacency A[i, j] = link i -> j; dangling rows spread uniformly
    n = A.shape[0]
    out_deg = A.sum(axis=1)
    M = np.where(out_deg[:, None] > 0, A / np.maximum(out_deg, 1)[:, None], 1.0 / n)
    r = np.ones(n) / n
    for _ in range(iters):
        r = (1 - d) / n + d * M.T @ r
    return r / r.sum()


def pagerank_solve(A, d=0.85):
    n = len(A)
    out = A.sum(1)
    out[out == 0] = 1
    M = (A / out[:, None]).T
    return np.linalg.solve(np.eye(n) - d * M, (1 - d) / n * np.ones(n))


def hits(A, iters=30):
    hubs = np.ones(A.shape[0])
    for _ in range(iters):
        auth = A.T @ hubs
        auth /= np.linalg.norm(auth)
        hubs = A @ auth
        hubs /= np.linalg.norm(hubs)
    return hubs, auth


def _links(s, n):
    A = (_u(s, n, n) < 0.4).astype(float)
    np.fill_diagonal(A, 0)
    A[0] = 0
    A[1, 0] = 1
    return A


RETRIEVAL = {
    "term_doc_add_at_rows_cols": (term_doc_add_at, {"V": 10}, lambda s, n: (_docs(s, n),)),
    "term_doc_bincount_loop": (term_doc_bincount_loop, {"vocab_size": 10}, lambda s, n: (
        _docs(s, n),)),
    "term_doc_bincount_flat": (term_doc_bincount_flat, {"V": 10}, lambda s, n: (_docs(s, n),)),
    "term_doc_onehot_sum": (term_doc_onehot, {"V": 10}, lambda s, n: (_docs(s, n),)),
    "term_doc_padded_batch": (term_doc_padded, {"V": 10}, lambda s, n: (
        _docs(s, n) * (np.arange(12) < 8 + np.arange(n)[:, None] % 4),
        8 + np.arange(n) % 4)),
    "tfidf_sklearn_smooth_l2": (tfidf_sklearn_smooth, {}, lambda s, n: (_counts(s, n),)),
    "tfidf_textbook_where": (tfidf_textbook, {}, lambda s, n: (
        _counts(s, n) * (np.arange(10) != 9),)),
    "tfidf_sublinear_masked_write": (tfidf_sublinear_masked, {}, lambda s, n: (
        _counts(s, n),)),
    "tfidf_log1p_given_idf": (tfidf_log1p, {}, lambda s, n: (
        _counts(s, n), _u(s, 10) + 1)),
    "tfidf_float32": (tfidf_float32, {}, lambda s, n: (_counts(s, n),)),
    "bm25_query_loop": (bm25_query_loop, {}, lambda s, n: (
        _counts(s, n), np.array([1, 4, 7]))),
    "bm25_fancy_columns_batch": (bm25_fancy_columns, {}, lambda s, n: (
        _counts(s, n), _i(10, 3, 2, seed=s))),
    "bm25_okapi_epsilon_floor": (bm25_okapi_epsilon, {}, lambda s, n: (
        _counts(s, n), [0, 3, 5])),
    "bm25l_bm25plus_dict": (bm25_l_plus, {}, lambda s, n: (_counts(s, n), np.array([2, 5]))),
    "query_likelihood_dirichlet": (query_likelihood_dirichlet, {}, lambda s, n: (
        _counts(s, n), np.array([0, 2, 9]))),
    "query_likelihood_jelinek_mercer": (query_likelihood_jm, {}, lambda s, n: (
        _counts(s, n), np.array([1, 6]))),
    "pivoted_length_normalisation": (pivoted_normalisation, {}, lambda s, n: (
        _counts(s, n), np.array([0, 1, 8]))),
    "cosine_similarity_keepdims": (cosine_similarity_matrix, {}, lambda s, n: (
        _f(3, 6, seed=s), _f(n, 6, seed=s + 1))),
    "topk_argsort_reversed": (topk_argsort_reversed, {}, lambda s, n: (
        _f(5, seed=s), _f(n + 2, 5, seed=s + 1))),
    "topk_argpartition_then_argsort": (topk_argpartition_batch, {}, lambda s, n: (
        _f(3, 5, seed=s), _f(n + 2, 5, seed=s + 1))),
    "topk_negated_argsort_cosine": (topk_negated_argsort, {}, lambda s, n: (
        _f(2, 5, seed=s), _f(n + 3, 5, seed=s + 1))),
    "rocchio_boolean_centroids": (rocchio_feedback, {}, lambda s, n: (
        _u(s, 6), _u(s + 1, n + 2, 6), np.arange(n + 2) % 3 == 0)),
    "lsi_truncated_svd_fold_in": (lsi_truncated_svd, {}, lambda s, n: (
        _counts(s, n).T.astype(float), _counts(s + 5, 1)[0].astype(float))),
    "most_similar_fill_diagonal": (most_similar_not_self, {}, lambda s, n: (
        _f(n, 5, seed=s),)),
    "hashing_vectorizer_signed_uint32": (hashing_vectorizer_signed, {}, lambda s, n: (
        _i(5000, n, 9, seed=s),)),
    "bigram_hash_add_at_row_view": (bigram_hash_features, {}, lambda s, n: (_docs(s, n),)),
    "pagerank_power_dangling": (pagerank_power, {}, lambda s, n: (_links(s, n),)),
    "pagerank_linear_solve": (pagerank_solve, {}, lambda s, n: (_links(s, n),)),
    "hits_fixed_iterations": (hits, {}, lambda s, n: (_links(s, n) + np.eye(n),)),
}


@pytest.mark.parametrize("name", _names(RETRIEVAL))
def test_retrieval_matches_numpy(name):
    """Term-document counts by np.add.at, bincount and one-hot sums, tf-idf variants with l2
    rows, BM25 and its variants, query likelihood, cosine similarities and top-k by argsort
    and argpartition, Rocchio, LSI, hashed features, PageRank and HITS."""
    check_like_numpy(*RETRIEVAL[name])


# ============================================================================ evaluation


def precision_recall_at_k(ranked, relevant, k=3):
    # ranked: (queries, n) doc ids; relevant: (queries, n_docs) 0/1 judgements
    hits = np.take_along_axis(relevant, ranked[:, :k], axis=1)
    p = hits.sum(axis=1) / k
    r = hits.sum(axis=1) / np.maximum(relevant.sum(axis=1), 1)
    f1 = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return {"P@k": p.mean(), "R@k": r.mean(), "F1@k": f1.mean()}


def precision_at_k_isin(ranked, relevant_ids, k=5):
    # one query: np.isin of the top-k against the relevant ids
    return np.isin(ranked[:k], relevant_ids).mean()


def average_precision(rel):
    # rel: 0/1 relevance of a ranked list
    rel = np.asarray(rel)
    prec = np.cumsum(rel) / np.arange(1, len(rel) + 1)
    return np.sum(prec * rel) / max(rel.sum(), 1)


def mean_average_precision(rels):
    aps = []
    for q in range(rels.shape[0]):
        r = rels[q]
        hits = np.cumsum(r)
        precs = hits / (np.arange(r.size) + 1)
        aps.append((precs * r).sum() / np.maximum(r.sum(), 1))
    return np.mean(aps), np.array(aps)


def dcg_at_k(r, k):
    r = np.asarray(r, dtype=float)[:k]
    return np.sum(r / np.log2(np.arange(2, r.size + 2)))


def ndcg_at_k(r, k=5):
    # the well-known gist: the ideal ordering by Python's sorted
    dcg_max = dcg_at_k(sorted(r, reverse=True), k)
    return dcg_at_k(r, k) / dcg_max


def ndcg_np_sort(r, k=5):
    idcg = dcg_at_k(np.sort(r)[::-1], k)
    if_zero = idcg == 0
    return np.where(if_zero, 0.0, dcg_at_k(r, k) / np.where(if_zero, 1.0, idcg))


def ndcg_exp_gain_batch(scores, labels, k=4):
    # graded labels, gain 2**rel - 1, ranked by predicted scores per query
    order = np.argsort(-scores, axis=1)
    gains = 2.0 ** np.take_along_axis(labels, order, axis=1)[:, :k] - 1
    disc = 1.0 / np.log2(np.arange(k) + 2)
    dcg = (gains * disc).sum(axis=1)
    ideal = np.sort(labels, axis=1)[:, ::-1][:, :k]
    idcg = ((2.0 ** ideal - 1) * disc).sum(axis=1)
    return np.where(idcg > 0, dcg / np.where(idcg > 0, idcg, 1), 0.0)


def mrr_first_hit(rels):
    first = rels.argmax(axis=1)
    has = rels.any(axis=1)
    return np.mean(np.where(has, 1.0 / (first + 1), 0.0))


def ncf_leave_one_out(pos_scores, neg_scores, k=10):
    # NCF: the held-out item ranked against 99 sampled negatives
    rank = (neg_scores > pos_scores[:, None]).sum(axis=1)
    hr = (rank < k).astype(float)
    ndcg = np.where(rank < k, np.log(2) / np.log(rank + 2), 0.0)
    return hr.mean(), ndcg.mean()


def r_precision_mask(rels, n_rel):
    # precision at R = the number of relevant documents, by a rank mask
    pos = np.arange(rels.shape[1])[None, :]
    in_r = pos < n_rel[:, None]
    return (rels * in_r).sum(axis=1) / n_rel


def interpolated_precision(rel, n_rel):
    prec = np.cumsum(rel) / np.arange(1, len(rel) + 1)
    rec = np.cumsum(rel) / n_rel
    interp = np.maximum.accumulate(prec[::-1])[::-1]
    return rec, interp


def eleven_point_precision(rel, n_rel):
    prec = np.cumsum(rel) / np.arange(1, len(rel) + 1)
    rec = np.cumsum(rel) / n_rel
    out = np.zeros(11)
    for i, level in enumerate(np.linspace(0, 1, 11)):
        out[i] = np.where(rec >= level, prec, 0).max()
    return out, out.mean()


def novelty_coverage(recs, item_pop, n_users):
    # self-information of recommended items and catalogue coverage
    p = item_pop / n_users
    novelty = np.mean(-np.log2(p[recs]))
    covered = np.zeros(len(item_pop), dtype=bool)
    covered[recs.ravel()] = True
    return novelty, covered.mean()


EVALUATION = {
    "precision_recall_f1_at_k_dict": (precision_recall_at_k, {}, lambda s, n: (
        np.argsort(_u(s, n, 8), axis=1), (_u(s + 1, n, 8) < 0.4).astype(int))),
    "precision_at_k_isin": (precision_at_k_isin, {}, lambda s, n: (
        np.random.default_rng(s).permutation(3 * n), np.array([0, 3, 5]) + s)),
    "average_precision_cumsum": (average_precision, {}, lambda s, n: (
        (_u(s, 3 * n) < 0.4).astype(int),)),
    "map_loop_over_queries": (mean_average_precision, {}, lambda s, n: (
        (_u(s, n, 6) < 0.4).astype(float),)),
    "ndcg_np_sort_log2": (ndcg_np_sort, {}, lambda s, n: (
        _i(4, 2 * n, seed=s) + (np.arange(2 * n) == 0),)),
    "ndcg_exp_gain_batch": (ndcg_exp_gain_batch, {}, lambda s, n: (
        _f(n, 6, seed=s), _i(4, n, 6, seed=s + 1))),
    "mrr_argmax_first_hit": (mrr_first_hit, {}, lambda s, n: (
        _u(s, n, 6) < 0.3,)),
    "ncf_leave_one_out_hr_ndcg": (ncf_leave_one_out, {}, lambda s, n: (
        _f(n, seed=s), _f(n, 99, seed=s + 1) - 0.5)),
    "r_precision_rank_mask": (r_precision_mask, {}, lambda s, n: (
        (_u(s, n, 8) < 0.4).astype(int), _i(5, n, seed=s) + 1)),
    "interpolated_precision_accumulate": (interpolated_precision, {}, lambda s, n: (
        (_u(s, 3 * n) < 0.4).astype(float), 4)),
    "eleven_point_precision": (eleven_point_precision, {}, lambda s, n: (
        (_u(s, 3 * n) < 0.4).astype(float) + (np.arange(3 * n) == 1), 5.0)),
    "novelty_coverage_fancy_write": (novelty_coverage, {}, lambda s, n: (
        _i(9, n, 3, seed=s), _i(20, 9, seed=s) + 1, 25)),
}


@pytest.mark.parametrize("name", _names(EVALUATION))
def test_ranking_evaluation_matches_numpy(name):
    """Precision/recall/F1@k, AP and MAP, DCG/NDCG with log2 discounts, MRR, hit rate, NCF's
    leave-one-out metrics, R-precision, interpolated precision, novelty and coverage."""
    check_like_numpy(*EVALUATION[name])


# ============================================================================ embeddings


def cooccurrence_nested_loops(tokens, V, window=2):
    # the CS224n-style co-occurrence matrix over one corpus of token ids
    M = np.zeros((V, V))
    n = len(tokens)
    for i in range(n):
        for j in range(max(0, i - window), min(n, i + window + 1)):
            if i != j:
                M[tokens[i], tokens[j]] += 1
    return M


def cooccurrence_add_at_offsets(tokens, V, window=3):
    C = np.zeros((V, V), dtype=np.int64)
    for off in range(1, window + 1):
        np.add.at(C, (tokens[:-off], tokens[off:]), 1)
    return C + C.T


def glove_cooccurrence_weighted(docs, V, window=3):
    # GloVe's counts weighted 1 / distance, per document in a batch
    X = np.zeros((V, V))
    for d in range(docs.shape[0]):
        doc = docs[d]
        for off in range(1, window + 1):
            np.add.at(X, (doc[:-off], doc[off:]), 1.0 / off)
            np.add.at(X, (doc[off:], doc[:-off]), 1.0 / off)
    return X


def ppmi(C, alpha=0.75):
    # PPMI with context distribution smoothing (Levy et al.)
    total = C.sum()
    row = C.sum(axis=1, keepdims=True)
    ctx = C.sum(axis=0) ** alpha
    ctx = ctx / ctx.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((C / total) / ((row / total) * ctx[None, :]))
    pmi[~np.isfinite(pmi)] = 0.0
    return np.maximum(pmi, 0)


def ppmi_outer(C):
    # the plain form: np.outer of marginals, nan_to_num
    N = C.sum()
    pw = C.sum(1) / N
    pc = C.sum(0) / N
    with np.errstate(divide="ignore"):
        pmi = np.log2(C / N / np.outer(pw, pc))
    return np.clip(np.nan_to_num(pmi, neginf=0.0), 0, None)


def svd_embeddings(M, k=3):
    U, S, Vt = np.linalg.svd(M)
    emb = U[:, :k] * S[:k]
    # sign-fix each component by its largest entry
    signs = np.sign(emb[np.argmax(np.abs(emb), axis=0), np.arange(k)])
    emb = emb * signs
    return emb / np.linalg.norm(emb, axis=1, keepdims=True), S[:k] ** 2 / np.sum(S ** 2)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax_rows(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def naive_softmax_loss_and_gradient(centerWordVec, outsideWordIdx, outsideVectors):
    # CS224n a2: the full softmax over the vocabulary
    y_hat = softmax_rows(outsideVectors @ centerWordVec)
    loss = -np.log(y_hat[outsideWordIdx])
    y = np.zeros_like(y_hat)
    y[outsideWordIdx] = 1
    gradCenterVec = outsideVectors.T @ (y_hat - y)
    gradOutsideVecs = np.outer(y_hat - y, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs


def neg_sampling_loss_and_gradient(centerWordVec, outsideWordIdx, outsideVectors, negIdx):
    # CS224n a2: the negative-sampling loss, gradients accumulated per sample
    u_o = outsideVectors[outsideWordIdx]
    s_o = sigmoid(u_o @ centerWordVec)
    u_k = outsideVectors[negIdx]
    s_k = sigmoid(-u_k @ centerWordVec)
    loss = -np.log(s_o) - np.sum(np.log(s_k))
    gradCenterVec = (s_o - 1) * u_o + ((1 - s_k)[:, None] * u_k).sum(axis=0)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
    for k in range(len(negIdx)):
        gradOutsideVecs[negIdx[k]] += (1 - s_k[k]) * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs


def skipgram_window(currentCenterWord, outsideWords, centerWordVectors, outsideVectors):
    # CS224n's skipgram: a loop over the window's outside words with the naive softmax
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    v_c = centerWordVectors[currentCenterWord]
    for o in outsideWords:
        l, gc, go = naive_softmax_loss_and_gradient(v_c, o, outsideVectors)
        loss += l
        gradCenterVecs[currentCenterWord] += gc
        gradOutsideVectors += go
    return loss, gradCenterVecs, gradOutsideVectors


def sgns_batch_step(W_in, W_out, centers, contexts, negatives, lr=0.05):
    # a batched SGNS step with scatter-adds back into both tables, in place
    v = W_in[centers]
    u_pos = W_out[contexts]
    u_neg = W_out[negatives]
    g_pos = sigmoid(np.sum(v * u_pos, axis=1)) - 1
    g_neg = sigmoid(np.einsum("bd,bkd->bk", v, u_neg))
    grad_v = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)
    np.add.at(W_out, contexts, -lr * g_pos[:, None] * v)
    np.add.at(W_out, negatives, -lr * g_neg[..., None] * v[:, None, :])
    np.add.at(W_in, centers, -lr * grad_v)
    loss = -np.mean(np.log(sigmoid(np.sum(v * u_pos, 1))) +
                    np.log(sigmoid(-np.einsum("bd,bkd->bk", v, u_neg))).sum(1))
    return loss


def sgns_negatives_from_rng(W_in, W_out, centers, contexts, word_counts, rng, k=3,
                            lr=0.025):
    # negatives drawn from the unigram ** 0.75 distribution by the generator argument
    p = word_counts ** 0.75
    p = p / p.sum()
    negs = rng.choice(len(word_counts), size=(len(centers), k), p=p)
    return sgns_batch_step(W_in, W_out, centers, contexts, negs, lr), negs


def sgns_pairwise_loop(W, C, pairs, negs, lr=0.05):
    # one pair at a time, the center and context rows updated as the loop goes
    total = 0.0
    for t in range(pairs.shape[0]):
        c, o = pairs[t]
        v = W[c]
        score = sigmoid(C[o] @ v)
        g = score - 1
        grad_v = g * C[o]
        C[o] -= lr * g * v
        for k in range(negs.shape[1]):
            nk = negs[t, k]
            sk = sigmoid(C[nk] @ v)
            grad_v = grad_v + sk * C[nk]
            C[nk] -= lr * sk * v
            total -= np.log(1 - sk)
        W[c] -= lr * grad_v
        total -= np.log(score)
    return total / pairs.shape[0]


def cbow_forward_backward(E, W, context, target):
    # CBOW with a full softmax: mean of context rows
    h = E[context].mean(axis=0)
    p = softmax_rows(W @ h)
    loss = -np.log(p[target])
    dlogits = p.copy()
    dlogits[target] -= 1
    dW = np.outer(dlogits, h)
    dh = W.T @ dlogits
    dE = np.zeros_like(E)
    np.add.at(dE, context, dh / len(context))
    return loss, dW, dE


def glove_weights_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    # the GloVe objective over the non-zero co-occurrences, by masks
    nz = X > 0
    f = np.where(X < x_max, (X / x_max) ** alpha, 1.0)
    logX = np.log(np.where(nz, X, 1.0))
    diff = W @ Wc.T + b[:, None] + bc[None, :] - logX
    J = 0.5 * np.sum(f * nz * diff ** 2)
    grad_W = (f * nz * diff) @ Wc
    grad_Wc = (f * nz * diff).T @ W
    return J, grad_W, grad_Wc


def glove_adagrad_step(W, Wc, b, bc, gsW, gsWc, gsb, gsbc, rows, cols, xs, lr=0.05,
                       x_max=10.0, alpha=0.75):
    # GloVe's AdaGrad over given (i, j, x) co-occurrence entries, one at a time, in place
    cost = 0.0
    for k in range(len(rows)):
        i, j, x = rows[k], cols[k], xs[k]
        weight = np.minimum((x / x_max) ** alpha, 1.0)
        inner = W[i] @ Wc[j] + b[i] + bc[j] - np.log(x)
        cost += 0.5 * weight * inner ** 2
        g = weight * inner
        gw, gwc = g * Wc[j], g * W[i]
        W[i] -= lr * gw / np.sqrt(gsW[i])
        Wc[j] -= lr * gwc / np.sqrt(gsWc[j])
        b[i] -= lr * g / np.sqrt(gsb[i])
        bc[j] -= lr * g / np.sqrt(gsbc[j])
        gsW[i] += gw ** 2
        gsWc[j] += gwc ** 2
        gsb[i] += g ** 2
        gsbc[j] += g ** 2
    return cost


def analogy(E, a, b, c):
    # b - a + c, the nearest word excluding the three inputs
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    target = En[b] - En[a] + En[c]
    sims = En @ (target / np.linalg.norm(target))
    sims[[a, b, c]] = -np.inf
    return np.argmax(sims), np.max(sims)


def nearest_neighbours(E, word, k=3):
    sims = E @ E[word] / (np.linalg.norm(E, axis=1) * np.linalg.norm(E[word]))
    nn = np.argsort(-sims)[1:k + 1]
    return nn, sims[nn]


EMBEDDINGS = {
    "cooccurrence_nested_window_loops": (cooccurrence_nested_loops, {"V": 8}, lambda s, n: (
        _i(8, 3 * n, seed=s),)),
    "cooccurrence_add_at_offsets": (cooccurrence_add_at_offsets, {"V": 8}, lambda s, n: (
        _i(8, 5 * n, seed=s),)),
    "glove_cooccurrence_inverse_distance": (glove_cooccurrence_weighted, {"V": 8},
                                            lambda s, n: (_i(8, n, 7, seed=s),)),
    "ppmi_context_smoothing": (ppmi, {}, lambda s, n: (
        cooccurrence_add_at_offsets(_i(n + 4, 40, seed=s), n + 4).astype(float),)),
    "ppmi_outer_nan_to_num": (ppmi_outer, {}, lambda s, n: (
        cooccurrence_add_at_offsets(_i(n + 4, 40, seed=s), n + 4).astype(float),)),
    "svd_embeddings_sign_fixed": (svd_embeddings, {}, lambda s, n: (
        ppmi(cooccurrence_add_at_offsets(_i(n + 4, 60, seed=s), n + 4).astype(float)),)),
    "cs224n_naive_softmax": (naive_softmax_loss_and_gradient, {}, lambda s, n: (
        _f(5, seed=s), 2, _f(n + 3, 5, seed=s + 1))),
    "cs224n_neg_sampling_loop": (neg_sampling_loss_and_gradient, {}, lambda s, n: (
        _f(5, seed=s), 1, _f(n + 3, 5, seed=s + 1), np.array([0, 2, 2, 3]))),
    "cs224n_skipgram_window": (skipgram_window, {}, lambda s, n: (
        1, np.array([0, 2, 3, 2]), _f(n + 2, 4, seed=s), _f(n + 2, 4, seed=s + 1))),
    "sgns_batch_add_at_in_place": (sgns_batch_step, {}, lambda s, n: (
        _f(8, 4, seed=s) * 0.1, _f(8, 4, seed=s + 1) * 0.1, _i(8, n, seed=s),
        _i(8, n, seed=s + 1), _i(8, n, 3, seed=s + 2))),
    "sgns_negatives_rng_choice_p": (sgns_negatives_from_rng, {}, lambda s, n: (
        _f(8, 4, seed=s) * 0.1, _f(8, 4, seed=s + 1) * 0.1, _i(8, n, seed=s),
        _i(8, n, seed=s + 1), _i(30, 8, seed=s) + 1.0, np.random.default_rng(s))),
    "sgns_pairwise_loop_in_place": (sgns_pairwise_loop, {}, lambda s, n: (
        _f(6, 3, seed=s) * 0.1, _f(6, 3, seed=s + 1) * 0.1, _i(6, n, 2, seed=s),
        _i(6, n, 2, seed=s + 1))),
    "cbow_add_at_context": (cbow_forward_backward, {}, lambda s, n: (
        _f(n + 4, 3, seed=s), _f(n + 4, 3, seed=s + 1), np.array([0, 2, 2, 5]), 3)),
    "glove_loss_masks": (glove_weights_loss, {}, lambda s, n: (
        _f(n, 3, seed=s) * 0.1, _f(n, 3, seed=s + 1) * 0.1, _f(n, seed=s + 2) * 0.1,
        _f(n, seed=s + 3) * 0.1, _i(15, n, n, seed=s) * (_u(s, n, n) < 0.6))),
    "glove_adagrad_entries_in_place": (glove_adagrad_step, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.1, _f(5, 3, seed=s + 1) * 0.1, np.zeros(5), np.zeros(5),
        np.ones((5, 3)), np.ones((5, 3)), np.ones(5), np.ones(5), _i(5, n, seed=s),
        _i(5, n, seed=s + 1), _i(20, n, seed=s + 2) + 1.0)),
    "analogy_list_index_minus_inf": (analogy, {}, lambda s, n: (
        _f(n + 4, 5, seed=s), 0, 1, 2)),
    "nearest_neighbours_skip_self": (nearest_neighbours, {}, lambda s, n: (
        _f(n + 4, 5, seed=s), 2)),
}


def hole_circular_correlation(E, R, heads, rels, tails):
    # HolE (Nickel et al.): score = r . (h star t), circular correlation through np.fft
    h, t, r = E[heads], E[tails], R[rels]
    corr = np.fft.ifft(np.conj(np.fft.fft(h, axis=-1)) * np.fft.fft(t, axis=-1), axis=-1).real
    return sigmoid(np.sum(r * corr, axis=-1))


def hrr_bind_unbind(a, b):
    # Plate's holographic reduced representations: bind by circular convolution with rfft,
    # unbind by the involution, and the cosine of the recovered vector
    bound = np.fft.irfft(np.fft.rfft(a) * np.fft.rfft(b), n=a.shape[-1])
    inv = np.concatenate([a[..., :1], a[..., :0:-1]], axis=-1)
    rec = np.fft.irfft(np.fft.rfft(bound) * np.fft.rfft(inv), n=a.shape[-1])
    cos = np.sum(rec * b, -1) / (np.linalg.norm(rec, axis=-1) * np.linalg.norm(b, axis=-1))
    return bound, cos


EMBEDDINGS.update({
    "hole_fft_circular_correlation": (hole_circular_correlation, {}, lambda s, n: (
        _f(6, 8, seed=s), _f(3, 8, seed=s + 1), _i(6, n, seed=s), _i(3, n, seed=s + 1),
        _i(6, n, seed=s + 2))),
    "hrr_rfft_bind_unbind": (hrr_bind_unbind, {}, lambda s, n: (
        _f(n, 16, seed=s) / 4, _f(n, 16, seed=s + 1) / 4)),
})


@pytest.mark.parametrize("name", _names(EMBEDDINGS))
def test_embeddings_match_numpy(name):
    """Co-occurrence matrices in windows, PPMI, SVD embeddings, CS224n's word2vec losses and
    gradients, batched and per-pair SGNS steps with negatives from a generator, CBOW,
    GloVe's loss and AdaGrad steps, analogies and neighbours, HolE and HRR by FFTs."""
    check_like_numpy(*EMBEDDINGS[name])


# ============================================================================ sequence models


def masked_attention(Q, K, V, pad_mask):
    # padded keys get -1e9 before the softmax; pad_mask is (batch, keys) True for real tokens
    d = Q.shape[-1]
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(d)
    scores = np.where(pad_mask[:, None, :], scores, -1e9)
    w = softmax_rows(scores)
    return w @ V, w


def causal_self_attention(X, Wq, Wk, Wv):
    T = X.shape[0]
    q, k, v = X @ Wq, X @ Wk, X @ Wv
    att = q @ k.T / np.sqrt(k.shape[-1])
    mask = np.triu(np.ones((T, T), dtype=bool), k=1)
    att[mask] = -np.inf
    att = np.exp(att - att.max(axis=-1, keepdims=True))
    att /= att.sum(axis=-1, keepdims=True)
    return att @ v


def masked_mean_pool(E, ids, pad_id=0):
    # embedding lookup, pad rows excluded from the mean
    emb = E[ids]
    mask = (ids != pad_id).astype(E.dtype)
    summed = (emb * mask[..., None]).sum(axis=1)
    return summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)


def bigram_lm_add_k(train, test, V, k=0.5):
    # counts by np.add.at, add-k smoothing, perplexity of the test sequence
    counts = np.zeros((V, V))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    probs = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * V)
    logp = np.log(probs[test[:-1], test[1:]])
    return probs, np.exp(-logp.mean())


def bigram_lm_loop_log2(train, test, V, alpha=1.0):
    # Laplace bigrams counted by a Python loop, cross-entropy in bits
    C = np.zeros((V, V), dtype=np.int64)
    for a, b in zip(train[:-1], train[1:]):
        C[a, b] += 1
    P = (C + alpha) / (C.sum(1)[:, None] + alpha * V)
    H = 0.0
    for i in range(1, len(test)):
        H -= np.log2(P[test[i - 1], test[i]])
    H /= len(test) - 1
    return H, 2 ** H


def trigram_bincount(tokens, V, k=0.1):
    # trigram counts by a flat bincount of a * V^2 + b * V + c
    idx = tokens[:-2] * V * V + tokens[1:-1] * V + tokens[2:]
    tri = np.bincount(idx, minlength=V ** 3).reshape(V, V, V).astype(float)
    bi = tri.sum(axis=2, keepdims=True)
    return (tri + k) / (bi + k * V)


def interpolated_lm(train, test, V, lambdas=(0.6, 0.3, 0.1)):
    uni = np.bincount(train, minlength=V) / len(train)
    bi = np.zeros((V, V))
    np.add.at(bi, (train[:-1], train[1:]), 1)
    row = bi.sum(1, keepdims=True)
    p_bi = np.divide(bi, row, out=np.zeros_like(bi), where=row > 0)
    l2, l1, l0 = lambdas
    p = l2 * p_bi[test[:-1], test[1:]] + l1 * uni[test[1:]] + l0 / V
    return np.exp(-np.mean(np.log(p)))


def absolute_discount_bigram(train, V, d=0.75):
    # absolute discounting backing off to continuation probabilities (Kneser-Ney's)
    C = np.zeros((V, V))
    np.add.at(C, (train[:-1], train[1:]), 1)
    n_ctx = C.sum(axis=1, keepdims=True)
    n_types = (C > 0).sum(axis=1, keepdims=True)
    p_cont = (C > 0).sum(axis=0) / (C > 0).sum()
    lam = d * n_types / np.maximum(n_ctx, 1)
    P = np.maximum(C - d, 0) / np.maximum(n_ctx, 1) + lam * p_cont[None, :]
    P[n_ctx[:, 0] == 0] = p_cont
    return P


def perplexity_logsumexp(logits, targets):
    # token-level cross entropy from logits by scipy.special.logsumexp
    lse = scipy.special.logsumexp(logits, axis=-1)
    nll = lse - logits[np.arange(len(targets)), targets]
    return np.exp(nll.mean()), nll


def viterbi(obs, pi, A, B):
    # HMM tagging: log-space DP with back-pointers, a fixed backtrace
    T, N = len(obs), len(pi)
    logA, logB = np.log(A), np.log(B)
    delta = np.zeros((T, N))
    psi = np.zeros((T, N), dtype=int)
    delta[0] = np.log(pi) + logB[:, obs[0]]
    for t in range(1, T):
        trans = delta[t - 1][:, None] + logA
        psi[t] = np.argmax(trans, axis=0)
        delta[t] = np.max(trans, axis=0) + logB[:, obs[t]]
    path = np.zeros(T, dtype=int)
    path[-1] = np.argmax(delta[-1])
    for t in range(T - 2, -1, -1):
        path[t] = psi[t + 1, path[t + 1]]
    return path, delta[-1].max()


def forward_algorithm_scaled(obs, pi, A, B):
    T = len(obs)
    alpha = pi * B[:, obs[0]]
    c = alpha.sum()
    alpha /= c
    loglik = np.log(c)
    for t in range(1, T):
        alpha = (alpha @ A) * B[:, obs[t]]
        c = alpha.sum()
        alpha /= c
        loglik += np.log(c)
    return loglik


def min_char_rnn_loss(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    # Karpathy's min-char-rnn lossFun: dicts of per-step arrays, one-hot columns, BPTT
    vocab_size = Wxh.shape[1]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
        np.clip(dparam, -5, 5, out=dparam)
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def greedy_decode(P, start, steps=6):
    # follow the argmax of a bigram table for a fixed number of steps
    out = np.zeros(steps, dtype=np.int64)
    cur = start
    for t in range(steps):
        cur = np.argmax(P[cur])
        out[t] = cur
    return out


def sample_with_temperature(logits_table, start, rng, steps=5, temperature=0.8):
    # sampling a sequence: rng.choice with p from a softmax at a temperature
    seq = [start]
    for _ in range(steps):
        z = logits_table[seq[-1]] / temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        seq.append(rng.choice(len(p), p=p))
    return np.array(seq)


def lda_gibbs(docs, z, n_dk, n_kw, n_k, rng, alpha=0.1, beta=0.01, iters=2):
    # collapsed Gibbs sampling for LDA over a fixed token layout, counts updated in place
    K, V = n_kw.shape
    D, L = docs.shape
    for _ in range(iters):
        for d in range(D):
            for i in range(L):
                w, k = docs[d, i], z[d, i]
                n_dk[d, k] -= 1
                n_kw[k, w] -= 1
                n_k[k] -= 1
                p = (n_dk[d] + alpha) * (n_kw[:, w] + beta) / (n_k + V * beta)
                k = rng.choice(K, p=p / p.sum())
                z[d, i] = k
                n_dk[d, k] += 1
                n_kw[k, w] += 1
                n_k[k] += 1
    return z


def _lda_state(s, n, K=3, V=6, L=4):
    docs = _i(V, n // 2, L, seed=s)
    z = _i(K, n // 2, L, seed=s + 1)
    n_dk = np.zeros((n // 2, K), dtype=np.int64)
    n_kw = np.zeros((K, V), dtype=np.int64)
    np.add.at(n_dk, (np.repeat(np.arange(n // 2), L), z.ravel()), 1)
    np.add.at(n_kw, (z.ravel(), docs.ravel()), 1)
    return docs, z, n_dk, n_kw, n_kw.sum(1), np.random.default_rng(s)


def _hmm(s, n, N=3, M=5):
    A = _u(s, N, N) + 0.2
    B = _u(s + 1, N, M) + 0.1
    pi = _u(s + 2, N) + 0.1
    return (_i(M, 3 * n, seed=s), pi / pi.sum(), A / A.sum(1, keepdims=True),
            B / B.sum(1, keepdims=True))


def _rnn(s, n, V=5, H=4):
    r = np.random.default_rng(s)
    return (r.integers(0, V, n), r.integers(0, V, n), np.zeros((H, 1)),
            r.standard_normal((H, V)) * 0.3, r.standard_normal((H, H)) * 0.3,
            r.standard_normal((V, H)) * 0.3, np.zeros((H, 1)), np.zeros((V, 1)))


SEQUENCE = {
    "masked_attention_padding": (masked_attention, {}, lambda s, n: (
        _f(2, n, 4, seed=s), _f(2, n, 4, seed=s + 1), _f(2, n, 4, seed=s + 2),
        np.arange(n)[None, :] < np.array([[n], [n - 2]]))),
    "causal_attention_mask_write_inf": (causal_self_attention, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(6, 4, seed=s + 1), _f(6, 4, seed=s + 2),
        _f(6, 4, seed=s + 3))),
    "masked_mean_pool_float32": (masked_mean_pool, {}, lambda s, n: (
        _f(9, 4, seed=s).astype(np.float32),
        _i(9, 3, n, seed=s) * (np.arange(n) < n - 1))),
    "bigram_lm_add_k_perplexity": (bigram_lm_add_k, {"V": 6}, lambda s, n: (
        _i(6, 10 * n, seed=s), _i(6, 3 * n, seed=s + 1))),
    "bigram_lm_zip_loop_bits": (bigram_lm_loop_log2, {"V": 5}, lambda s, n: (
        _i(5, 5 * n, seed=s), _i(5, 2 * n, seed=s + 1))),
    "trigram_flat_bincount": (trigram_bincount, {"V": 4}, lambda s, n: (
        _i(4, 8 * n, seed=s),)),
    "interpolated_lm_divide_where": (interpolated_lm, {"V": 6}, lambda s, n: (
        _i(6, 8 * n, seed=s), _i(6, 3 * n, seed=s + 1))),
    "absolute_discount_continuation": (absolute_discount_bigram, {"V": 7}, lambda s, n: (
        _i(6, 6 * n, seed=s),)),
    "perplexity_scipy_logsumexp": (perplexity_logsumexp, {}, lambda s, n: (
        _f(3 * n, 7, seed=s), _i(7, 3 * n, seed=s + 1))),
    "viterbi_backtrace": (viterbi, {}, _hmm),
    "hmm_forward_scaled": (forward_algorithm_scaled, {}, _hmm),
    "min_char_rnn_loss_dicts": (min_char_rnn_loss, {}, _rnn),
    "greedy_decode_argmax_chain": (greedy_decode, {}, lambda s, n: (
        _u(s, n + 3, n + 3), 1)),
    "sample_temperature_rng_choice": (sample_with_temperature, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s), 0, np.random.default_rng(s))),
    "lda_collapsed_gibbs_in_place": (lda_gibbs, {}, _lda_state),
}


@pytest.mark.parametrize("name", _names(SEQUENCE))
def test_sequence_models_match_numpy(name):
    """Masked and causal attention, mean pooling over padding, bigram/trigram language models
    with add-k smoothing, interpolation and discounting, perplexities, Viterbi and the scaled
    forward algorithm, min-char-rnn, greedy decoding and sampling, LDA's Gibbs sampler."""
    check_like_numpy(*SEQUENCE[name])


# ============================================================================ strings, hashing


def levenshtein_np_min(a, b):
    # the DP table with np.min of a list of the three moves
    m, n = len(a), len(b)
    D = np.zeros((m + 1, n + 1), dtype=int)
    D[:, 0] = np.arange(m + 1)
    D[0, :] = np.arange(n + 1)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            cost = int(a[i - 1] != b[j - 1])
            D[i, j] = np.min([D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + cost])
    return D[m, n]


def levenshtein_where(s1, s2):
    d = np.zeros((len(s1) + 1, len(s2) + 1))
    for i in range(len(s1) + 1):
        d[i, 0] = i
    for j in range(len(s2) + 1):
        d[0, j] = j
    for i in range(1, len(s1) + 1):
        for j in range(1, len(s2) + 1):
            sub = d[i - 1, j - 1] + np.where(s1[i - 1] == s2[j - 1], 0, 1)
            d[i, j] = np.minimum(np.minimum(d[i - 1, j] + 1, d[i, j - 1] + 1), sub)
    return d[-1, -1], d


def levenshtein_rows(a, b):
    # one row at a time: substitutions and deletions vectorised, insertions by a running min
    prev = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (a[i - 1] != b))
        for j in range(1, len(b) + 1):
            cur[j] = np.minimum(cur[j], cur[j - 1] + 1)
        prev = cur
    return prev[-1]


def osa_distance(a, b):
    # optimal string alignment: Damerau's transpositions through np.where
    m, n = len(a), len(b)
    d = np.zeros((m + 1, n + 1), dtype=np.int64)
    d[:, 0] = np.arange(m + 1)
    d[0] = np.arange(n + 1)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            cost = (a[i - 1] != b[j - 1]).astype(np.int64)
            best = min_of_three(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost)
            if i > 1 and j > 1:
                swap = (a[i - 1] == b[j - 2]) & (a[i - 2] == b[j - 1])
                best = np.where(swap, np.minimum(best, d[i - 2, j - 2] + 1), best)
            d[i, j] = best
    return d[m, n]


def min_of_three(x, y, z):
    return np.minimum(np.minimum(x, y), z)


def lcs_length(a, b):
    L = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int32)
    for i in range(len(a)):
        for j in range(len(b)):
            L[i + 1, j + 1] = np.where(a[i] == b[j], L[i, j] + 1,
                                       np.maximum(L[i, j + 1], L[i + 1, j]))
    return L[-1, -1], L[-1, -1] / max(len(a), len(b))


def char_ngram_jaccard(A, B, n_codes=27):
    # character bigram sets as presence vectors of bigram codes, Jaccard by boolean ops
    ca = A[:, :-1] * n_codes + A[:, 1:]
    cb = B[:, :-1] * n_codes + B[:, 1:]
    pa = np.zeros((A.shape[0], n_codes * n_codes), dtype=bool)
    pb = np.zeros((B.shape[0], n_codes * n_codes), dtype=bool)
    pa[np.arange(A.shape[0])[:, None], ca] = True
    pb[np.arange(B.shape[0])[:, None], cb] = True
    inter = (pa[:, None, :] & pb[None, :, :]).sum(-1)
    union = (pa[:, None, :] | pb[None, :, :]).sum(-1)
    return inter / union


def minhash_loop(M, a, b, p=2147483647):
    # CS246/MMDS: M is (shingles, docs) 0/1; h_i(r) = (a_i r + b_i) mod p; min over rows
    n_rows, n_docs = M.shape
    sig = np.full((len(a), n_docs), np.inf)
    for r in range(n_rows):
        h = (a * r + b) % p
        present = M[r] == 1
        sig = np.where(present[None, :], np.minimum(sig, h[:, None]), sig)
    return sig


def minhash_broadcast(shingles, a, b, prime=4294967311):
    # sets of shingle ids (docs, set size), all hashes at once, int64 arithmetic
    h = (a[:, None, None] * shingles[None, :, :] + b[:, None, None]) % prime
    return h.min(axis=2)


def minhash_datasketch_uint64(hv, a, b):
    # datasketch's MinHash.update: uint64 permutations mod the Mersenne prime, masked to 32 bits
    _mersenne_prime = np.uint64((1 << 61) - 1)
    _max_hash = np.uint64((1 << 32) - 1)
    hashvalues = np.full(len(a), _max_hash, dtype=np.uint64)
    for k in range(len(hv)):
        phv = np.bitwise_and((a * hv[k] + b) % _mersenne_prime, _max_hash)
        hashvalues = np.minimum(phv, hashvalues)
    return hashvalues


def minhash_jaccard_estimate(sig):
    # the fraction of agreeing rows for every pair of documents
    return (sig[:, :, None] == sig[:, None, :]).mean(axis=0)


def exact_jaccard_matrix(X):
    X = X.astype(np.int64)
    inter = X @ X.T
    sizes = X.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - inter
    return inter / np.maximum(union, 1)


def lsh_banding(sig, bands=4):
    # sig (num_perm, docs); rows per band = num_perm // bands; candidates share any band
    num_perm, n_docs = sig.shape
    r = num_perm // bands
    coeff = np.arange(1, r + 1, dtype=np.int64) * 1000003
    cand = np.zeros((n_docs, n_docs), dtype=bool)
    for band in range(bands):
        block = sig[band * r:(band + 1) * r]
        bucket = (block * coeff[:, None]).sum(axis=0) % 1000000007
        cand |= bucket[:, None] == bucket[None, :]
    np.fill_diagonal(cand, False)
    return cand, np.triu(cand).sum()


def simhash_hyperplanes(X, planes):
    # random-projection LSH: sign bits into an integer code, Hamming by XOR popcount
    bits = (X @ planes > 0).astype(np.int64)
    codes = bits @ (1 << np.arange(planes.shape[1]))
    x = codes[:, None] ^ codes[None, :]
    dist = np.zeros_like(x)
    for k in range(planes.shape[1]):
        dist += (x >> k) & 1
    return codes, dist


def simhash_uint64(token_hashes, weights):
    # Charikar's simhash: weighted votes on each of the 64 bits of uint64 token hashes
    shifts = np.arange(64, dtype=np.uint64)
    bits = (token_hashes[:, :, None] >> shifts) & np.uint64(1)
    votes = np.where(bits == 1, weights[..., None], -weights[..., None]).sum(axis=1)
    fingerprint = ((votes > 0).astype(np.uint64) << shifts).sum(axis=1, dtype=np.uint64)
    return fingerprint


def fnv1a_32(byte_rows):
    # FNV-1a over each row of bytes, uint32 wraparound
    h = np.full(byte_rows.shape[0], 2166136261, dtype=np.uint32)
    for i in range(byte_rows.shape[1]):
        h ^= byte_rows[:, i].astype(np.uint32)
        h *= np.uint32(16777619)
    return h


def bloom_filter(insert_keys, query_keys, m=64, k=3):
    # Kirsch-Mitzenmacher double hashing: (h1 + i * h2) % m
    bits = np.zeros(m, dtype=bool)
    h1 = (insert_keys * 2654435761) % 4294967296
    h2 = (insert_keys * 40503 + 1) % 4294967296
    for i in range(k):
        bits[(h1 + i * h2) % m] = True
    q1 = (query_keys * 2654435761) % 4294967296
    q2 = (query_keys * 40503 + 1) % 4294967296
    idx = (q1[:, None] + np.arange(k)[None, :] * q2[:, None]) % m
    return bits[idx].all(axis=1), bits.mean()


def count_min_sketch(stream, queries, a, b, width=16, p=2 ** 31 - 1):
    depth = len(a)
    table = np.zeros((depth, width), dtype=np.int64)
    cols = ((a[:, None] * stream[None, :] + b[:, None]) % p) % width
    rows = np.broadcast_to(np.arange(depth)[:, None], cols.shape)
    np.add.at(table, (rows, cols), 1)
    qcols = ((a[:, None] * queries[None, :] + b[:, None]) % p) % width
    return table[np.arange(depth)[:, None], qcols].min(axis=0), table


def _hashes(s, k):
    r = np.random.default_rng(s)
    return r.integers(1, 2 ** 31 - 1, k), r.integers(0, 2 ** 31 - 1, k)


def _u64(s, *shape):
    return np.random.default_rng(s).integers(0, 2 ** 63, shape, dtype=np.uint64) * np.uint64(2)


STRINGS = {
    "levenshtein_np_min_list": (levenshtein_np_min, {}, lambda s, n: (
        _i(4, n, seed=s), _i(4, n + 1, seed=s + 1))),
    "levenshtein_np_where_table": (levenshtein_where, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, 5, seed=s + 1))),
    "levenshtein_rows_running_min": (levenshtein_rows, {}, lambda s, n: (
        _i(4, n + 1, seed=s), _i(4, n, seed=s + 1))),
    "osa_transpositions_where": (osa_distance, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "lcs_length_int32": (lcs_length, {}, lambda s, n: (
        _i(4, n + 1, seed=s), _i(4, n, seed=s + 1))),
    "char_ngram_jaccard_presence": (char_ngram_jaccard, {}, lambda s, n: (
        _i(27, 3, n, seed=s), _i(27, 2, n, seed=s + 1))),
    "minhash_mmds_row_loop": (minhash_loop, {}, lambda s, n: (
        (_u(s, 3 * n, 5) < 0.4).astype(int), *_hashes(s, 6))),
    "minhash_broadcast_int64": (minhash_broadcast, {}, lambda s, n: (
        _i(10 ** 6, n, 7, seed=s), *_hashes(s, 8))),
    "minhash_datasketch_uint64": (minhash_datasketch_uint64, {}, lambda s, n: (
        _u64(s, n) // np.uint64(2 ** 32), _u64(s + 1, 8) % np.uint64((1 << 61) - 1),
        _u64(s + 2, 8) % np.uint64((1 << 61) - 1))),
    "minhash_jaccard_estimate": (minhash_jaccard_estimate, {}, lambda s, n: (
        minhash_loop((_u(s, 12, n) < 0.5).astype(int), *_hashes(s, 10)),)),
    "exact_jaccard_matmul": (exact_jaccard_matrix, {}, lambda s, n: (
        _u(s, n, 12) < 0.4,)),
    "lsh_banding_candidates": (lsh_banding, {}, lambda s, n: (
        _i(5, 8, n, seed=s),)),
    "simhash_hyperplanes_popcount": (simhash_hyperplanes, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(5, 6, seed=s + 1))),
    "simhash_uint64_bit_votes": (simhash_uint64, {}, lambda s, n: (
        _u64(s, n, 5), _u(s, n, 5))),
    "fnv1a_uint32_wraparound": (fnv1a_32, {}, lambda s, n: (
        _i(256, n, 6, seed=s).astype(np.uint8),)),
    "bloom_filter_double_hashing": (bloom_filter, {}, lambda s, n: (
        _i(10 ** 6, 3 * n, seed=s), np.r_[_i(10 ** 6, 3, seed=s), _i(10 ** 6, n, seed=9)])),
    "count_min_sketch_add_at": (count_min_sketch, {}, lambda s, n: (
        _i(50, 8 * n, seed=s), np.arange(5), *_hashes(s, 4))),
}


@pytest.mark.parametrize("name", _names(STRINGS))
def test_strings_and_hashing_match_numpy(name):
    """Levenshtein, OSA and LCS by DP loops, character n-gram Jaccard, Hamming distances,
    MinHash by loops, broadcasting and datasketch's uint64 permutations, LSH banding and
    S-curves, SimHash, FNV-1a, Bloom filters and count-min sketches."""
    check_like_numpy(*STRINGS[name])


# ============================================================================ recommenders


def mean_centre_nanmean(R):
    # ratings with NaN for missing: user means by np.nanmean, centred, NaN to zero
    user_mean = np.nanmean(R, axis=1, keepdims=True)
    Rc = np.nan_to_num(R - user_mean)
    item_mean = np.nanmean(R, axis=0)
    return Rc, user_mean.ravel(), item_mean


def mean_centre_mask(R):
    # zeros are missing: means over rated entries only
    mask = R > 0
    mu = R.sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    Rc = np.where(mask, R - mu[:, None], 0.0)
    return Rc, mu


def mean_centre_masked_array(R):
    # np.ma: zeros masked, row means, filled back
    Rm = np.ma.masked_equal(R, 0)
    mu = Rm.mean(axis=1)
    return (Rm - mu[:, None]).filled(0), mu.filled(0)


def user_cosine_knn_predict(R, k=2):
    # user-user cosine on centred ratings, prediction from the k most similar raters
    mask = R > 0
    mu = R.sum(1) / mask.sum(1)
    Rc = np.where(mask, R - mu[:, None], 0)
    norms = np.linalg.norm(Rc, axis=1)
    S = Rc @ Rc.T / (np.outer(norms, norms) + 1e-9)
    np.fill_diagonal(S, 0)
    nbrs = np.argsort(-S, axis=1)[:, :k]
    s = np.take_along_axis(S, nbrs, axis=1)
    num = (s[:, :, None] * Rc[nbrs]).sum(axis=1)
    den = (np.abs(s)[:, :, None] * mask[nbrs]).sum(axis=1)
    return mu[:, None] + np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def item_pearson_corrcoef(R):
    # item-item Pearson on a dense matrix by np.corrcoef of the columns
    C = np.corrcoef(R.T)
    return np.nan_to_num(C)


def pearson_corated_loop(R):
    # Pearson over co-rated items for every user pair, by double loop and masks
    n = R.shape[0]
    mask = R > 0
    S = np.zeros((n, n))
    for u in range(n):
        for v in range(n):
            common = mask[u] & mask[v]
            cnt = common.sum()
            mu_u = np.sum(R[u] * common) / np.maximum(cnt, 1)
            mu_v = np.sum(R[v] * common) / np.maximum(cnt, 1)
            du = (R[u] - mu_u) * common
            dv = (R[v] - mu_v) * common
            den = np.sqrt(np.sum(du ** 2) * np.sum(dv ** 2))
            S[u, v] = np.where(den > 0, np.sum(du * dv) / np.where(den > 0, den, 1), 0.0)
    return S


def item_knn_argpartition(R, users, items, k=2):
    # item-based prediction for (user, item) pairs from the k most similar items the user rated
    mask = R > 0
    norms = np.sqrt((R ** 2).sum(0))
    S = (R.T @ R) / np.outer(norms, norms)
    sims = np.where(mask[users], S[items], -np.inf)
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    s = np.take_along_axis(sims, top, axis=1)
    r = R[users[:, None], top]
    s = np.where(np.isfinite(s), s, 0)
    return (s * r).sum(1) / np.maximum(np.abs(s).sum(1), 1e-9)


def slope_one(R):
    # weighted slope one: deviations over users who rated both items
    mask = (R > 0).astype(float)
    m = R.shape[1]
    dev = np.zeros((m, m))
    cnt = mask.T @ mask
    for i in range(m):
        for j in range(m):
            both = mask[:, i] * mask[:, j]
            dev[i, j] = np.sum((R[:, i] - R[:, j]) * both) / max(cnt[i, j], 1)
    pred = ((dev[None, :, :] + R[:, None, :]) * (cnt[None] * mask[:, None, :])).sum(-1)
    w = (cnt[None] * mask[:, None, :]).sum(-1)
    return np.where(w > 0, pred / np.maximum(w, 1), 0), dev


def popularity_topn(users, items, seen, n_items, N=3):
    # the most popular items each user has not seen
    pop = np.bincount(items, minlength=n_items).astype(float)
    pop += np.arange(n_items) * 1e-6
    scores = np.where(seen, -np.inf, pop[None, :])
    return np.argsort(scores, axis=1)[:, ::-1][:, :N]


def damped_baselines(users, items, ratings, n_users, n_items, beta=5.0):
    mu = ratings.mean()
    b_i = np.bincount(items, weights=ratings - mu, minlength=n_items) / (
        np.bincount(items, minlength=n_items) + beta)
    resid = ratings - mu - b_i[items]
    b_u = np.bincount(users, weights=resid, minlength=n_users) / (
        np.bincount(users, minlength=n_users) + beta)
    return mu, b_u, b_i, mu + b_u[users] + b_i[items]


def alternating_biases(users, items, ratings, n_users, n_items, reg=2.0, iters=5):
    mu = np.mean(ratings)
    bu = np.zeros(n_users)
    bi = np.zeros(n_items)
    nu = np.zeros(n_users)
    ni = np.zeros(n_items)
    np.add.at(nu, users, 1)
    np.add.at(ni, items, 1)
    for _ in range(iters):
        s = np.zeros(n_items)
        np.add.at(s, items, ratings - mu - bu[users])
        bi = s / (reg + ni)
        s = np.zeros(n_users)
        np.add.at(s, users, ratings - mu - bi[items])
        bu = s / (reg + nu)
    return bu, bi


def mf_sgd(users, items, ratings, P, Q, lr=0.01, reg=0.02, epochs=3):
    # Funk SVD by SGD over the rating triples, P and Q updated in place
    for epoch in range(epochs):
        for idx in range(len(ratings)):
            u, i, r = users[idx], items[idx], ratings[idx]
            err = r - np.dot(P[u], Q[i])
            pu = P[u].copy()
            P[u] += lr * (err * Q[i] - reg * P[u])
            Q[i] += lr * (err * pu - reg * Q[i])
    pred = np.sum(P[users] * Q[items], axis=1)
    return np.sqrt(np.mean((ratings - pred) ** 2))


def mf_sgd_biases_dict(train, rng, n_users=10, n_items=10, k=3, lr=0.02, reg=0.05, epochs=2):
    # Surprise-style SVD with biases, parameters initialised from the generator, a dict back
    P = rng.normal(0, 0.1, (n_users, k))
    Q = rng.normal(0, 0.1, (n_items, k))
    bu, bi = np.zeros(n_users), np.zeros(n_items)
    mu = train[:, 2].mean()
    for _ in range(epochs):
        for row in train:
            u, i, r = int(row[0]), int(row[1]), row[2]
            e = r - (mu + bu[u] + bi[i] + P[u] @ Q[i])
            bu[u] += lr * (e - reg * bu[u])
            bi[i] += lr * (e - reg * bi[i])
            P[u], Q[i] = P[u] + lr * (e * Q[i] - reg * P[u]), Q[i] + lr * (e * P[u] - reg * Q[i])
    return {"P": P, "Q": Q, "bu": bu, "bi": bi, "mu": mu}


def mf_shuffled_epochs(users, items, ratings, P, Q, rng, lr=0.02, reg=0.05, epochs=2):
    # each epoch visits the triples in an order from rng.permutation
    n = len(ratings)
    losses = []
    for _ in range(epochs):
        for idx in rng.permutation(n):
            u, i = users[idx], items[idx]
            e = ratings[idx] - P[u] @ Q[i]
            P[u], Q[i] = P[u] + lr * (e * Q[i] - reg * P[u]), Q[i] + lr * (e * P[u] - reg * Q[i])
        losses.append(np.mean((ratings - np.einsum("ij,ij->i", P[users], Q[items])) ** 2))
    return P, Q, np.array(losses)


def mf_full_batch_gd(R, P, Q, lr=0.01, reg=0.1, steps=20):
    mask = R > 0
    for _ in range(steps):
        E = mask * (R - P @ Q.T)
        gP = -E @ Q + reg * P
        gQ = -E.T @ P + reg * Q
        P = P - lr * gP
        Q = Q - lr * gQ
    loss = np.sum((mask * (R - P @ Q.T)) ** 2) + reg * (np.sum(P ** 2) + np.sum(Q ** 2))
    return P, Q, loss


def als_explicit_loop(R, P, Q, reg=0.1, iters=3):
    # ALS: per user and per item a ridge solve over the observed entries
    mask = (R > 0).astype(float)
    k = P.shape[1]
    for _ in range(iters):
        for u in range(R.shape[0]):
            Wu = np.diag(mask[u])
            P[u] = np.linalg.solve(Q.T @ Wu @ Q + reg * np.eye(k), Q.T @ Wu @ R[u])
        for i in range(R.shape[1]):
            Wi = np.diag(mask[:, i])
            Q[i] = np.linalg.solve(P.T @ Wi @ P + reg * np.eye(k), P.T @ Wi @ R[:, i])
    return P @ Q.T


def als_batched_einsum(R, Q, reg=0.1):
    # every user's normal equations at once, a batched np.linalg.solve
    mask = (R > 0).astype(float)
    k = Q.shape[1]
    A = np.einsum("ui,ik,il->ukl", mask, Q, Q) + reg * np.eye(k)
    b = np.einsum("ui,ui,ik->uk", mask, R, Q)
    return np.linalg.solve(A, b[..., None])[..., 0]


def implicit_als_hu_koren(Cui, Y, reg=0.1, alpha=10.0):
    # Hu, Koren, Volinsky: confidence 1 + alpha r, preference r > 0, the YtY trick
    n_users = Cui.shape[0]
    k = Y.shape[1]
    YtY = Y.T @ Y
    X = np.zeros((n_users, k))
    for u in range(n_users):
        conf = 1 + alpha * Cui[u]
        pref = (Cui[u] > 0).astype(float)
        A = YtY + Y.T @ np.diag(conf - 1) @ Y + reg * np.eye(k)
        b = Y.T @ (conf * pref)
        X[u] = scipy.linalg.solve(A, b, assume_a="pos")
    return X


def implicit_als_cholesky(Cui, Y, reg=0.1, alpha=5.0):
    # the same with scipy.linalg.cho_factor / cho_solve
    k = Y.shape[1]
    YtY = Y.T @ Y + reg * np.eye(k)
    X = np.empty((Cui.shape[0], k))
    for u in range(Cui.shape[0]):
        c = alpha * Cui[u]
        A = YtY + (Y * c[:, None]).T @ Y
        b = ((1 + c) * (Cui[u] > 0)) @ Y
        X[u] = scipy.linalg.cho_solve(scipy.linalg.cho_factor(A), b)
    return X


def implicit_als_cg(Cui, X, Y, reg=0.1, alpha=5.0, cg_steps=3):
    # the implicit library's conjugate-gradient user update, a fixed number of CG steps
    YtY = Y.T @ Y + reg * np.eye(Y.shape[1])
    for u in range(Cui.shape[0]):
        c = 1 + alpha * Cui[u]
        x = X[u]
        r = -YtY @ x
        pos = Cui[u] > 0
        r = r + ((c - (c - 1) * (Y @ x)) * pos) @ Y
        p = r.copy()
        rsold = r @ r
        for _ in range(cg_steps):
            Ap = YtY @ p + ((c - 1) * (Y @ p) * pos) @ Y
            a = rsold / (p @ Ap)
            x = x + a * p
            r = r - a * Ap
            rsnew = r @ r
            p = r + rsnew / rsold * p
            rsold = rsnew
        X[u] = x
    return X


def bpr_step(U, V, users, pos, neg, lr=0.05, reg=0.01):
    # BPR-MF: a batch of (u, i, j) triples, scatter-adds of the gradients
    x_uij = np.sum(U[users] * (V[pos] - V[neg]), axis=1)
    g = 1 / (1 + np.exp(x_uij))
    du = g[:, None] * (V[pos] - V[neg]) - reg * U[users]
    dvi = g[:, None] * U[users] - reg * V[pos]
    dvj = -g[:, None] * U[users] - reg * V[neg]
    np.add.at(U, users, lr * du)
    np.add.at(V, pos, lr * dvi)
    np.add.at(V, neg, lr * dvj)
    return np.mean(np.log(1 + np.exp(-x_uij)))


def ease(X, lam=10.0):
    # EASE (Steck 2019), as in the paper's code
    G = X.T @ X
    diagIndices = np.diag_indices(G.shape[0])
    G[diagIndices] += lam
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[diagIndices] = 0
    return X @ B


def svd_recommender(R, k=2):
    # fill missing with user means, truncated SVD, reconstruct, clip to the rating scale
    mask = R > 0
    mu = np.sum(R, axis=1) / np.sum(mask, axis=1)
    filled = np.where(mask, R, mu[:, None])
    U, s, Vt = np.linalg.svd(filled - mu[:, None], full_matrices=False)
    approx = U[:, :k] @ np.diag(s[:k]) @ Vt[:k] + mu[:, None]
    return np.clip(approx, 1, 5)


def topn_seen_masked(scores, R, N=3):
    scores = scores.copy()
    scores[R > 0] = -np.inf
    top = np.argsort(-scores, axis=1)[:, :N]
    return top, np.take_along_axis(scores, top, axis=1)


def rmse_mae_masked(R_true, R_pred):
    mask = ~np.isnan(R_true)
    err = np.where(mask, R_true - R_pred, 0)
    n = mask.sum()
    return np.sqrt(np.sum(err ** 2) / n), np.sum(np.abs(err)) / n


def negative_sampling_choice(users, rng, n_items=100, n_neg=4):
    # uniform negatives by rng.integers and popularity negatives by rng.choice(p=)
    uni = rng.integers(0, n_items, size=(len(users), n_neg))
    p = np.arange(1, n_items + 1, dtype=float) ** -0.8
    pop = rng.choice(n_items, size=(len(users), n_neg), p=p / p.sum())
    return uni, pop


def _als_init(s, n, m=7, k=2):
    return _ratings(s, n, m), _f(n, k, seed=s + 3) * 0.3, _f(m, k, seed=s + 4) * 0.3


def _implicit(s, n, m=7):
    return _i(4, n, m, seed=s) * (_u(s + 1, n, m) < 0.5)


RECSYS = {
    "mean_centre_nanmean_keepdims": (mean_centre_nanmean, {}, lambda s, n: (
        _ratings_nan(s, n),)),
    "mean_centre_rating_mask": (mean_centre_mask, {}, lambda s, n: (_ratings(s, n),)),
    "mean_centre_np_ma_masked_equal": (mean_centre_masked_array, {}, lambda s, n: (
        _ratings(s, n),)),
    "user_cosine_knn_predict": (user_cosine_knn_predict, {}, lambda s, n: (
        _ratings(s, n) + 0.01 * _u(s, n, 7) * (_ratings(s, n) > 0),)),
    "item_pearson_np_corrcoef": (item_pearson_corrcoef, {}, lambda s, n: (
        _ratings(s, n + 2),)),
    "pearson_corated_double_loop": (pearson_corated_loop, {}, lambda s, n: (
        _ratings(s, n),)),
    "item_knn_argpartition_pairs": (item_knn_argpartition, {}, lambda s, n: (
        _ratings(s, n) + 0.01 * _u(s, n, 7) * (_ratings(s, n) > 0), _i(n, 5, seed=s),
        _i(7, 5, seed=s + 1))),
    "slope_one_deviation_loops": (slope_one, {}, lambda s, n: (_ratings(s, n, 5),)),
    "popularity_topn_unseen": (popularity_topn, {"n_items": 8}, lambda s, n: (
        _i(n, 6 * n, seed=s), _i(8, 6 * n, seed=s + 1), _u(s, n, 8) < 0.3)),
    "damped_mean_baselines_bincount": (damped_baselines, {"n_users": 5, "n_items": 6},
                                       lambda s, n: _triples(s, n, 5, 6)),
    "alternating_biases_add_at": (alternating_biases, {"n_users": 5, "n_items": 6},
                                  lambda s, n: _triples(s, n, 5, 6)),
    "mf_sgd_triples_in_place": (mf_sgd, {}, lambda s, n: (
        *_triples(s, n, 5, 6), _f(5, 3, seed=s) * 0.1, _f(6, 3, seed=s + 1) * 0.1)),
    "mf_sgd_biases_rng_dict": (mf_sgd_biases_dict, {"n_users": 4, "n_items": 5},
                               lambda s, n: (np.column_stack(_triples(s, n, 4, 5)).astype(float),
                                             np.random.default_rng(s))),
    "mf_rng_permutation_epochs": (mf_shuffled_epochs, {}, lambda s, n: (
        *_triples(s, n, 5, 6), _f(5, 2, seed=s) * 0.1, _f(6, 2, seed=s + 1) * 0.1,
        np.random.default_rng(s))),
    "mf_full_batch_gradient": (mf_full_batch_gd, {}, lambda s, n: _als_init(s, n)),
    "als_explicit_diag_solve_loops": (als_explicit_loop, {}, lambda s, n: _als_init(s, n)),
    "als_batched_einsum_solve": (als_batched_einsum, {}, lambda s, n: _als_init(s, n)[::2]),
    "implicit_als_scipy_solve_pos": (implicit_als_hu_koren, {}, lambda s, n: (
        _implicit(s, n), _f(7, 3, seed=s) * 0.3)),
    "implicit_als_cho_factor": (implicit_als_cholesky, {}, lambda s, n: (
        _implicit(s, n), _f(7, 3, seed=s) * 0.3)),
    "implicit_als_conjugate_gradient": (implicit_als_cg, {}, lambda s, n: (
        _implicit(s, n), _f(n, 3, seed=s + 1) * 0.1, _f(7, 3, seed=s) * 0.3)),
    "bpr_batch_add_at": (bpr_step, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.1, _f(8, 3, seed=s + 1) * 0.1, _i(5, 2 * n, seed=s),
        _i(8, 2 * n, seed=s + 1), _i(8, 2 * n, seed=s + 2))),
    "ease_diag_indices": (ease, {}, lambda s, n: ((_u(s, 3 * n, 6) < 0.4).astype(float),)),
    "svd_recommender_clip": (svd_recommender, {}, lambda s, n: (_ratings(s, n),)),
    "topn_seen_masked_inf": (topn_seen_masked, {}, lambda s, n: (
        _f(n, 7, seed=s), _ratings(s, n))),
    "rmse_mae_nan_mask": (rmse_mae_masked, {}, lambda s, n: (
        _ratings_nan(s, n), _f(n, 7, seed=s) + 3)),
    "negatives_integers_choice_p": (negative_sampling_choice, {"n_items": 9}, lambda s, n: (
        _i(5, n, seed=s), np.random.default_rng(s))),
}


@pytest.mark.parametrize("name", _names(RECSYS))
def test_recommenders_match_numpy(name):
    """Mean centring by nanmean, masks and np.ma, user and item kNN with cosine and Pearson
    similarities, slope one, popularity and bias baselines, MF by SGD, full-batch gradients
    and ALS (explicit, batched, implicit by scipy.linalg and CG), BPR, EASE, SVD, top-N,
    Jaccard items, masked errors and negative sampling from a generator."""
    check_like_numpy(*RECSYS[name])


# ============================================================================ dtypes and idioms


def duplicate_fancy_update(W_in, centers, grad, lr=0.1):
    # W[idx] -= ... with repeated ids: NumPy's buffered write keeps one update per id
    W_in[centers] -= lr * grad
    return W_in


def token_counts_fancy_increment(tokens, V):
    # the classic slip: counts[tokens] += 1 counts a repeated id once
    counts = np.zeros(V, dtype=np.int64)
    counts[tokens] += 1
    return counts, np.bincount(tokens, minlength=V)


def binary_cooccurrence_bool_matmul(X):
    # a boolean doc-term matrix: X.T @ X stays boolean in NumPy, the cast gives counts
    return X.T @ X, X.astype(int).T @ X.astype(int)


def minhash_minimum_at(doc_ids, shingles, a, b, n_docs, p=2147483647):
    # vectorised MinHash over (doc, shingle) pairs by np.minimum.at
    sig = np.full((len(a), n_docs), np.iinfo(np.int64).max)
    h = (a[:, None] * shingles[None, :] + b[:, None]) % p
    rows = np.repeat(np.arange(len(a)), len(shingles))
    np.minimum.at(sig, (rows, np.tile(doc_ids, len(a))), h.ravel())
    return sig


def murmur_fmix64(keys, seed=0x9747B28C):
    # MurmurHash3's 64-bit finaliser over uint64 keys, Python int constants (NEP 50)
    k = keys ^ np.uint64(seed)
    k ^= k >> 33
    k *= 0xFF51AFD7ED558CCD
    k ^= k >> 33
    k *= 0xC4CEB9FE1A85EC53
    k ^= k >> 33
    return k, (k % np.uint64(1024)).astype(np.int64)


def fnv1a_64(byte_rows):
    h = np.full(byte_rows.shape[0], 0xCBF29CE484222325, dtype=np.uint64)
    for i in range(byte_rows.shape[1]):
        h ^= byte_rows[:, i].astype(np.uint64)
        h *= np.uint64(0x100000001B3)
    return h


def simhash_bitwise_count(fingerprints):
    # Hamming distances of 64-bit fingerprints by np.bitwise_count of the XOR
    x = fingerprints[:, None] ^ fingerprints[None, :]
    return np.bitwise_count(x).astype(np.int64)


def token_frequency_unique_inverse(tokens):
    # each token's corpus frequency, by np.unique's inverse and counts
    _, inv, cnt = np.unique(tokens, return_inverse=True, return_counts=True)
    return cnt[inv] / len(tokens), cnt.max()


def bigram_frequency_unique_rows(tokens):
    # each bigram's frequency, by np.unique over rows of (w_i, w_{i+1})
    bigrams = np.stack([tokens[:-1], tokens[1:]], axis=1)
    _, inv, cnt = np.unique(bigrams, axis=0, return_inverse=True, return_counts=True)
    return cnt[inv]


def apply_along_axis_bincount(docs, V):
    return np.apply_along_axis(lambda row: np.bincount(row, minlength=V), 1, docs)


def unigram_table_searchsorted(counts, u):
    # word2vec's unigram table as an inverse CDF, sampled by given uniforms
    cdf = np.cumsum(counts ** 0.75)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, u)


def lexsort_tie_break(scores, item_ids, k=4):
    # rank by score descending, ties by item id
    order = np.lexsort((item_ids, -scores))
    return order[:k], np.argsort(-scores, kind="stable")[:k]


def half_star_rounding(pred):
    # predictions clipped and rounded to half stars (round half to even)
    return np.round(np.clip(pred, 0.5, 5.0) * 2) / 2, np.rint(pred).astype(int)


def rotate_complex_scores(h_re, h_im, phase, t_re, t_im):
    # RotatE and ComplEx scores from real and imaginary halves
    h = h_re + 1j * h_im
    r = np.exp(1j * phase)
    t = t_re + 1j * t_im
    rotate = -np.abs(h * r - t).sum(axis=-1)
    complex_ = np.real(np.sum(h * r * np.conj(t), axis=-1))
    return rotate, complex_, np.vdot(h[0], t[0])


def js_divergence_rel_entr(P, Q):
    # topic distributions: Jensen-Shannon by scipy.special.rel_entr, KL by kl_div
    M = 0.5 * (P + Q)
    js = 0.5 * scipy.special.rel_entr(P, M).sum(-1) + 0.5 * scipy.special.rel_entr(Q, M).sum(-1)
    return js, scipy.special.kl_div(P, M).sum(axis=-1)


def intra_list_diversity(E, recs):
    # 1 - mean pairwise cosine of each user's recommended items, by np.triu_indices
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    i, j = np.triu_indices(recs.shape[1], k=1)
    sims = np.einsum("uid,ujd->uij", En[recs], En[recs])
    return 1 - sims[:, i, j].mean(axis=1)


def _probs(s, n, k=6):
    p = _u(s, n, k) + 0.05 * (np.arange(k) == 0)
    p[:, 1] = 0
    return p / p.sum(1, keepdims=True)


IDIOMS = {
    "duplicate_ids_fancy_subtract": (duplicate_fancy_update, {}, lambda s, n: (
        _f(6, 3, seed=s), np.r_[0, 1, 0, _i(6, n - 3, seed=s)], _f(n, 3, seed=s + 1))),
    "counts_fancy_increment_vs_bincount": (token_counts_fancy_increment, {"V": 8},
                                           lambda s, n: (_i(8, 3 * n, seed=s),)),
    "bool_matmul_stays_bool": (binary_cooccurrence_bool_matmul, {}, lambda s, n: (
        _u(s, n, 5) < 0.4,)),
    "minhash_minimum_at": (minhash_minimum_at, {"n_docs": 4}, lambda s, n: (
        _i(4, 3 * n, seed=s), _i(10 ** 5, 3 * n, seed=s + 1), *_hashes(s, 5))),
    "murmur_fmix64_python_int_constants": (murmur_fmix64, {}, lambda s, n: (
        _u64(s, 2 * n),)),
    "fnv1a_64_uint64_offset": (fnv1a_64, {}, lambda s, n: (
        _i(256, n, 5, seed=s).astype(np.uint8),)),
    "simhash_bitwise_count": (simhash_bitwise_count, {}, lambda s, n: (_u64(s, n),)),
    "token_frequency_unique_inverse": (token_frequency_unique_inverse, {}, lambda s, n: (
        _i(6, 3 * n, seed=s),)),
    "bigram_frequency_unique_rows": (bigram_frequency_unique_rows, {}, lambda s, n: (
        _i(3, 3 * n, seed=s),)),
    "apply_along_axis_bincount": (apply_along_axis_bincount, {"V": 7}, lambda s, n: (
        _i(7, n, 9, seed=s),)),
    "unigram_table_searchsorted": (unigram_table_searchsorted, {}, lambda s, n: (
        _i(50, 2 * n, seed=s) + 1.0, _u(s + 1, 10))),
    "lexsort_tie_break": (lexsort_tie_break, {}, lambda s, n: (
        np.round(_u(s, 2 * n), 1), np.arange(2 * n)[::-1].copy())),
    "half_star_rounding": (half_star_rounding, {}, lambda s, n: (
        np.r_[0.25, 0.75, 1.25, 2.5, 3.5, _u(s, n) * 6],)),
    "rotate_complex_scores": (rotate_complex_scores, {}, lambda s, n: tuple(
        _f(n, 4, seed=s + k) for k in range(5))),
    "js_divergence_rel_entr_zeros": (js_divergence_rel_entr, {}, lambda s, n: (
        _probs(s, n), _probs(s + 1, n)[:, ::-1].copy())),
    "intra_list_diversity_triu": (intra_list_diversity, {}, lambda s, n: (
        _f(9, 4, seed=s), _i(9, n, 4, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(IDIOMS))
def test_dtypes_and_idioms_match_numpy(name):
    """Repeated ids in fancy updates, boolean matrix products, np.minimum.at MinHash, uint64
    hashes with Python int constants, bitwise_count, np.unique's inverse, apply_along_axis,
    searchsorted sampling tables, lexsort, rounding half to even, complex KG scores,
    rel_entr/kl_div and diversity by triu_indices."""
    check_like_numpy(*IDIOMS[name])


# -------------------------------------------------------------- Python scalars that steer


def topk_positional(Q, D, k):
    return topk_argpartition_batch(Q, D, k)


def cooccurrence_window_positional(tokens, V, window):
    return cooccurrence_add_at_offsets(tokens, V, window)


def mf_epochs_positional(users, items, ratings, P, Q, epochs):
    return mf_sgd(users, items, ratings, P, Q, 0.01, 0.02, epochs)


def minhash_num_perm_seed(M, num_perm, seed):
    # the hash coefficients from a generator seeded inside, num_perm of them
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2 ** 31 - 1, num_perm)
    b = rng.integers(0, 2 ** 31 - 1, num_perm)
    return minhash_loop(M, a, b)


def hashing_n_features(tokens, n_features):
    return hashing_vectorizer_signed(tokens, n_features)


def ndcg_cutoff(scores, labels, k):
    return ndcg_exp_gain_batch(scores, labels, k)


def lsh_bands_rows(sig, bands):
    return lsh_banding(sig, bands)


def sgns_seeded_inside(W_in, W_out, centers, contexts, counts, k, seed):
    rng = np.random.default_rng(seed)
    return sgns_negatives_from_rng(W_in, W_out, centers, contexts, counts, rng, k)


STEERED = {
    "topk_k": (topk_positional, lambda s: (_f(3, 5, seed=s), _f(8, 5, seed=s + 1), s + 1)),
    "cooccurrence_window": (cooccurrence_window_positional, lambda s: (
        _i(6, 20, seed=s), 6, s + 1)),
    "mf_sgd_epochs": (mf_epochs_positional, lambda s: (
        *_triples(s, 4, 5, 6, k=8), _f(5, 3, seed=s) * 0.1, _f(6, 3, seed=s + 1) * 0.1, s)),
    "minhash_num_perm_and_seed": (minhash_num_perm_seed, lambda s: (
        (_u(s, 10, 4) < 0.4).astype(int), 4 * s, 100 + s)),
    "hashing_n_features": (hashing_n_features, lambda s: (_i(5000, 3, 7, seed=s), 8 * s)),
    "ndcg_k": (ndcg_cutoff, lambda s: (_f(3, 6, seed=s), _i(4, 3, 6, seed=s + 1), 2 * s)),
    "lsh_bands": (lsh_bands_rows, lambda s: (_i(4, 12, 5, seed=s), 2 * s)),
    "sgns_negatives_k_and_seed": (sgns_seeded_inside, lambda s: (
        _f(8, 4, seed=s) * 0.1, _f(8, 4, seed=s + 1) * 0.1, _i(8, 5, seed=s),
        _i(8, 5, seed=s + 1), _i(30, 8, seed=s) + 1.0, s + 1, 7 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Top-k cut-offs, window sizes, epoch counts, hash counts with a seed, feature counts,
    NDCG cut-offs, LSH band counts and negative counts with a seed, given positionally: made
    static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def build_vocab_unique(tokens):
    # the vocabulary and the ids of the corpus
    vocab, ids = np.unique(tokens, return_inverse=True)
    return vocab, ids


def counts_unique_inverse_bincount(tokens):
    _, inv = np.unique(tokens, return_inverse=True)
    return np.bincount(inv)


def word_to_id_dict(tokens):
    w2i = {w: i for i, w in enumerate(np.unique(tokens))}
    return np.array([w2i[t] for t in tokens])


def term_counts_no_minlength(doc):
    return np.bincount(doc)


def levenshtein_python_if(a, b):
    # the textbook DP: a Python if on the characters, Python min of three
    m, n = len(a), len(b)
    d = np.zeros((m + 1, n + 1), dtype=int)
    d[:, 0] = np.arange(m + 1)
    d[0, :] = np.arange(n + 1)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            if a[i - 1] == b[j - 1]:
                cost = 0
            else:
                cost = 1
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost)
    return d[m, n]


def levenshtein_python_min(a, b):
    m, n = len(a), len(b)
    d = np.zeros((m + 1, n + 1))
    d[:, 0] = np.arange(m + 1)
    d[0, :] = np.arange(n + 1)
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1,
                          d[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return d[m, n]


def retrieve_above_threshold(q, D, threshold=0.2):
    scores = D @ q / (np.linalg.norm(D, axis=1) * np.linalg.norm(q))
    hits = np.where(scores > threshold)[0]
    return hits, scores[hits]


def r_precision_int_slice(ranked_rel, qrels):
    # precision at R, R the number of judged-relevant documents, by an int slice
    R = int(qrels.sum())
    return ranked_rel[:R].mean()


def precision_python_sets(ranked, relevant, k=5):
    return len(set(ranked[:k]) & set(relevant)) / k


def ndcg_python_sorted(r):
    return ndcg_at_k(r, 5)


def mf_sgd_early_stopping(R, P, Q, lr=0.01, reg=0.05, tol=1e-3):
    mask = R > 0
    prev = np.inf
    for epoch in range(100):
        E = mask * (R - P @ Q.T)
        P, Q = P + lr * (E @ Q - reg * P), Q + lr * (E.T @ P - reg * Q)
        loss = np.sum(E ** 2)
        if prev - loss < tol:
            break
        prev = loss
    return P, Q


def rated_items(R, u):
    return np.nonzero(R[u])[0]


def user_knn_loop_over_rated(R, S, u):
    pred = np.zeros(R.shape[1])
    for i in np.where(R[u] == 0)[0]:
        raters = R[:, i] > 0
        pred[i] = S[u, raters] @ R[raters, i] / np.abs(S[u, raters]).sum()
    return pred


def negatives_rejection(pos, n_items, rng, n_neg=3):
    negs = []
    while len(negs) < n_neg:
        j = rng.integers(n_items)
        if j not in pos:
            negs.append(j)
    return np.array(negs)


def decode_until_eos(P, start, eos=0, max_len=20):
    seq = [start]
    while seq[-1] != eos and len(seq) < max_len:
        seq.append(np.argmax(P[seq[-1]]))
    return np.array(seq)


def glove_adagrad_python_if(W, Wc, rows, cols, xs, lr=0.05, x_max=10.0, alpha=0.75):
    # GloVe's weighting with a conditional expression on the count
    cost = 0.0
    for k in range(len(rows)):
        i, j, x = rows[k], cols[k], xs[k]
        weight = (x / x_max) ** alpha if x < x_max else 1.0
        inner = W[i] @ Wc[j] - np.log(x)
        cost += 0.5 * weight * inner ** 2
        W[i] -= lr * weight * inner * Wc[j]
    return cost


def negatives_without_replacement(pos_items, rng, n_items=9, n_neg=3):
    # per user, negatives drawn without replacement from the unseen items (as probabilities)
    out = np.zeros((len(pos_items), n_neg), dtype=np.int64)
    for u in range(len(pos_items)):
        p = np.ones(n_items)
        p[pos_items[u]] = 0
        out[u] = rng.choice(n_items, size=n_neg, replace=False, p=p / p.sum())
    return out


def simhash_popcount_view(fingerprints):
    # popcount of uint64 fingerprints through their bytes
    x = fingerprints[:, None] ^ fingerprints[None, :]
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(-1)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    "vocab_np_unique_inverse": (_DataDependent, build_vocab_unique, lambda s: (
        _i(20, 15, seed=s),)),
    "counts_unique_inverse_bincount": (_DataDependent, counts_unique_inverse_bincount,
                                       lambda s: (_i(20, 15, seed=s),)),
    "word_to_id_dict_over_unique": (_DataDependent, word_to_id_dict, lambda s: (
        _i(20, 15, seed=s),)),
    "term_counts_bincount_no_minlength": (_DataDependent, term_counts_no_minlength,
                                          lambda s: (_i(20, 15, seed=s),)),
    "levenshtein_python_if_and_min": (_Concretization, levenshtein_python_if, lambda s: (
        _i(3, 4, seed=s), _i(3, 5, seed=s + 1))),
    "retrieve_above_threshold": (_DataDependent, retrieve_above_threshold, lambda s: (
        _f(4, seed=s), _f(8, 4, seed=s + 1))),
    "precision_python_sets": (_Concretization, precision_python_sets, lambda s: (
        np.random.default_rng(s).permutation(10), np.array([1, 3, 5]))),
    "ndcg_python_sorted_gist": (_Concretization, ndcg_python_sorted, lambda s: (
        _i(4, 8, seed=s) + (np.arange(8) == 0),)),
    "mf_early_stopping_break": (_Concretization, mf_sgd_early_stopping, lambda s: (
        *_als_init(s, 4),)),
    "rated_items_nonzero": (_DataDependent, rated_items, lambda s: (_ratings(s, 4), 1)),
    "user_knn_loop_over_unrated": (_DataDependent, user_knn_loop_over_rated, lambda s: (
        _ratings(s, 4), _u(s, 4, 4), 0)),
    "negatives_rejection_while": (_Concretization, negatives_rejection, lambda s: (
        np.array([1, 2, 3]), 10, np.random.default_rng(s))),
    "decode_until_eos": (_Concretization, decode_until_eos, lambda s: (
        _u(s, 6, 6), 2)),
    "glove_weight_python_if": (_Concretization, glove_adagrad_python_if, lambda s: (
        _f(5, 3, seed=s) * 0.1, _f(5, 3, seed=s + 1) * 0.1, _i(5, 4, seed=s),
        _i(5, 4, seed=s + 1), _i(20, 4, seed=s + 2) + 1.0)),
    "choice_no_replace_traced_p": (_Unsupported, negatives_without_replacement, lambda s: (
        _i(9, 3, 2, seed=s), np.random.default_rng(s))),
    "simhash_view_uint8_popcount": (_Unsupported, simhash_popcount_view, lambda s: (
        _u64(s, 4),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """A vocabulary by np.unique, bincount without minlength, Levenshtein with Python if and
    min, documents above a threshold, Python sets and sorted, tolerance
    breaks, np.nonzero of rated items, rejection sampling, decoding until EOS, GloVe's
    conditional weight, choice without replacement with traced p and uint64 views as bytes:
    the named error, NumPy's values under
    fallback=True."""
    check_refused(*REFUSED[name])


IDIOMS.update({
    "r_precision_int_of_traced_sum_slice": (r_precision_int_slice, {}, lambda s, n: (
        (_u(s, 2 * n) < 0.5).astype(float), (_u(s + 1, 3 * n) < 0.3).astype(int))),
    "levenshtein_python_min_float_table": (levenshtein_python_min, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, 5, seed=s + 1))),
})


@pytest.mark.parametrize("name", ["r_precision_int_of_traced_sum_slice",
                                  "levenshtein_python_min_float_table"])
def test_python_min_and_int_slice_match_numpy(name):
    """A slice at `int()` of a traced count reduced by `.mean()` (R-precision), and Python's
    min of three traced table entries (Levenshtein): NumPy's values."""
    check_like_numpy(*IDIOMS[name])
