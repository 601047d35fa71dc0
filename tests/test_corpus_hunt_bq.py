"""Corpus, hunt BQ: single-cell and omics analysis without scanpy, as course notebooks, methods
papers' companion code and small GitHub tools write it in NumPy and SciPy.

Normalisation (normalize_total to a target sum and to the median library size in place, CPM
and edgeR's prior-count log-CPM in the genes-by-samples layout, TPM and RPKM with gene lengths,
TPM from FPKM in log space, log1p into a float32 `out=`, DESeq2's median of ratios by a masked
row selection and by `nanmedian`, upper-quartile, Lause's analytic Pearson residuals, CLR for
ADT counts, arcsinh for CyTOF, quantile normalisation by double argsort and by
`put_along_axis`, an AnnData-like dict of layers written in place, binomial downsampling and
multinomial rarefaction from Generators, scaling clipped at 10, the shifted log); variable
genes (Seurat's mean/dispersion z-scores in `np.digitize` bins by `bincount` and by a loop of
masks, cell ranger's percentile bins with `nanmedian` and MAD, the v3 flavour with `polyfit`,
Fano factors by `divide(where=)`, Brennecke's CV2 fit by `lstsq`, M3Drop's dropout curve, top
genes by `argpartition` in float32); PCA and embeddings (SVD with scikit-learn's `svd_flip`,
`eigh` of the covariance and of the Gram matrix, Halko's randomized PCA, projecting new cells,
diffusion maps with the alpha normalisation, DPT by `matrix_power`, Laplacian eigenmaps,
classical MDS, t-SNE's x2p with a fixed bisection by `np.where` and one gradient step by
`einsum`, UMAP's smooth kNN distances and fuzzy union, Fruchterman-Reingold steps); neighbour
graphs (kNN by `argpartition` and `take_along_axis`, int8 adjacencies from `cdist`, SNN
Jaccard and rank weights, adaptive Gaussian kernels, MAGIC, clamped label propagation, kNN label
transfer by `np.add.at`, MNN pairs, modularity by one-hot products and by a double loop,
silhouettes, csgraph components, a local-moving sweep); differential expression (Welch t by
weights and by `scipy.stats.ttest_ind`, log fold changes with pseudocounts, BH by
`np.minimum.accumulate` three ways, Holm, Wilcoxon rank sums by `rankdata` with tie terms,
`mannwhitneyu`, `ranksums`, AUROC by ranks, dot-plot fractions, pseudobulks by `np.add.at` and
one-hot products, volcano classes by `np.select`, hypergeometric enrichment, Haldane log odds,
Poisson and binomial deviances); batch correction (per-batch centring by `bincount` weights and
`np.add.at`, scaling per batch in place, a ComBat-like empirical Bayes loop, `regress_out` by
`lstsq` and normal equations, a Harmony-like soft clustering with ridge corrections, MNN
correction vectors, batch-mixing entropy); cell cycle and doublets (Tirosh scores from
module-level gene-name indices with phases as strings by `np.where` and by a label table,
AddModuleScore controls from a seeded Generator, simulated doublets and a Scrublet-like score,
Otsu's threshold, SoupX-like ambient removal); ATAC (Signac's and ArchR's TF-IDF, LSI dropping
the depth component, gene activity from peak overlaps, FRiP and TSS enrichment by
`np.histogram`, nucleosome signal, chromVAR deviations, GC bins by `searchsorted`, Cicero-like
co-accessibility); scipy.sparse counts (CSR `.multiply` and `.sum(axis=)` with `np.asarray`,
means and variances, `diags` normalisation, COO triplets, constant indicators, CSR arrays, and
the structure-reading forms: `indptr`, `getnnz`, `.max(axis=0)`, `.log1p()`, `.power()`,
comparisons); QC and diversity (calculate_qc_metrics into a dict with mitochondrial and
ribosomal masks from gene names, pct counts in top genes, scater's MAD outliers, Shannon,
Simpson, Chao1, Hurlbert rarefaction by `gammaln`, Bray-Curtis, Jaccard, PCoA, CLR and
Aitchison distances); and more (int32 and uint16 counts, module-mask and fancy in-place
writes, stable heatmap orders with `lexsort`, `spearmanr`, `pearsonr`, all `rankdata` methods,
`zscore`, `false_discovery_control`, `kruskal`, NB likelihoods by `gammaln` and `nbinom`,
splatter-like simulation, weighted subsampling by `choice`, label permutation tests, categorical
draws by `searchsorted`, `einsum(optimize=True)`, float32 `cov`/`eigh`, `aweights`, an ECDF
transform by `interp` and `norm.ppf`, NaN dropouts, centroid correlation distances, Fisher's
exact test, a hand-rolled CSR by `reduceat`, paired tests, `ks_2samp`, `logsumexp`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Numbers of neighbours, components, bins, iterations,
top genes and simulated doublets given as Python ints are made static; the forms whose Python
or shapes depend on array values (filtering cells and genes by QC thresholds, a `while` on a
perplexity tolerance, `if` on a p-value, clusters found by `np.unique`) raise a named error and
run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
import scipy.spatial.distance
import scipy.special
import scipy.stats
from test_corpus import _f, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _rng(seed):
    return np.random.default_rng(seed)


def _counts(seed, cells, genes, dtype=np.int64):
    # negative-binomial-like UMI counts: gamma-Poisson with per-gene means and per-cell depths,
    # every cell and gene with at least one count
    r = _rng(seed)
    mu = r.lognormal(0.5, 1.0, genes)
    depth = r.uniform(0.5, 2.0, cells)
    lam = r.gamma(2.0, 0.5, (cells, genes)) * mu * depth[:, None]
    x = r.poisson(lam)
    x[np.arange(cells), np.arange(cells) % genes] += 1
    x[np.arange(genes) % cells, np.arange(genes)] += 1
    return x.astype(dtype)


def _logn(seed, cells, genes):
    # log-normalised expression with continuous noise (no ties)
    x = _counts(seed, cells, genes).astype(float)
    x = np.log1p(x / x.sum(1, keepdims=True) * 1e4)
    return x + 0.01 * _rng(seed + 100).random((cells, genes))


def _bulk(seed, genes, samples):
    # bulk RNA-seq counts, genes by samples, a couple of genes with a zero somewhere
    r = _rng(seed)
    x = r.poisson(r.lognormal(4.0, 1.0, genes)[:, None] * r.uniform(0.5, 2, samples))
    x[1, 0] = 0
    x[genes - 2, samples - 1] = 0
    return x


def _pos(seed, *shape, lo=0.5, hi=2.0):
    return _rng(seed).uniform(lo, hi, shape)


def _labels(seed, n, k):
    # every label present, in a shuffled order
    return _rng(seed).permutation(np.arange(n) % k)


# ============================================================================ normalisation


def normalize_total(X, target_sum=1e4):
    counts = X.sum(axis=1, keepdims=True)
    return X / counts * target_sum


def normalize_total_median_inplace(X):
    # the notebook version: scale each cell to the median library size, in place
    counts_per_cell = X.sum(axis=1)
    X /= counts_per_cell[:, None]
    X *= np.median(counts_per_cell)
    return counts_per_cell


def cpm_genes_by_cells(counts):
    # bulk layout: genes are rows, samples columns
    lib_size = counts.sum(axis=0)
    return counts / lib_size * 1e6


def log_cpm_prior(counts, prior_count=2.0):
    # edgeR's cpm(log=TRUE): the prior scaled by library size, added before the log2
    lib = counts.sum(axis=0)
    prior = prior_count * lib / lib.mean()
    return np.log2((counts + prior) / (lib + 2 * prior) * 1e6)


def tpm(counts, gene_lengths):
    rate = counts / (gene_lengths[:, np.newaxis] / 1e3)
    return rate / rate.sum(axis=0) * 1e6


def rpkm(counts, gene_lengths):
    per_million = counts.sum(axis=0) / 1e6
    rpm = counts / per_million
    return rpm / (gene_lengths.reshape(-1, 1) / 1000)


def tpm_from_fpkm(fpkm):
    return np.exp(np.log(fpkm) - np.log(fpkm.sum(axis=0)) + np.log(1e6))


def log1p_float32_out(X):
    X = X.astype(np.float32)
    np.log1p(X, out=X)
    return X


def log2_norm_pseudocount(X, pseudo=1):
    lib = X.sum(1)
    return np.log2(X / lib[:, None] * lib.mean() + pseudo)


def median_of_ratios(counts):
    # DESeq2's size factors: genes with a zero in any sample drop out of the geometric means
    with np.errstate(divide="ignore"):
        log_counts = np.log(counts)
    loggeomeans = log_counts.mean(axis=1)
    finite = np.isfinite(loggeomeans)
    ratios = log_counts - loggeomeans[:, None]
    return np.exp(np.median(ratios[finite], axis=0))


def median_of_ratios_where(counts):
    # the same with the zero genes masked by np.where and nanmedian
    log_counts = np.log(np.where(counts > 0, counts, np.nan))
    loggeomeans = np.mean(log_counts, axis=1)
    ratios = log_counts - loggeomeans[:, np.newaxis]
    return np.exp(np.nanmedian(ratios, axis=0))


def upper_quartile_norm(counts):
    uq = np.percentile(counts, 75, axis=0)
    return counts / uq * np.mean(uq)


def pearson_residuals(X, theta=100.0):
    # Lause, Berens & Kobak's analytic residuals, clipped at sqrt(n_cells)
    n = X.shape[0]
    sums_cells = X.sum(axis=1, keepdims=True)
    sums_genes = X.sum(axis=0, keepdims=True)
    mu = sums_cells @ sums_genes / X.sum()
    z = (X - mu) / np.sqrt(mu + mu ** 2 / theta)
    return np.clip(z, -np.sqrt(n), np.sqrt(n))


def clr_adt(X):
    # Seurat's CLR across features for CITE-seq antibody counts
    return np.log1p(X / np.exp(np.sum(np.log1p(X[X > 0])) / X.shape[1]))


def clr_per_cell(X):
    logx = np.log1p(X)
    return logx - logx.mean(axis=1, keepdims=True)


def arcsinh_cytof(X, cofactor=5):
    return np.arcsinh(X / cofactor)


def quantile_normalize(X):
    # bulk arrays: every sample gets the mean sorted profile
    ranks = np.argsort(np.argsort(X, axis=0), axis=0)
    mean_sorted = np.sort(X, axis=0).mean(axis=1)
    return mean_sorted[ranks]


def quantile_normalize_take(X):
    order = np.argsort(X, axis=0)
    ref = np.mean(np.take_along_axis(X, order, axis=0), axis=1)
    out = np.empty_like(X)
    np.put_along_axis(out, order, ref[:, None], axis=0)
    return out


def layers_dict_inplace(adata):
    # an AnnData-like dict of layers, filled the way the tutorials fill adata.layers
    adata["layers"]["counts"] = adata["X"].copy()
    lib = adata["X"].sum(1)
    adata["obs"]["total_counts"] = lib
    adata["X"] = np.log1p(adata["X"] / lib[:, None] * 1e4)
    adata["layers"]["lognorm"] = adata["X"]
    return adata["X"].mean(0)


def downsample_binomial(X, target, rng):
    # thin every cell to about `target` counts (the scanpy-less downsample_counts)
    lib = X.sum(1)
    p = np.minimum(target / lib, 1.0)
    return rng.binomial(X, p[:, None])


def rarefy_multinomial(X, rng, depth=10):
    # microbiome rarefaction: one multinomial draw per sample
    out = np.zeros_like(X)
    for i in range(X.shape[0]):
        p = X[i] / X[i].sum()
        out[i] = rng.multinomial(depth, p)
    return out


def rarefy_multinomial_2d(X, depth, seed=0):
    rng = np.random.default_rng(seed)
    return rng.multinomial(depth, X / X.sum(1, keepdims=True))


def scale_clip(X, max_value=10):
    mean = X.mean(axis=0)
    std = X.std(axis=0, ddof=1)
    std[std == 0] = 1
    Z = (X - mean) / std
    return np.clip(Z, -max_value, max_value)


def scale_clip_inplace_float32(X, max_value=10.0):
    X -= X.mean(0)
    X /= X.std(0)
    np.clip(X, None, max_value, out=X)
    return X.dtype


def scale_zero_center_false(X, max_value=10):
    # scale without centring: divide by the std only, clip the top
    sd = np.sqrt(np.var(X, axis=0, ddof=1))
    sd = np.where(sd == 0, 1.0, sd)
    Z = X / sd
    Z[Z > max_value] = max_value
    return Z


def sqrt_vst(X):
    # the Anscombe-like square-root transform of the Poisson counts
    return 2 * np.sqrt(X + 3 / 8)


def shifted_log_size_factors(X, pseudo=1.0):
    # Ahlmann-Eltze & Huber's shifted log with size factors L / mean(L)
    sf = X.sum(1) / X.sum(1).mean()
    return np.log(X / sf[:, None] + pseudo)


NORM = {
    "normalize_total_1e4": (normalize_total, {}, lambda s, n: (_counts(s, 3 * n, 8),)),
    "normalize_total_float32": (normalize_total, {}, lambda s, n: (
        _counts(s, 3 * n, 8).astype(np.float32), 1e4)),
    "normalize_median_inplace": (normalize_total_median_inplace, {}, lambda s, n: (
        _counts(s, 3 * n, 8, np.float64),)),
    "cpm_genes_by_cells": (cpm_genes_by_cells, {}, lambda s, n: (_counts(s, 9, n),)),
    "log_cpm_prior_count": (log_cpm_prior, {}, lambda s, n: (_counts(s, 9, n),)),
    "tpm_gene_lengths": (tpm, {}, lambda s, n: (
        _counts(s, 10, n), _rng(s).integers(500, 5000, 10))),
    "rpkm_gene_lengths": (rpkm, {}, lambda s, n: (
        _counts(s, 10, n), _rng(s).uniform(500, 5000, 10))),
    "tpm_from_fpkm_logspace": (tpm_from_fpkm, {}, lambda s, n: (_pos(s, 10, n),)),
    "log1p_float32_out": (log1p_float32_out, {}, lambda s, n: (_counts(s, 2 * n, 7),)),
    "log2_pseudocount": (log2_norm_pseudocount, {}, lambda s, n: (_counts(s, 2 * n, 7),)),
    "deseq_median_of_ratios": (median_of_ratios, {}, lambda s, n: (_bulk(s, 12, n),)),
    "deseq_median_of_ratios_where": (median_of_ratios_where, {}, lambda s, n: (
        _bulk(s, 12, n),)),
    "upper_quartile": (upper_quartile_norm, {}, lambda s, n: (
        _counts(s, 12, n).astype(float),)),
    "pearson_residuals_clip": (pearson_residuals, {}, lambda s, n: (
        _counts(s, 3 * n, 9).astype(float),)),
    "clr_adt_masked_sum": (clr_adt, {}, lambda s, n: (_counts(s, 2 * n, 5),)),
    "clr_per_cell": (clr_per_cell, {}, lambda s, n: (_counts(s, 2 * n, 5),)),
    "arcsinh_cytof_float32": (arcsinh_cytof, {}, lambda s, n: (
        (_pos(s, 3 * n, 6) * 50).astype(np.float32),)),
    "quantile_normalize_argsort": (quantile_normalize, {}, lambda s, n: (_f(10, n, seed=s),)),
    "quantile_normalize_put_along": (quantile_normalize_take, {}, lambda s, n: (
        _f(10, n, seed=s),)),
    "layers_dict_in_place": (layers_dict_inplace, {}, lambda s, n: (
        {"X": _counts(s, 2 * n, 6), "layers": {}, "obs": {}},)),
    "downsample_binomial": (downsample_binomial, {}, lambda s, n: (
        _counts(s, 2 * n, 6), 5.0, _rng(s))),
    "rarefy_multinomial_loop": (rarefy_multinomial, {"depth": 20}, lambda s, n: (
        _counts(s, n, 6), _rng(s))),
    "rarefy_multinomial_2d_pvals": (rarefy_multinomial_2d, {"depth": 30, "seed": 7},
                                    lambda s, n: (_counts(s, n, 6),)),
    "scale_clip_10": (scale_clip, {}, lambda s, n: (_logn(s, 3 * n, 8) * 40,)),
    "scale_clip_inplace_float32": (scale_clip_inplace_float32, {}, lambda s, n: (
        (_logn(s, 3 * n, 8) * 30).astype(np.float32), 1.5)),
    "scale_zero_center_false": (scale_zero_center_false, {}, lambda s, n: (
        _logn(s, 3 * n, 8) * 5,)),
    "sqrt_vst": (sqrt_vst, {}, lambda s, n: (_counts(s, 2 * n, 6),)),
    "shifted_log_size_factors": (shifted_log_size_factors, {}, lambda s, n: (
        _counts(s, 2 * n, 6),)),
}


@pytest.mark.parametrize("name", _names(NORM))
def test_normalisation_matches_numpy(name):
    check_like_numpy(*NORM[name])


# ============================================================================ variable genes

N_BINS = 5


def hvg_seurat_bincount(X, n_bins=N_BINS, n_top=4):
    # Seurat's mean/dispersion flavour on expm1 of log data, bins by np.digitize and
    # per-bin z-scores of the log dispersion by bincount
    Xe = np.expm1(X)
    mean = Xe.mean(axis=0)
    var = Xe.var(axis=0, ddof=1)
    dispersion = np.log(var / mean)
    mean = np.log1p(mean)
    edges = np.linspace(mean.min(), mean.max(), n_bins + 1)
    bins = np.digitize(mean, edges[1:-1])
    cnt = np.bincount(bins, minlength=n_bins)
    s1 = np.bincount(bins, weights=dispersion, minlength=n_bins)
    s2 = np.bincount(bins, weights=dispersion ** 2, minlength=n_bins)
    mu = s1 / np.maximum(cnt, 1)
    sd = np.sqrt(np.maximum(s2 / np.maximum(cnt, 1) - mu ** 2, 0))
    sd = np.where(sd > 0, sd, 1.0)
    z = (dispersion - mu[bins]) / sd[bins]
    top = np.argsort(-z)[:n_top]
    mask = np.zeros(X.shape[1], dtype=bool)
    mask[top] = True
    return z, mask


def hvg_seurat_loop_bins(X, n_bins=N_BINS):
    # the same z-scores with a Python loop over bins and masks
    mean = X.mean(0)
    var = X.var(0, ddof=1)
    disp = var / mean
    edges = np.linspace(mean.min(), mean.max() + 1e-9, n_bins + 1)
    idx = np.digitize(mean, edges) - 1
    z = np.zeros_like(disp)
    for b in range(n_bins):
        m = idx == b
        k = m.sum()
        mu = np.where(k > 0, np.sum(np.where(m, disp, 0)) / np.maximum(k, 1), 0.0)
        sq = np.sum(np.where(m, (disp - mu) ** 2, 0)) / np.maximum(k - 1, 1)
        sd = np.sqrt(sq)
        z = np.where(m, (disp - mu) / np.where(sd > 0, sd, 1.0), z)
    return z


def hvg_cell_ranger(X, n_top=3):
    # cell ranger's flavour: bins by percentiles of the mean, normalised by the bin's median
    # and MAD, through nanmedian over a masked matrix
    mean = X.mean(0)
    var = X.var(0, ddof=1)
    disp = np.log(var / mean)
    edges = np.r_[-np.inf, np.percentile(mean, np.arange(25, 100, 25)), np.inf]
    bins = np.digitize(mean, edges) - 1
    onehot = bins[None, :] == np.arange(len(edges) - 1)[:, None]
    vals = np.where(onehot, disp[None, :], np.nan)
    med = np.nanmedian(vals, axis=1)
    mad = np.nanmedian(np.abs(vals - med[:, None]), axis=1)
    norm = (disp - med[bins]) / np.where(mad[bins] > 0, mad[bins], 1.0)
    return norm, np.argsort(norm)[::-1][:n_top]


def hvg_seurat_v3(counts, n_top=4):
    # the v3 flavour with a quadratic np.polyfit in place of loess: standardised variance
    # with values clipped at sqrt(n_cells)
    n = counts.shape[0]
    mean = counts.mean(0)
    var = counts.var(0, ddof=1)
    coef = np.polyfit(np.log10(mean), np.log10(var), 2)
    expected_sd = np.sqrt(10 ** np.polyval(coef, np.log10(mean)))
    z = (counts - mean) / expected_sd
    z = np.minimum(z, np.sqrt(n))
    norm_var = (z ** 2).sum(0) / (n - 1) - ((z.sum(0)) ** 2) / (n * (n - 1))
    rank = np.argsort(norm_var)[::-1]
    return norm_var, rank[:n_top]


def fano_factor(counts):
    m = counts.mean(axis=0)
    return np.divide(counts.var(axis=0), m, out=np.zeros_like(m), where=m > 0)


def brennecke_cv2(counts, min_mean=0.5):
    # Brennecke et al.: CV^2 = a0 + a1 / mean fitted by least squares on genes above min_mean
    m = counts.mean(0)
    cv2 = counts.var(0, ddof=1) / m ** 2
    w = (m > min_mean).astype(float)
    A = np.column_stack([np.ones_like(m), 1.0 / m]) * w[:, None]
    coef, *_ = np.linalg.lstsq(A, cv2 * w, rcond=None)
    fit = coef[0] + coef[1] / m
    return np.log2(cv2 / fit), coef


def gene_detection_mask(X, min_cells=3, min_counts=5):
    n_cells = np.count_nonzero(X, axis=0)
    return (n_cells >= min_cells) & (X.sum(0) >= min_counts), n_cells


def dropout_rate_vs_mean(X):
    # M3Drop's Michaelis-Menten curve: dropout against mean expression
    p0 = (X == 0).mean(axis=0)
    s = X.mean(axis=0)
    K = np.median(s * p0 / (1 - p0 + 1e-9))
    return p0, 1 - s / (K + s)


def hvg_top_by_variance_float32(X, n_top=3):
    v = X.var(axis=0)
    idx = np.argpartition(v, -n_top)[-n_top:]
    idx = idx[np.argsort(v[idx])[::-1]]
    return X[:, idx], idx


HVG = {
    "seurat_digitize_bincount": (hvg_seurat_bincount, {}, lambda s, n: (
        _logn(s, 3 * n, 14),)),
    "seurat_loop_over_bins": (hvg_seurat_loop_bins, {}, lambda s, n: (
        _logn(s, 3 * n, 14) + 0.1,)),
    "cell_ranger_nanmedian": (hvg_cell_ranger, {}, lambda s, n: (_logn(s, 3 * n, 12) + 0.1,)),
    "seurat_v3_polyfit": (hvg_seurat_v3, {}, lambda s, n: (
        _counts(s, 4 * n, 10).astype(float),)),
    "fano_where_out": (fano_factor, {}, lambda s, n: (
        np.c_[_counts(s, 3 * n, 6).astype(float), np.zeros(3 * n)],)),
    "brennecke_cv2_lstsq": (brennecke_cv2, {}, lambda s, n: (
        _counts(s, 4 * n, 10).astype(float),)),
    "gene_detection_mask": (gene_detection_mask, {}, lambda s, n: (_counts(s, 2 * n, 9),)),
    "m3drop_dropout": (dropout_rate_vs_mean, {}, lambda s, n: (
        _counts(s, 3 * n, 8).astype(float),)),
    "top_variance_argpartition_f32": (hvg_top_by_variance_float32, {}, lambda s, n: (
        _logn(s, 3 * n, 8).astype(np.float32),)),
}


@pytest.mark.parametrize("name", _names(HVG))
def test_variable_genes_match_numpy(name):
    check_like_numpy(*HVG[name])


# ============================================================================ PCA and embeddings


def svd_flip(u, v):
    # scikit-learn's deterministic signs: the largest |u| of each column made positive
    max_abs_rows = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[max_abs_rows, range(u.shape[1])])
    u *= signs
    v *= signs[:, np.newaxis]
    return u, v


def pca_svd_flip(X, n_comps=3):
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    U, Vt = svd_flip(U, Vt)
    scores = U[:, :n_comps] * S[:n_comps]
    var = S ** 2 / (X.shape[0] - 1)
    return scores, Vt[:n_comps], var[:n_comps] / var.sum()


def pca_eigh_cov(X, n_comps=3):
    Xc = X - X.mean(0)
    C = np.cov(Xc, rowvar=False)
    evals, evecs = np.linalg.eigh(C)
    order = np.argsort(evals)[::-1][:n_comps]
    evals, evecs = evals[order], evecs[:, order]
    evecs = evecs * np.sign(evecs[0])
    return Xc @ evecs, evals


def pca_eigh_gram(X, n_comps=2):
    # more genes than cells: eigendecompose the cells' Gram matrix instead
    Xc = X - X.mean(axis=0, keepdims=True)
    G = Xc @ Xc.T
    w, V = np.linalg.eigh(G)
    w, V = w[::-1][:n_comps], V[:, ::-1][:, :n_comps]
    V = V * np.where(V.sum(0) < 0, -1.0, 1.0)
    return V * np.sqrt(w), w / (X.shape[0] - 1)


def randomized_pca(X, n_comps=2, n_oversamples=4, n_iter=3, seed=0):
    # Halko et al. with power iterations and QR between them, seeded
    rng = np.random.default_rng(seed)
    Xc = X - X.mean(0)
    Omega = rng.standard_normal((X.shape[1], n_comps + n_oversamples))
    Q, _ = np.linalg.qr(Xc @ Omega)
    for _ in range(n_iter):
        Q, _ = np.linalg.qr(Xc.T @ Q)
        Q, _ = np.linalg.qr(Xc @ Q)
    B = Q.T @ Xc
    Ub, S, Vt = np.linalg.svd(B, full_matrices=False)
    U = Q @ Ub
    U, Vt = svd_flip(U[:, :n_comps], Vt[:n_comps])
    return np.abs(S[:n_comps]), np.abs(U[:, 0])


def pca_project_new_cells(X_ref, X_new, n_comps=2):
    mu = X_ref.mean(0)
    sd = X_ref.std(0)
    Z = (X_ref - mu) / sd
    _, _, Vt = np.linalg.svd(Z, full_matrices=False)
    load = Vt[:n_comps].T
    load *= np.sign(load.sum(axis=0))
    return ((X_new - mu) / sd) @ load


def elbow_variance_ratio(X):
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    ratio = s ** 2 / np.sum(s ** 2)
    return np.cumsum(ratio), np.diff(ratio)


def diffusion_map(X, eps=None, alpha=1.0, n_comps=2):
    # Coifman-Lafon with the alpha normalisation; eigenvectors of the symmetric conjugate
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    if eps is None:
        eps = np.median(D2)
    K = np.exp(-D2 / eps)
    q = K.sum(1)
    K = K / np.outer(q ** alpha, q ** alpha)
    d = K.sum(1)
    S = K / np.sqrt(np.outer(d, d))
    w, V = np.linalg.eigh(S)
    w, V = w[::-1], V[:, ::-1]
    psi = V / V[:, [0]]
    psi = psi * np.sign(psi[0])
    return w[1:n_comps + 1], psi[:, 1:n_comps + 1]


def diffusion_pseudotime(X, root=0, t=3):
    # DPT-like: distance in the t-step transition rows from a root cell
    D2 = np.sum((X[:, None] - X[None]) ** 2, axis=2)
    sigma2 = np.median(D2, axis=1)
    K = np.exp(-D2 / np.sqrt(sigma2[:, None] * sigma2[None, :]))
    T = K / K.sum(axis=1, keepdims=True)
    Tt = np.linalg.matrix_power(T, t)
    return np.linalg.norm(Tt - Tt[root], axis=1)


def laplacian_eigenmap(W, n_comps=2):
    d = W.sum(axis=1)
    L = np.eye(len(d)) - W / np.sqrt(d[:, None] * d[None, :])
    w, V = np.linalg.eigh(L)
    emb = V[:, 1:n_comps + 1] / np.sqrt(d)[:, None]
    return w[:n_comps + 1], emb * np.sign(emb[0])


def classical_mds(D, n_comps=2):
    n = D.shape[0]
    J = np.eye(n) - np.ones((n, n)) / n
    B = -0.5 * J @ (D ** 2) @ J
    w, V = np.linalg.eigh(B)
    idx = np.argsort(w)[::-1][:n_comps]
    Y = V[:, idx] * np.sqrt(w[idx])
    return np.abs(Y), w[idx]


def _hbeta(D, beta):
    P = np.exp(-D * beta[:, None])
    sumP = P.sum(1)
    H = np.log(sumP) + beta * (D * P).sum(1) / sumP
    return H, P / sumP[:, None]


def tsne_affinities(X, perplexity=3.0, n_steps=40):
    # van der Maaten's x2p with a fixed number of bisection steps on all rows at once
    n = X.shape[0]
    sum_X = np.sum(np.square(X), 1)
    D = np.add(np.add(-2 * np.dot(X, X.T), sum_X).T, sum_X)
    D = D[~np.eye(n, dtype=bool)].reshape(n, n - 1)
    logU = np.log(perplexity)
    beta = np.ones(n)
    betamin = np.full(n, -np.inf)
    betamax = np.full(n, np.inf)
    for _ in range(n_steps):
        H, thisP = _hbeta(D, beta)
        too_flat = H - logU > 0
        betamin = np.where(too_flat, beta, betamin)
        betamax = np.where(too_flat, betamax, beta)
        beta = np.where(too_flat,
                        np.where(np.isinf(betamax), beta * 2, (beta + betamax) / 2),
                        np.where(np.isinf(betamin), beta / 2, (beta + betamin) / 2))
    P = np.zeros((n, n))
    P[~np.eye(n, dtype=bool)] = thisP.ravel()
    P = (P + P.T) / (2 * n)
    return np.maximum(P, 1e-12), np.sqrt(1 / beta)


def tsne_gradient_step(Y, P, lr=100.0, momentum=0.5, update=None):
    # one gradient step of exact t-SNE, the student-t kernel by broadcasting and einsum
    n = Y.shape[0]
    num = 1.0 / (1.0 + np.sum((Y[:, None, :] - Y[None, :, :]) ** 2, axis=-1))
    num[range(n), range(n)] = 0.0
    Q = np.maximum(num / num.sum(), 1e-12)
    PQ = P - Q
    grad = 4 * np.einsum("ij,ij,ijk->ik", PQ, num, Y[:, None, :] - Y[None, :, :])
    if update is None:
        update = np.zeros_like(Y)
    update = momentum * update - lr * grad
    Y = Y + update
    Y = Y - Y.mean(0)
    kl = np.sum(P * np.log(P / Q))
    return Y, kl


def umap_sigmas(knn_dists, n_iter=32):
    # UMAP's smooth_knn_dist: rho the nearest distance, sigma bisected so the memberships sum
    # to log2(k), fixed bisection count, np.where for the branches
    k = knn_dists.shape[1]
    target = np.log2(k)
    rho = knn_dists[:, 0]
    lo = np.zeros(len(rho))
    hi = np.full(len(rho), np.inf)
    mid = np.ones(len(rho))
    for _ in range(n_iter):
        d = knn_dists[:, 1:] - rho[:, None]
        psum = np.sum(np.exp(-np.maximum(d, 0) / mid[:, None]), axis=1) + 1.0
        above = psum > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
        mid = np.where(above, (lo + hi) / 2, np.where(np.isinf(hi), mid * 2, (lo + hi) / 2))
    return rho, mid


def umap_fuzzy_union(knn_idx, knn_dists, rho, sigma):
    n = knn_idx.shape[0]
    W = np.zeros((n, n))
    vals = np.exp(-np.maximum(knn_dists - rho[:, None], 0) / sigma[:, None])
    rows = np.repeat(np.arange(n), knn_idx.shape[1])
    W[rows, knn_idx.ravel()] = vals.ravel()
    return W + W.T - W * W.T


def force_layout_step(pos, A, k=0.3, n_iter=5, step=0.05):
    # Fruchterman-Reingold steps on a kNN graph, the force-directed layouts of the tutorials
    for _ in range(n_iter):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        np.fill_diagonal(dist, 1.0)
        rep = (k * k / dist ** 2)[..., None] * delta
        att = -(A * dist / k)[..., None] * delta
        disp = (rep + att).sum(axis=1)
        length = np.linalg.norm(disp, axis=1, keepdims=True)
        pos = pos + disp / np.maximum(length, 1e-9) * np.minimum(length, step)
    return pos


def _points(seed, n, d=3):
    # well separated cells: jittered lattice
    r = _rng(seed)
    return np.arange(n)[:, None] * np.linspace(0.3, 1.0, d) + 0.2 * r.random((n, d)) \
        + r.standard_normal((n, d))


def _knn_of(X, k):
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    idx = np.argsort(D, axis=1)[:, :k]
    return idx, np.take_along_axis(D, idx, axis=1)


def _sym_weights(seed, n):
    W = _rng(seed).uniform(0.1, 1.0, (n, n))
    W = (W + W.T) / 2
    np.fill_diagonal(W, 0)
    return W


def _umap_args(s, n):
    X = _points(s, 2 * n)
    idx, d = _knn_of(X, 4)
    rho, sig = umap_sigmas(d)
    return idx, d, rho, sig


EMBED = {
    "pca_svd_flip": (pca_svd_flip, {}, lambda s, n: (_logn(s, 3 * n, 6),)),
    "pca_eigh_covariance": (pca_eigh_cov, {}, lambda s, n: (_logn(s, 3 * n, 6),)),
    "pca_eigh_gram_matrix": (pca_eigh_gram, {}, lambda s, n: (_logn(s, n, 12),)),
    "randomized_pca_power_iter": (randomized_pca, {"seed": 3}, lambda s, n: (
        _logn(s, 3 * n, 8),)),
    "pca_project_new_cells": (pca_project_new_cells, {}, lambda s, n: (
        _logn(s, 3 * n, 5), _logn(s + 9, n, 5))),
    "elbow_variance_ratio": (elbow_variance_ratio, {}, lambda s, n: (_logn(s, 3 * n, 5),)),
    "diffusion_map_alpha1": (diffusion_map, {}, lambda s, n: (_points(s, 2 * n),)),
    "diffusion_map_eps_float": (diffusion_map, {"n_comps": 3}, lambda s, n: (
        _points(s, 2 * n), 4.0, 0.5)),
    "diffusion_pseudotime": (diffusion_pseudotime, {"t": 3}, lambda s, n: (
        _points(s, 2 * n),)),
    "laplacian_eigenmap": (laplacian_eigenmap, {}, lambda s, n: (_sym_weights(s, 2 * n),)),
    "classical_mds": (classical_mds, {}, lambda s, n: (
        scipy.spatial.distance.squareform(scipy.spatial.distance.pdist(_points(s, 2 * n))),)),
    "tsne_x2p_bisection_where": (tsne_affinities, {"n_steps": 20}, lambda s, n: (
        _points(s, 2 * n),)),
    "tsne_gradient_einsum": (tsne_gradient_step, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), tsne_affinities(_points(s, 2 * n))[0])),
    "umap_smooth_knn_dist": (umap_sigmas, {}, lambda s, n: (
        _knn_of(_points(s, 2 * n), 5)[1],)),
    "umap_fuzzy_union": (umap_fuzzy_union, {}, _umap_args),
    "force_layout_steps": (force_layout_step, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), (_sym_weights(s, 2 * n) > 0.6).astype(float))),
}


@pytest.mark.parametrize("name", _names(EMBED))
def test_pca_and_embeddings_match_numpy(name):
    check_like_numpy(*EMBED[name])


# ============================================================================ neighbour graphs


def knn_argpartition(X, k=4):
    # the kNN of every cell in PCA space, self excluded, sorted by distance
    sq = np.sum(X ** 2, axis=1)
    D = sq[:, None] + sq[None, :] - 2 * X @ X.T
    np.fill_diagonal(D, np.inf)
    idx = np.argpartition(D, k, axis=1)[:, :k]
    d = np.take_along_axis(D, idx, axis=1)
    order = np.argsort(d, axis=1)
    return np.take_along_axis(idx, order, axis=1), np.sqrt(np.take_along_axis(d, order, 1))


def knn_adjacency_symmetric(X, k=3):
    n = X.shape[0]
    D = scipy.spatial.distance.cdist(X, X)
    D[np.diag_indices(n)] = np.inf
    nn = np.argsort(D, axis=1)[:, :k]
    A = np.zeros((n, n), dtype=np.int8)
    A[np.arange(n)[:, None], nn] = 1
    return np.maximum(A, A.T)


def snn_jaccard(X, k=4):
    # shared nearest neighbours (Seurat's SNN): Jaccard of the neighbourhoods, self included,
    # pruned below 1/15
    n = X.shape[0]
    D = scipy.spatial.distance.squareform(scipy.spatial.distance.pdist(X, "euclidean"))
    nn = np.argsort(D, axis=1)[:, :k]
    M = np.zeros((n, n))
    np.put_along_axis(M, nn, 1.0, axis=1)
    shared = M @ M.T
    J = shared / (2 * k - shared)
    J[J < 1 / 15] = 0
    return J


def snn_rank_weights(X, k=4):
    # the PhenoGraph-like weight: k minus the lowest rank sum of the shared neighbours
    n = X.shape[0]
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(2)
    nn = np.argsort(D, axis=1)[:, :k]
    rank = np.full((n, n), k + 1, dtype=np.int64)
    rows = np.repeat(np.arange(n), k)
    rank[rows, nn.ravel()] = np.tile(np.arange(k), n)
    best = (rank[:, None, :] + rank[None, :, :]).min(axis=2)
    return np.maximum(k - 0.5 * best, 0)


def adaptive_gaussian_kernel(X, k=3):
    # MAGIC/PhenoGraph-style adaptive bandwidth: sigma_i the k-th neighbour distance
    D = scipy.spatial.distance.cdist(X, X, "sqeuclidean")
    sigma = np.sqrt(np.partition(D, k, axis=1)[:, k])
    K = np.exp(-D / (sigma[:, None] * sigma[None, :]))
    K = (K + K.T) / 2
    return K / K.sum(axis=1, keepdims=True)


def magic_impute(X, t=3, k=3, decay=2):
    # MAGIC: alpha-decay kernel, row-stochastic diffusion operator to the power t applied to X
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    eps = np.sort(D, axis=1)[:, k]
    K = np.exp(-((D / eps[:, None]) ** decay))
    K = K + K.T
    P = K / K.sum(1)[:, np.newaxis]
    return np.linalg.matrix_power(P, t) @ X


def label_propagation(W, labels, n_labeled, n_classes=3, n_iter=10):
    # Zhu & Ghahramani: clamp the first n_labeled cells, propagate the rest
    T = W / W.sum(axis=0, keepdims=True)
    T = T / T.sum(axis=1, keepdims=True)
    Y0 = np.eye(n_classes)[labels]
    Y = Y0.copy()
    Y[n_labeled:] = 1.0 / n_classes
    for _ in range(n_iter):
        Y = T @ Y
        Y[:n_labeled] = Y0[:n_labeled]
    return Y.argmax(axis=1), Y


def knn_label_transfer(X_ref, y_ref, X_query, k=3, n_classes=3):
    D = scipy.spatial.distance.cdist(X_query, X_ref)
    nn = np.argsort(D, axis=1)[:, :k]
    w = 1.0 / (np.take_along_axis(D, nn, axis=1) + 1e-6)
    votes = np.zeros((X_query.shape[0], n_classes))
    for j in range(k):
        np.add.at(votes, (np.arange(X_query.shape[0]), y_ref[nn[:, j]]), w[:, j])
    return votes.argmax(1), votes.max(1) / votes.sum(1)


def mutual_nearest_neighbours(A, B, k=2):
    # Haghverdi's MNN pairs between two batches as a boolean matrix
    D = scipy.spatial.distance.cdist(A, B)
    nn_ab = np.argsort(D, axis=1)[:, :k]
    nn_ba = np.argsort(D, axis=0)[:k, :]
    ab = np.zeros(D.shape, dtype=bool)
    ba = np.zeros(D.shape, dtype=bool)
    ab[np.arange(len(A))[:, None], nn_ab] = True
    ba[nn_ba, np.arange(len(B))[None, :]] = True
    return ab & ba, (ab & ba).sum()


def modularity(A, labels, n_comm=3):
    # Newman's modularity of a clustering given as integer labels
    m2 = A.sum()
    k = A.sum(1)
    C = np.eye(n_comm)[labels]
    e = C.T @ A @ C / m2
    a = C.T @ k / m2
    return np.trace(e) - np.sum(a ** 2)


def modularity_delta_loop(A, labels):
    n = A.shape[0]
    k = A.sum(axis=1)
    m = A.sum() / 2
    Q = 0.0
    for i in range(n):
        for j in range(n):
            Q += (A[i, j] - k[i] * k[j] / (2 * m)) * (labels[i] == labels[j])
    return Q / (2 * m)


def silhouette(X, labels, n_clusters=3):
    D = scipy.spatial.distance.squareform(scipy.spatial.distance.pdist(X))
    onehot = labels[:, None] == np.arange(n_clusters)
    sums = D @ onehot
    sizes = onehot.sum(0)
    own = sizes[labels]
    a = sums[np.arange(len(X)), labels] / np.maximum(own - 1, 1)
    mean_other = np.where(onehot, np.inf, sums / sizes)
    b = mean_other.min(axis=1)
    s = (b - a) / np.maximum(a, b)
    return np.where(own > 1, s, 0).mean()


def connected_components_knn(X, k=2):
    import scipy.sparse.csgraph
    D = scipy.spatial.distance.cdist(X, X)
    nn = np.argsort(D, axis=1)[:, 1:k + 1]
    A = np.zeros_like(D)
    A[np.arange(len(X))[:, None], nn] = 1.0
    n_comp, lab = scipy.sparse.csgraph.connected_components(A, directed=False)
    return n_comp, lab


def leiden_like_local_move(A, labels, n_comm=3, n_sweeps=2):
    # a deterministic local-moving sweep: every node to the community with the best gain,
    # vectorised over candidate communities
    m2 = A.sum()
    k = A.sum(1)
    for _ in range(n_sweeps):
        for i in range(A.shape[0]):
            C = np.eye(n_comm)[labels]
            C[i] = 0
            k_in = A[i] @ C
            tot = k @ C
            gain = k_in - k[i] * tot / m2
            labels[i] = np.argmax(gain)
    return labels


def _clusters(seed, per, k=3, d=3):
    # k well separated blobs of `per` cells each
    r = _rng(seed)
    centres = 6.0 * np.eye(k, d)
    X = np.repeat(centres, per, axis=0) + r.standard_normal((k * per, d))
    return X, np.repeat(np.arange(k), per)


def _affinity(X):
    return np.exp(-scipy.spatial.distance.squareform(scipy.spatial.distance.pdist(X)) / 4)


GRAPH = {
    "knn_argpartition_sorted": (knn_argpartition, {}, lambda s, n: (_points(s, 2 * n),)),
    "knn_adjacency_int8_cdist": (knn_adjacency_symmetric, {}, lambda s, n: (
        _points(s, 2 * n),)),
    "snn_jaccard_pdist": (snn_jaccard, {}, lambda s, n: (_points(s, 2 * n),)),
    "snn_rank_weights": (snn_rank_weights, {}, lambda s, n: (_points(s, 2 * n),)),
    "adaptive_gaussian_kernel": (adaptive_gaussian_kernel, {}, lambda s, n: (
        _points(s, 2 * n),)),
    "magic_matrix_power": (magic_impute, {"t": 3}, lambda s, n: (_points(s, 2 * n),)),
    "label_propagation_clamped": (label_propagation, {"n_labeled": 3}, lambda s, n: (
        _sym_weights(s, 2 * n), _labels(s, 2 * n, 3))),
    "knn_label_transfer_add_at": (knn_label_transfer, {}, lambda s, n: (
        _points(s, 3 * n), _labels(s, 3 * n, 3), _points(s + 5, n))),
    "mutual_nearest_neighbours": (mutual_nearest_neighbours, {}, lambda s, n: (
        _points(s, 2 * n), _points(s + 7, n + 3) + 0.3)),
    "modularity_onehot": (modularity, {}, lambda s, n: (
        _sym_weights(s, 2 * n), _labels(s, 2 * n, 3))),
    "modularity_double_loop": (modularity_delta_loop, {}, lambda s, n: (
        _sym_weights(s, n + 1), _labels(s, n + 1, 2))),
    "silhouette_onehot": (silhouette, {}, lambda s, n: (
        *_clusters(s, n),)),
    "connected_components_host": (connected_components_knn, {}, lambda s, n: (
        _clusters(s, n)[0],)),
    "local_moving_sweeps": (leiden_like_local_move, {}, lambda s, n: (
        _affinity(_clusters(s, n)[0]), _labels(s, 3 * n, 3))),
}


@pytest.mark.parametrize("name", _names(GRAPH))
def test_neighbour_graphs_match_numpy(name):
    check_like_numpy(*GRAPH[name])


# ======================================================================== differential expression


def welch_t_by_hand(X, in_group):
    # per-gene Welch t-test of a cluster against the rest, p-values by scipy.stats.t
    a, b = X[in_group], X[~in_group]
    n1, n2 = a.shape[0], b.shape[0]
    m1, m2 = a.mean(0), b.mean(0)
    v1, v2 = a.var(0, ddof=1), b.var(0, ddof=1)
    se2 = v1 / n1 + v2 / n2
    t = (m1 - m2) / np.sqrt(se2)
    df = se2 ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    p = 2 * scipy.stats.t.sf(np.abs(t), df)
    return t, p


def welch_t_weights(X, labels, group=1):
    # the same with group statistics by weights, no selection
    w = (labels == group).astype(X.dtype)
    n1, n2 = w.sum(), (1 - w).sum()
    m1 = w @ X / n1
    m2 = (1 - w) @ X / n2
    v1 = w @ (X - m1) ** 2 / (n1 - 1)
    v2 = (1 - w) @ (X - m2) ** 2 / (n2 - 1)
    t = (m1 - m2) / np.sqrt(v1 / n1 + v2 / n2)
    dof = (v1 / n1 + v2 / n2) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    return t, scipy.stats.t.sf(np.abs(t), dof) * 2


def ttest_ind_scipy(X, n_first):
    res = scipy.stats.ttest_ind(X[:n_first], X[n_first:], axis=0, equal_var=False)
    return res.statistic, res.pvalue


def ttest_student_scipy(X, n_first):
    t, p = scipy.stats.ttest_ind(X[:n_first], X[n_first:])
    return t, p


def log_fold_change(X, labels, group=0, pseudocount=1e-9):
    # scanpy's logfoldchanges on log1p data: expm1 of the means, log2 of the ratio
    inside = labels == group
    mean_in = np.expm1(X[inside]).mean(0)
    mean_out = np.expm1(X[~inside]).mean(0)
    return np.log2((mean_in + pseudocount) / (mean_out + pseudocount))


def log_fold_change_counts(counts, g1, g2, pseudo=1.0):
    cpm = counts / counts.sum(0) * 1e6
    return np.log2(cpm[:, g1].mean(1) + pseudo) - np.log2(cpm[:, g2].mean(1) + pseudo)


def benjamini_hochberg(p):
    # statsmodels' fdr_bh: sort, scale by m/rank, cumulative minimum from the top, unsort
    p = np.asarray(p)
    m = p.size
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.minimum(q, 1.0)
    out = np.empty_like(q)
    out[order] = q
    return out


def benjamini_hochberg_descending(pvals):
    # the R p.adjust port: decreasing order, cummin, back by the inverse permutation
    n = len(pvals)
    o = np.argsort(pvals)[::-1]
    ro = np.argsort(o)
    i = np.arange(n, 0, -1)
    return np.minimum(1, np.minimum.accumulate(n / i * pvals[o]))[ro]


def benjamini_yekutieli(p):
    m = len(p)
    cm = np.sum(1.0 / np.arange(1, m + 1))
    order = p.argsort()
    q = np.minimum.accumulate((p[order] * m * cm / np.arange(1, m + 1))[::-1])[::-1]
    q = np.clip(q, 0, 1)
    res = np.zeros(m)
    res[order] = q
    return res


def holm_bonferroni(p):
    m = len(p)
    order = np.argsort(p)
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1)
    return out, np.minimum(p * m, 1.0)


def wilcoxon_rank_sum(X, n1, tie_correct=True):
    # scanpy-less Wilcoxon: ranks over all cells per gene, U, normal approximation
    n = X.shape[0]
    n2 = n - n1
    ranks = scipy.stats.rankdata(X, axis=0)
    R1 = ranks[:n1].sum(axis=0)
    U = R1 - n1 * (n1 + 1) / 2
    mu = n1 * n2 / 2
    sigma2 = n1 * n2 * (n + 1) / 12
    if tie_correct:
        # scanpy's tie term per gene, from the sorted values
        srt = np.sort(X, axis=0)
        ties = np.diff(srt, axis=0) == 0
        sigma2 = sigma2 * (1 - ties.sum(0) * 6 / (n ** 3 - n))
    z = (U - mu) / np.sqrt(sigma2)
    return z, 2 * scipy.stats.norm.sf(np.abs(z))


def wilcoxon_tie_corrected(X, n1):
    # tie correction per gene by the ranks' squared sums, no np.unique
    n = X.shape[0]
    n2 = n - n1
    ranks = np.column_stack([scipy.stats.rankdata(X[:, j]) for j in range(X.shape[1])])
    U = ranks[:n1].sum(0) - n1 * (n1 + 1) / 2
    sum_r2 = (ranks ** 2).sum(0)
    var = n1 * n2 / (n * (n - 1)) * sum_r2 - n1 * n2 * (n + 1) ** 2 / (4 * (n - 1))
    z = (U - n1 * n2 / 2) / np.sqrt(var)
    return z, scipy.stats.norm.sf(z)


def mannwhitney_scipy(X, n1):
    res = scipy.stats.mannwhitneyu(X[:n1], X[n1:], alternative="two-sided", axis=0)
    return res.statistic, res.pvalue


def ranksums_scipy(X, n1):
    return scipy.stats.ranksums(X[:n1], X[n1:], axis=0)


def auroc_per_gene(X, y):
    # marker AUROC by the Mann-Whitney identity on argsort ranks (no ties)
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    ranks = np.argsort(np.argsort(X, axis=0), axis=0) + 1
    return (ranks[y.astype(bool)].sum(0) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def pct_expressing(X, labels, n_groups=3):
    # dot-plot statistics: fraction of cells expressing and mean expression per cluster
    onehot = np.eye(n_groups)[labels]
    size = onehot.sum(0)[:, None]
    frac = onehot.T @ (X > 0) / size
    mean = onehot.T @ X / size
    return frac, mean


def rank_genes_groups_top(X, labels, n_groups=3, n_genes=2):
    # one-vs-rest t scores per cluster, top genes by argsort, scores into a dict by name
    out = {}
    for g in range(n_groups):
        m = labels == g
        a, b = X[m], X[~m]
        t = (a.mean(0) - b.mean(0)) / np.sqrt(a.var(0, ddof=1) / len(a)
                                              + b.var(0, ddof=1) / len(b))
        top = np.argsort(-t)[:n_genes]
        out[f"cluster_{g}"] = (top, t[top])
    return out


def pseudobulk_add_at(counts, sample, n_samples=3):
    # sum the cells of each sample, then CPM on the pseudobulk
    pb = np.zeros((n_samples, counts.shape[1]), dtype=counts.dtype)
    np.add.at(pb, sample, counts)
    return pb, pb / pb.sum(1, keepdims=True) * 1e6


def pseudobulk_onehot(counts, sample, n_samples=3):
    design = (sample[:, None] == np.arange(n_samples)).astype(counts.dtype)
    return design.T @ counts


def volcano_classes(lfc, padj, lfc_thresh=1.0, alpha=0.05):
    up = (lfc > lfc_thresh) & (padj < alpha)
    down = (lfc < -lfc_thresh) & (padj < alpha)
    cls = np.select([up, down], [1, -1], default=0)
    return cls, -np.log10(padj)


def hypergeom_enrichment(overlap, set_sizes, n_de, n_genes=2000):
    # gene-set over-representation: P(X >= k) by the hypergeometric survival function
    p = scipy.stats.hypergeom.sf(overlap - 1, n_genes, set_sizes, n_de)
    return p, benjamini_hochberg(p)


def fisher_log_odds(a, b, c, d):
    # per-gene 2x2 tables with a Haldane correction, Wald z and its two-sided p
    a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    lor = np.log(a * d / (b * c))
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return lor, 2 * scipy.stats.norm.sf(np.abs(lor / se))


def poisson_deviance_per_gene(counts):
    # deviance of a constant-rate Poisson per gene (GLM-PCA's feature selection)
    n = counts.sum(1, keepdims=True)
    pi = counts.sum(0) / counts.sum()
    mu = n * pi
    term = np.where(counts > 0, counts * np.log(counts / mu), 0.0)
    return 2 * np.sum(term - (counts - mu), axis=0)


def binomial_deviance_per_gene(counts):
    # Townes et al.'s binomial deviance with xlogy
    n = counts.sum(axis=1, keepdims=True)
    p = counts.sum(0) / counts.sum()
    ll = scipy.special.xlogy(counts, counts / (n * p)) \
        + scipy.special.xlogy(n - counts, (n - counts) / (n * (1 - p)))
    return 2 * ll.sum(0)


def _two_groups(s, n, genes=6):
    X = _logn(s, 4 * n, genes)
    X[: 2 * n, :2] += 1.0
    return X


def _pvals(s, n):
    # distinct p-values spanning many orders of magnitude
    return np.sort(10.0 ** -_rng(s).uniform(0, 5, 3 * n)) * _rng(s + 1).permutation(
        np.linspace(0.9, 1.0, 3 * n))


DE = {
    "welch_t_weights": (welch_t_weights, {}, lambda s, n: (
        _two_groups(s, n), _labels(s, 4 * n, 2))),
    "ttest_ind_welch_scipy": (ttest_ind_scipy, {"n_first": 5}, lambda s, n: (
        _two_groups(s, n),)),
    "ttest_ind_student_scipy": (ttest_student_scipy, {"n_first": 6}, lambda s, n: (
        _two_groups(s, n),)),
    "log_fold_change_expm1": (log_fold_change, {}, lambda s, n: (
        _two_groups(s, n), _labels(s, 4 * n, 3))),
    "log_fold_change_cpm_columns": (log_fold_change_counts, {}, lambda s, n: (
        _bulk(s, 10, 2 * n), np.arange(n), np.arange(n, 2 * n))),
    "bh_minimum_accumulate": (benjamini_hochberg, {}, lambda s, n: (_pvals(s, n),)),
    "bh_descending_r_port": (benjamini_hochberg_descending, {}, lambda s, n: (_pvals(s, n),)),
    "by_harmonic": (benjamini_yekutieli, {}, lambda s, n: (_pvals(s, n),)),
    "holm_maximum_accumulate": (holm_bonferroni, {}, lambda s, n: (_pvals(s, n),)),
    "wilcoxon_rankdata_axis0": (wilcoxon_rank_sum, {"n1": 5, "tie_correct": False},
                                lambda s, n: (_two_groups(s, n),)),
    "wilcoxon_sorted_tie_term": (wilcoxon_rank_sum, {"n1": 6}, lambda s, n: (
        _counts(s, 4 * n, 6).astype(float),)),
    "wilcoxon_tie_corrected_counts": (wilcoxon_tie_corrected, {"n1": 5}, lambda s, n: (
        _counts(s, 4 * n, 6).astype(float),)),
    "mannwhitneyu_scipy": (mannwhitney_scipy, {"n1": 6}, lambda s, n: (_two_groups(s, n),)),
    "ranksums_scipy": (ranksums_scipy, {"n1": 6}, lambda s, n: (_two_groups(s, n),)),
    "auroc_argsort_ranks": (auroc_per_gene, {}, lambda s, n: (
        _two_groups(s, n), (_labels(s, 4 * n, 2) == 0).astype(np.int64))),
    "dotplot_fraction_mean": (pct_expressing, {}, lambda s, n: (
        _counts(s, 3 * n, 6).astype(float), _labels(s, 3 * n, 3))),
    "pseudobulk_add_at_int": (pseudobulk_add_at, {}, lambda s, n: (
        _counts(s, 3 * n, 6), _labels(s, 3 * n, 3))),
    "pseudobulk_onehot_matmul": (pseudobulk_onehot, {}, lambda s, n: (
        _counts(s, 3 * n, 6), _labels(s, 3 * n, 3))),
    "volcano_select": (volcano_classes, {}, lambda s, n: (
        _f(3 * n, seed=s) * 2, _pvals(s, n))),
    "hypergeom_sf_enrichment": (hypergeom_enrichment, {}, lambda s, n: (
        _rng(s).integers(1, 10, 2 * n), _rng(s).integers(20, 200, 2 * n), 150)),
    "fisher_log_odds_haldane": (fisher_log_odds, {}, lambda s, n: tuple(
        _rng(s + j).integers(0, 30, 2 * n) for j in range(4))),
    "poisson_deviance": (poisson_deviance_per_gene, {}, lambda s, n: (
        _counts(s, 3 * n, 7).astype(float),)),
    "binomial_deviance_xlogy": (binomial_deviance_per_gene, {}, lambda s, n: (
        _counts(s, 3 * n, 7).astype(float),)),
}


@pytest.mark.parametrize("name", _names(DE))
def test_differential_expression_matches_numpy(name):
    check_like_numpy(*DE[name])


# ============================================================================ batch correction


def center_per_batch_bincount(X, batch, n_batches=3):
    # per-batch gene means by bincount with weights, one gene at a time
    sizes = np.bincount(batch, minlength=n_batches)
    means = np.stack([np.bincount(batch, weights=X[:, g], minlength=n_batches)
                      for g in range(X.shape[1])], axis=1) / sizes[:, None]
    return X - means[batch] + X.mean(0)


def center_per_batch_add_at(X, batch, n_batches=3):
    sums = np.zeros((n_batches, X.shape[1]))
    np.add.at(sums, batch, X)
    counts = np.bincount(batch, minlength=n_batches)
    X_corr = X - (sums / counts[:, None])[batch]
    return X_corr


def scale_per_batch_inplace(X, batch, n_batches=2):
    # Seurat's split-by scaling written with a loop over batch masks and np.where
    for b in range(n_batches):
        m = (batch == b)[:, None]
        k = m.sum()
        mu = np.where(m, X, 0).sum(0) / k
        sd = np.sqrt(np.where(m, (X - mu) ** 2, 0).sum(0) / (k - 1))
        X[...] = np.where(m, (X - mu) / sd, X)
    return X.std()


def combat_like(X, batch, n_batches=3, n_iter=10):
    # ComBat without covariates: pool, standardise, per-batch location/scale with the
    # empirical-Bayes shrinkage iterated a fixed number of times, adjust back
    design = np.eye(n_batches)[batch]
    nb = design.sum(0)
    grand = X.mean(0)
    var_pooled = ((X - design @ (design.T @ X / nb[:, None])) ** 2).mean(0)
    Z = (X - grand) / np.sqrt(var_pooled)
    gamma_hat = design.T @ Z / nb[:, None]
    delta_hat = np.stack([((Z - gamma_hat[b]) ** 2 * design[:, [b]]).sum(0) / (nb[b] - 1)
                          for b in range(n_batches)])
    gamma_bar = gamma_hat.mean(1)
    t2 = gamma_hat.var(1, ddof=1)
    m = delta_hat.mean(1)
    s2 = delta_hat.var(1, ddof=1)
    a_prior = (2 * s2 + m ** 2) / s2
    b_prior = (m * s2 + m ** 3) / s2
    g_new, d_new = gamma_hat.copy(), delta_hat.copy()
    for _ in range(n_iter):
        g_new = (t2[:, None] * nb[:, None] * gamma_hat + d_new * gamma_bar[:, None]) \
            / (t2[:, None] * nb[:, None] + d_new)
        ssq = np.stack([(((Z - g_new[b]) ** 2) * design[:, [b]]).sum(0)
                        for b in range(n_batches)])
        d_new = (b_prior[:, None] + 0.5 * ssq) / (nb[:, None] / 2 + a_prior[:, None] - 1)
    Zc = (Z - design @ g_new) / np.sqrt(design @ d_new)
    return Zc * np.sqrt(var_pooled) + grand


def regress_out(X, covariates):
    # regress total counts and percent mito out of every gene by one least-squares solve
    design = np.column_stack([np.ones(X.shape[0]), covariates])
    beta, *_ = np.linalg.lstsq(design, X, rcond=None)
    return X - design[:, 1:] @ beta[1:]


def regress_out_normal_equations(X, covariates):
    A = np.hstack([np.ones((len(X), 1)), covariates])
    beta = np.linalg.solve(A.T @ A, A.T @ X)
    return X - A @ beta + beta[0]


def harmony_like(Z, batch, n_clusters=3, n_batches=2, sigma=0.5, n_iter=3, ridge=1.0):
    # a Harmony-flavoured loop: soft k-means on cosine-normalised PCs, then a per-cluster
    # ridge regression of the batch effect, a fixed number of rounds
    Phi = np.eye(n_batches)[batch].T
    Zc = Z.copy()
    Y = Z[:n_clusters].copy()
    for _ in range(n_iter):
        Zn = Zc / np.linalg.norm(Zc, axis=1, keepdims=True)
        Yn = Y / np.linalg.norm(Y, axis=1, keepdims=True)
        dist = 2 * (1 - Yn @ Zn.T)
        R = np.exp(-dist / sigma)
        R /= R.sum(0)
        Y = R @ Zn
        Phi_m = np.vstack([np.ones(Z.shape[0]), Phi])
        for k in range(n_clusters):
            Phi_Rk = Phi_m * R[k]
            lam = np.diag(np.r_[0.0, np.full(n_batches, ridge)])
            W = np.linalg.inv(Phi_Rk @ Phi_m.T + lam) @ Phi_Rk @ Z
            W[0] = 0
            Zc = Zc - (W.T @ Phi_Rk).T
    return Zc


def mnn_correction_vectors(A, B, k=2, sigma=1.0):
    # MNN-style: pairs by kNN both ways, correction vectors smoothed by a Gaussian kernel
    D = scipy.spatial.distance.cdist(B, A)
    nn_ba = np.argsort(D, axis=1)[:, :k]
    nn_ab = np.argsort(D.T, axis=1)[:, :k]
    M = np.zeros(D.shape)
    np.put_along_axis(M, nn_ba, 1.0, axis=1)
    M2 = np.zeros(D.T.shape)
    np.put_along_axis(M2, nn_ab, 1.0, axis=1)
    mnn = M * M2.T
    vec = (mnn @ A - mnn.sum(1, keepdims=True) * B)
    w = np.exp(-scipy.spatial.distance.cdist(B, B, "sqeuclidean") / sigma) \
        * (mnn.sum(1) > 0)
    smoothed = w @ vec / np.maximum(w @ mnn.sum(1, keepdims=True), 1e-12)
    return B + smoothed


def batch_entropy(knn_idx, batch, n_batches=2):
    # mixing score: entropy of the batch labels among each cell's neighbours
    frac = np.stack([(batch[knn_idx] == b).mean(1) for b in range(n_batches)], axis=1)
    ent = -np.sum(scipy.special.xlogy(frac, frac), axis=1)
    return ent.mean(), ent / np.log(n_batches)


def _batched(s, n, genes=5, n_batches=3):
    X = _logn(s, 3 * n, genes)
    b = _labels(s, 3 * n, n_batches)
    return X + 0.5 * b[:, None] * np.linspace(0.5, 1.5, genes), b


BATCH = {
    "center_bincount_weights": (center_per_batch_bincount, {}, lambda s, n: _batched(s, n)),
    "center_add_at": (center_per_batch_add_at, {}, lambda s, n: _batched(s, n)),
    "scale_per_batch_in_place": (scale_per_batch_inplace, {}, lambda s, n: _batched(
        s, n, n_batches=2)),
    "combat_eb_fixed_iterations": (combat_like, {}, lambda s, n: _batched(s, n, 6)),
    "regress_out_lstsq": (regress_out, {}, lambda s, n: (
        _logn(s, 3 * n, 5), _f(3 * n, 2, seed=s))),
    "regress_out_normal_equations": (regress_out_normal_equations, {}, lambda s, n: (
        _logn(s, 3 * n, 5), _f(3 * n, 2, seed=s))),
    "harmony_like_rounds": (harmony_like, {}, lambda s, n: (
        _points(s, 3 * n, 3) + 3, _labels(s, 3 * n, 2))),
    "mnn_correction_vectors": (mnn_correction_vectors, {}, lambda s, n: (
        _points(s, 2 * n), _points(s + 3, n + 3) + 0.5)),
    "batch_entropy_xlogy": (batch_entropy, {}, lambda s, n: (
        _rng(s).integers(0, 3 * n, (3 * n, 4)), _labels(s, 3 * n, 2))),
}


@pytest.mark.parametrize("name", _names(BATCH))
def test_batch_correction_matches_numpy(name):
    check_like_numpy(*BATCH[name])


# ============================================================================ cell cycle, doublets

GENE_NAMES = np.array(["MT-CO1", "MT-ND2", "RPS6", "RPL13", "MCM5", "PCNA", "TOP2A", "MKI67",
                       "HBB", "CD3E", "CD19", "LYZ", "MT-ATP6", "RPS27A"])
S_GENES = ["MCM5", "PCNA"]
G2M_GENES = ["TOP2A", "MKI67"]
S_IDX = np.array([np.where(GENE_NAMES == g)[0][0] for g in S_GENES])
G2M_IDX = np.flatnonzero(np.isin(GENE_NAMES, G2M_GENES))
CTRL_IDX = np.array([9, 10, 11, 3])
PHASES = np.array(["G1", "S", "G2M"])


def score_genes(X, gene_idx, ctrl_idx=CTRL_IDX):
    return X[:, gene_idx].mean(1) - X[:, ctrl_idx].mean(1)


def cell_cycle_scores(X):
    # Tirosh's scores against control genes; phase by the larger score, G1 when both < 0
    s = score_genes(X, S_IDX)
    g2m = score_genes(X, G2M_IDX)
    phase = np.where((s < 0) & (g2m < 0), "G1", np.where(s > g2m, "S", "G2M"))
    return s, g2m, phase


def cell_cycle_phase_index(X):
    scores = np.column_stack([np.zeros(len(X)), score_genes(X, S_IDX),
                              score_genes(X, G2M_IDX)])
    return PHASES[np.argmax(scores, axis=1)], scores.max(1)


def score_genes_binned_controls(X, gene_idx, n_bins=4, ctrl_per_bin=2, seed=0):
    # Seurat's AddModuleScore: genes binned by mean expression, random controls from each
    # scored gene's bin by a seeded Generator over the fixed bins of the module's genes
    rng = np.random.default_rng(seed)
    avg = X.mean(0)
    order = np.argsort(avg)
    bin_of = np.empty(X.shape[1], dtype=np.int64)
    bin_of[order] = np.arange(X.shape[1]) * n_bins // X.shape[1]
    per_bin = X.shape[1] // n_bins
    members = np.sort(order.reshape(n_bins, per_bin), axis=1)
    ctrl = members[bin_of[gene_idx]][:, rng.integers(0, per_bin, ctrl_per_bin)]
    return X[:, gene_idx].mean(1) - X[:, ctrl.ravel()].mean(1)


def simulate_doublets(counts, n_sim=6, seed=0):
    # Scrublet's simulation: sums of random pairs of observed cells from a seeded Generator
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, counts.shape[0], size=(n_sim, 2))
    return counts[pairs[:, 0]] + counts[pairs[:, 1]], pairs


def doublet_scores(counts, n_sim=8, k=4, n_comps=3, seed=1):
    # the whole Scrublet-like score: simulate, normalise, PCA on the observed cells, kNN in
    # the joint embedding, the fraction of simulated neighbours, Bayesian adjustment
    rng = np.random.default_rng(seed)
    n_obs = counts.shape[0]
    idx = rng.choice(n_obs, size=(n_sim, 2), replace=True)
    sim = counts[idx[:, 0]] + counts[idx[:, 1]]
    allc = np.vstack([counts, sim]).astype(np.float64)
    norm = np.log1p(allc / allc.sum(1, keepdims=True) * allc.sum(1).mean())
    mu, sd = norm[:n_obs].mean(0), norm[:n_obs].std(0) + 1e-6
    Z = (norm - mu) / sd
    _, _, Vt = np.linalg.svd(Z[:n_obs], full_matrices=False)
    P = Z @ Vt[:n_comps].T
    D = ((P[:, None] - P[None]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    nn = np.argsort(D, axis=1)[:, :k]
    is_sim = np.r_[np.zeros(n_obs), np.ones(n_sim)]
    q = (is_sim[nn].sum(1) + 1) / (k + 2)
    rho = 0.1
    r = n_sim / n_obs
    ld = q * rho / r / (1 - rho - q * (1 - rho - rho / r))
    return ld[:n_obs], ld[n_obs:]


def doublet_threshold_otsu(scores, n_bins=10):
    # Otsu's threshold on the histogram of simulated doublet scores
    hist, edges = np.histogram(scores, bins=n_bins)
    centers = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centers) / np.maximum(w0, 1)
    m1 = ((hist * centers).sum() - np.cumsum(hist * centers)) / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    return centers[np.argmax(between[:-1])]


def ambient_profile_soupx(counts, empty, contamination=0.1):
    # SoupX-like: the soup profile from empty droplets, expected soup counts subtracted
    soup = empty.sum(0) / empty.sum()
    expected = contamination * counts.sum(1, keepdims=True) * soup
    return np.maximum(counts - expected, 0), soup


CYCLE = {
    "cell_cycle_np_where_strings": (cell_cycle_scores, {}, lambda s, n: (
        _logn(s, 3 * n, 14),)),
    "cell_cycle_phase_lookup": (cell_cycle_phase_index, {}, lambda s, n: (
        _logn(s, 3 * n, 14),)),
    "module_score_binned_controls": (score_genes_binned_controls, {"seed": 4}, lambda s, n: (
        _logn(s, 3 * n, 12), np.array([1, 5, 7]))),
    "simulate_doublets_pairs": (simulate_doublets, {"seed": 2}, lambda s, n: (
        _counts(s, 2 * n, 6),)),
    "scrublet_like_scores": (doublet_scores, {}, lambda s, n: (_counts(s, 3 * n, 8),)),
    "doublet_threshold_otsu": (doublet_threshold_otsu, {}, lambda s, n: (
        np.r_[_rng(s).beta(2, 8, 4 * n), _rng(s + 1).beta(8, 2, 2 * n)],)),
    "ambient_soup_removal": (ambient_profile_soupx, {}, lambda s, n: (
        _counts(s, 2 * n, 6), _counts(s + 1, 10, 6))),
}


@pytest.mark.parametrize("name", _names(CYCLE))
def test_cell_cycle_and_doublets_match_numpy(name):
    check_like_numpy(*CYCLE[name])


# ============================================================================ ATAC peaks


def tfidf_signac(X, scale_factor=1e4):
    # Signac's default TF-IDF: term frequency per cell, inverse document frequency per peak
    tf = X / X.sum(axis=1, keepdims=True)
    idf = X.shape[0] / X.sum(axis=0)
    return np.log1p(tf * idf * scale_factor)


def tfidf_archr_logidf(X):
    # ArchR's LSI variant: binarised peaks, log(1 + n / df)
    B = (X > 0).astype(np.float32)
    tf = B / B.sum(1, keepdims=True)
    idf = np.log(1 + B.shape[0] / (1 + B.sum(0)))
    return tf * idf


def lsi(X, n_comps=3):
    # TF-IDF then truncated SVD without centring; the first component (depth) dropped,
    # components scaled to unit variance and clipped
    tfidf = tfidf_signac(X)
    U, S, Vt = np.linalg.svd(tfidf, full_matrices=False)
    U, Vt = svd_flip(U, Vt)
    emb = U[:, 1:n_comps + 1] * S[1:n_comps + 1]
    emb = (emb - emb.mean(0)) / emb.std(0)
    return np.clip(emb, -10, 10), np.corrcoef(U[:, 0] * S[0], np.log(X.sum(1)))[0, 1]


def binarize_peaks(X):
    return np.minimum(X, 1).astype(np.uint8), (X > 0).sum(1)


def gene_activity(X, peak_starts, peak_ends, tss, window=2000):
    # peak-to-gene matrix by overlap of each peak with the gene's TSS +/- window
    overlaps = (peak_starts[:, None] < tss[None, :] + window) & \
        (peak_ends[:, None] > tss[None, :] - window)
    return X @ overlaps.astype(X.dtype), overlaps.sum(0)


def frip_and_tss_enrichment(frag_mid, peak_starts, peak_ends, tss, flank=100, n_bins=10):
    # fraction of fragments in peaks, and TSS enrichment from a histogram of distances
    in_peak = ((frag_mid[:, None] >= peak_starts) & (frag_mid[:, None] < peak_ends)).any(1)
    frip = in_peak.mean()
    dist = frag_mid[:, None] - tss[None, :]
    hist, _ = np.histogram(dist, bins=n_bins, range=(-flank * n_bins / 2, flank * n_bins / 2))
    edges = (hist[0] + hist[-1]) / 2
    return frip, hist / np.maximum(edges, 1)


def nucleosome_signal(frag_len):
    mono = np.count_nonzero((frag_len > 147) & (frag_len < 294))
    nfr = np.count_nonzero(frag_len < 147)
    return mono / np.maximum(nfr, 1)


def nucleosome_signal_python_max(frag_len):
    # Python's max of a traced count
    mono = np.count_nonzero((frag_len > 147) & (frag_len < 294))
    nfr = np.count_nonzero(frag_len < 147)
    return mono / max(nfr, 1)


def chromvar_deviations(X, motifs, bg_idx):
    # chromVAR: observed minus expected motif counts over expected, against a background
    # peak set given as indices
    expected_frac = X.sum(0) / X.sum()
    expected = X.sum(1, keepdims=True) * expected_frac
    obs_m = X @ motifs
    exp_m = expected @ motifs
    dev = (obs_m - exp_m) / exp_m
    bg = X[:, bg_idx] @ motifs[bg_idx]
    bg_exp = expected[:, bg_idx] @ motifs[bg_idx]
    return dev - (bg - bg_exp) / bg_exp


def peak_gc_bins(gc, n_bins=4):
    # background peaks matched on GC content: quantile bins
    edges = np.quantile(gc, np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.searchsorted(edges, gc, side="right")


def cicero_coaccess(X, positions, max_dist=50000):
    # co-accessibility as correlations of peaks within a distance, the rest zeroed
    C = np.corrcoef(X, rowvar=False)
    near = np.abs(positions[:, None] - positions[None, :]) < max_dist
    np.fill_diagonal(near, False)
    return np.where(near, C, 0.0)


def _peaks(s, n_peaks):
    starts = np.sort(_rng(s).integers(0, 200000, n_peaks)) + np.arange(n_peaks) * 1000
    return starts, starts + _rng(s + 1).integers(200, 800, n_peaks)


def _atac(s, cells, peaks):
    x = _rng(s).poisson(0.6, (cells, peaks))
    x[np.arange(cells), np.arange(cells) % peaks] += 1
    x[np.arange(peaks) % cells, np.arange(peaks)] += 1
    return x


ATAC = {
    "tfidf_signac": (tfidf_signac, {}, lambda s, n: (_atac(s, 3 * n, 10),)),
    "tfidf_archr_float32": (tfidf_archr_logidf, {}, lambda s, n: (_atac(s, 3 * n, 10),)),
    "lsi_drop_first_component": (lsi, {}, lambda s, n: (_atac(s, 3 * n, 8),)),
    "binarize_uint8": (binarize_peaks, {}, lambda s, n: (_atac(s, 3 * n, 8),)),
    "gene_activity_overlaps": (gene_activity, {}, lambda s, n: (
        _atac(s, 2 * n, 12).astype(float), *_peaks(s, 12),
        np.sort(_rng(s).integers(0, 210000, 5)))),
    "frip_tss_histogram": (frip_and_tss_enrichment, {}, lambda s, n: (
        _rng(s).integers(0, 200000, 20 * n), *_peaks(s, 8),
        np.sort(_rng(s + 2).integers(0, 200000, 3)))),
    "nucleosome_signal": (nucleosome_signal, {}, lambda s, n: (
        _rng(s).integers(30, 600, 20 * n),)),
    "chromvar_deviations": (chromvar_deviations, {}, lambda s, n: (
        _atac(s, 2 * n, 10).astype(float),
        (_rng(s).random((10, 3)) < 0.5).astype(float) + np.eye(10, 3),
        np.array([0, 2, 4, 6, 8]))),
    "nucleosome_signal_python_max": (nucleosome_signal_python_max, {}, lambda s, n: (
        _rng(s).integers(30, 600, 20 * n),)),
    "gc_quantile_searchsorted": (peak_gc_bins, {}, lambda s, n: (
        _rng(s).uniform(0.3, 0.7, 5 * n),)),
    "cicero_coaccess": (cicero_coaccess, {}, lambda s, n: (
        _atac(s, 3 * n, 7).astype(float) + _rng(s).random((3 * n, 7)),
        _peaks(s, 7)[0] * 0.5)),
}


@pytest.mark.parametrize("name", _names(ATAC))
def test_atac_peaks_match_numpy(name):
    check_like_numpy(*ATAC[name])


# ============================================================================ sparse counts


def sparse_normalize_multiply(X):
    # the CSR idiom: per-cell sums as an np.matrix, .A1, multiply by the column of factors
    A = scipy.sparse.csr_matrix(X)
    lib = np.asarray(A.sum(axis=1)).ravel()
    N = A.multiply(1e4 / lib[:, None])
    return N.toarray(), lib


def sparse_gene_stats(X):
    # per-gene mean and variance of a CSR matrix without densifying
    A = scipy.sparse.csr_matrix(X.astype(np.float64))
    mean = np.asarray(A.mean(axis=0)).ravel()
    mean_sq = np.asarray(A.multiply(A).mean(axis=0)).ravel()
    var = (mean_sq - mean ** 2) * A.shape[0] / (A.shape[0] - 1)
    return mean, var


def sparse_diags_normalize(X):
    A = scipy.sparse.csr_matrix(X)
    lib = np.asarray(A.sum(1)).flatten()
    D = scipy.sparse.diags(1.0 / lib)
    return (D @ A).toarray() * np.median(lib)


def sparse_nnz_per_gene(X):
    A = scipy.sparse.csc_matrix(X)
    return np.diff(A.indptr), A.getnnz(axis=0)


def sparse_coo_from_triplets(rows, cols, vals, n_cells=6, n_genes=5):
    # a count matrix from a MatrixMarket-like triplet list, duplicates summed
    A = scipy.sparse.coo_matrix((vals, (rows, cols)), shape=(n_cells, n_genes))
    A = A.tocsr()
    return A.toarray(), np.asarray(A.sum(0)).ravel()


def sparse_pca_dense_product(X, loadings):
    # projecting new sparse cells onto fixed loadings, centred through the means
    A = scipy.sparse.csr_matrix(X)
    mu = np.asarray(A.mean(0)).ravel()
    return A @ loadings - mu @ loadings


def sparse_constant_aggregation(X, batch_onehot=scipy.sparse.csr_matrix(
        np.kron(np.eye(3), np.ones((1, 4))))):
    # a constant sparse indicator (groups by columns of 4 cells) applied to traced counts
    return batch_onehot @ X


def sparse_row_scale_by_multiply(X, w):
    A = scipy.sparse.csr_array(X)
    return (A.multiply(w[None, :])).sum(axis=1), A.sum(axis=0)


def sparse_max_per_gene(X):
    # the max-abs scaling of a sparse matrix: per-gene maxima by .max(axis=0)
    A = scipy.sparse.csr_matrix(X)
    mx = A.max(axis=0).toarray().ravel()
    return (A @ scipy.sparse.diags(1.0 / mx)).toarray()


def sparse_log1p_method(X):
    # the CSR's own elementwise methods: log1p and power, then the per-gene variance
    A = scipy.sparse.csr_matrix(X).log1p()
    sq = A.power(2)
    mean = np.asarray(A.mean(0)).ravel()
    return np.asarray(sq.mean(0)).ravel() - mean ** 2


def sparse_detected_per_cell(X):
    # n_genes_by_counts of a CSR matrix: a comparison makes a sparse bool matrix
    A = scipy.sparse.csr_matrix(X)
    return np.asarray((A > 0).sum(axis=1)).ravel()


SPARSE = {
    "csr_multiply_by_lib": (sparse_normalize_multiply, {}, lambda s, n: (
        _counts(s, 2 * n, 6),)),
    "csr_mean_var_multiply": (sparse_gene_stats, {}, lambda s, n: (_counts(s, 2 * n, 6),)),
    "csr_diags_normalize": (sparse_diags_normalize, {}, lambda s, n: (
        _counts(s, 2 * n, 6).astype(float),)),
    "csc_indptr_nnz": _Xfail(
        "np.diff(csc.indptr) / csc.getnnz(axis=0) (fixed shape) of a CSC of a traced dense array"
        ": UnsupportedFunctionError (indptr/indices); NumPy: the per-gene nonzero counts",
        sparse_nnz_per_gene, {}, lambda s, n: (_counts(s, 2 * n, 6),)),
    "csr_max_axis0": (sparse_max_per_gene, {},
        lambda s, n: (_counts(s, 2 * n, 6).astype(float),)),
    "csr_log1p_power_methods": (sparse_log1p_method, {},
        lambda s, n: (_counts(s, 2 * n, 6),)),
    "csr_greater_than_zero_sum": (sparse_detected_per_cell, {},
        lambda s, n: (_counts(s, 2 * n, 6),)),
    "coo_triplets_shape": (sparse_coo_from_triplets, {}, lambda s, n: (
        _rng(s).integers(0, 6, 3 * n), _rng(s + 1).integers(0, 5, 3 * n),
        _rng(s + 2).integers(1, 9, 3 * n).astype(float))),
    "csr_times_dense_loadings": (sparse_pca_dense_product, {}, lambda s, n: (
        _counts(s, 2 * n, 6).astype(float), _f(6, 2, seed=s))),
    "constant_sparse_indicator": (sparse_constant_aggregation, {}, lambda s, n: (
        _counts(s, 12, n).astype(float),)),
    "csr_array_multiply_max": (sparse_row_scale_by_multiply, {}, lambda s, n: (
        _counts(s, 2 * n, 6).astype(float), _pos(s, 6))),
}


@pytest.mark.parametrize("name", _names(SPARSE))
def test_sparse_counts_match_numpy(name):
    check_like_numpy(*SPARSE[name])


# ============================================================================ QC and diversity

MITO = np.char.startswith(GENE_NAMES, "MT-")
RIBO = np.char.startswith(GENE_NAMES, "RPS") | np.char.startswith(GENE_NAMES, "RPL")


def qc_metrics_module_masks(X):
    # calculate_qc_metrics by hand: module-level masks from the gene names
    total = X.sum(1)
    n_genes = (X > 0).sum(1)
    pct_mt = X[:, MITO].sum(1) / total * 100
    pct_ribo = 100 * X[:, RIBO].sum(1) / total
    return {"total_counts": total, "n_genes_by_counts": n_genes,
            "log1p_total_counts": np.log1p(total), "pct_counts_mt": pct_mt,
            "pct_counts_ribo": pct_ribo}


def pct_mito_from_names(X, gene_names):
    # the gene names passed along with the matrix, the mask made in the function
    mt = np.array([g.startswith("MT-") for g in gene_names])
    return 100 * X[:, mt].sum(axis=1) / X.sum(axis=1)


def pct_mito_char_startswith(X, var_names):
    mito = np.char.startswith(var_names, "MT-")
    return X @ mito.astype(X.dtype) / X.sum(1) * 100


def pct_counts_in_top_genes(X, n_top=(2, 4)):
    # pct_counts_in_top_50_genes: sort every cell's counts descending, cumulative fraction
    srt = -np.sort(-X, axis=1)
    cum = np.cumsum(srt, axis=1)
    total = cum[:, -1]
    return np.stack([cum[:, k - 1] / total * 100 for k in n_top], axis=1)


def mad_outliers(X, nmads=3.0):
    # scater's isOutlier on log1p total counts and detected genes, MAD scaled by 1.4826
    def is_outlier(v, nm):
        med = np.median(v)
        mad = 1.4826 * np.median(np.abs(v - med))
        return (v < med - nm * mad) | (v > med + nm * mad)

    log_total = np.log1p(X.sum(1))
    log_genes = np.log1p(np.count_nonzero(X, axis=1))
    pct_mt = X[:, MITO].sum(1) / X.sum(1)
    out = is_outlier(log_total, nmads) | is_outlier(log_genes, nmads) | (pct_mt > 0.2)
    return out, scipy.stats.median_abs_deviation(log_total, scale="normal")


def qc_filter_weights(X, min_genes=3, max_mt=30.0):
    # keep the shape: a 0/1 weight per cell rather than dropping cells
    n_genes = np.count_nonzero(X, axis=1)
    pct_mt = 100.0 * np.sum(X * MITO, axis=1) / np.sum(X, axis=1)
    keep = (n_genes >= min_genes) & (pct_mt < max_mt)
    return keep, np.where(keep[:, None], X, 0).sum(0)


def shannon_simpson(counts):
    # alpha diversity per sample: Shannon in nats with 0 log 0 = 0, Simpson, evenness
    p = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(p > 0, np.log(p), 0.0)
    H = -(p * logp).sum(1)
    simpson = 1 - (p ** 2).sum(1)
    S = (counts > 0).sum(1)
    return H, simpson, H / np.log(S)


def shannon_scipy_entropy(counts):
    return scipy.stats.entropy(counts, axis=1, base=2)


def chao1(counts):
    # bias-corrected Chao1 per sample
    s_obs = (counts > 0).sum(1)
    f1 = (counts == 1).sum(1)
    f2 = (counts == 2).sum(1)
    return s_obs + f1 * (f1 - 1) / (2 * (f2 + 1))


def rarefaction_expected_richness(counts, depths=(5, 10, 20)):
    # Hurlbert's expected species count at each depth by log binomial coefficients
    N = counts.sum(1, keepdims=True)

    def lcomb(a, b):
        return scipy.special.gammaln(a + 1) - scipy.special.gammaln(b + 1) \
            - scipy.special.gammaln(a - b + 1)

    out = []
    for n in depths:
        ok = (N - counts) >= n
        log_ratio = lcomb(np.where(ok, N - counts, n), n) - lcomb(N, n)
        out.append(np.sum(1 - np.where(ok, np.exp(log_ratio), 0.0), axis=1))
    return np.stack(out, axis=1)


def bray_curtis_pdist(counts):
    rel = counts / counts.sum(1, keepdims=True)
    return scipy.spatial.distance.squareform(scipy.spatial.distance.pdist(rel, "braycurtis"))


def bray_curtis_broadcast(counts):
    num = np.abs(counts[:, None, :] - counts[None, :, :]).sum(-1)
    den = (counts[:, None, :] + counts[None, :, :]).sum(-1)
    return num / den


def jaccard_presence(counts):
    P = counts > 0
    inter = P.astype(np.int64) @ P.T.astype(np.int64)
    union = P.sum(1)[:, None] + P.sum(1)[None, :] - inter
    return 1 - inter / union


def pcoa(D, n_comps=2):
    # principal coordinates of a Bray-Curtis matrix, eigh with descending order
    A = -0.5 * D ** 2
    row = A.mean(1, keepdims=True)
    col = A.mean(0, keepdims=True)
    B = A - row - col + A.mean()
    w, V = np.linalg.eigh(B)
    w, V = w[::-1], V[:, ::-1]
    coords = V[:, :n_comps] * np.sqrt(np.maximum(w[:n_comps], 0))
    return np.abs(coords), w[:n_comps]


def clr_microbiome(counts, pseudo=0.5):
    # compositional data: CLR with a pseudocount, then Aitchison distances
    logc = np.log(counts + pseudo)
    clr = logc - logc.mean(axis=1, keepdims=True)
    return clr, np.linalg.norm(clr[:, None] - clr[None], axis=-1)


def _names_arg(s, n):
    return _counts(s, 2 * n, 14), list(GENE_NAMES)


QC = {
    "qc_metrics_dict_module_masks": (qc_metrics_module_masks, {}, lambda s, n: (
        _counts(s, 2 * n, 14),)),
    "pct_mito_names_list_comprehension": (pct_mito_from_names, {}, _names_arg),
    "pct_mito_char_startswith_array": _Xfail(
        "np.char.startswith of a str-array argument (gene names): UnsupportedFunctionError "
        "(string functions are not traced), though a list of the same names works; NumPy: bool "
        "mask", pct_mito_char_startswith, {}, lambda s, n: (
            _counts(s, 2 * n, 14).astype(float), GENE_NAMES.copy())),
    "pct_counts_in_top_genes": (pct_counts_in_top_genes, {}, lambda s, n: (
        _counts(s, 2 * n, 14),)),
    "mad_outliers_scipy_mad": (mad_outliers, {}, lambda s, n: (_counts(s, 3 * n, 14),)),
    "qc_filter_weights": (qc_filter_weights, {}, lambda s, n: (_counts(s, 3 * n, 14),)),
    "shannon_simpson_evenness": (shannon_simpson, {}, lambda s, n: (_counts(s, n, 10),)),
    "shannon_scipy_entropy_base2": (shannon_scipy_entropy, {}, lambda s, n: (
        _counts(s, n, 10),)),
    "chao1_bias_corrected": (chao1, {}, lambda s, n: (_counts(s, n, 10),)),
    "rarefaction_hurlbert_gammaln": (rarefaction_expected_richness, {}, lambda s, n: (
        _counts(s, n, 10) + 1,)),
    "bray_curtis_pdist": (bray_curtis_pdist, {}, lambda s, n: (_counts(s, n, 10),)),
    "bray_curtis_broadcast": (bray_curtis_broadcast, {}, lambda s, n: (_counts(s, n, 10),)),
    "jaccard_presence_int": (jaccard_presence, {}, lambda s, n: (_counts(s, n, 10),)),
    "pcoa_eigh_descending": (pcoa, {}, lambda s, n: (
        bray_curtis_broadcast(_counts(s, 2 * n, 10).astype(float)),)),
    "clr_aitchison": (clr_microbiome, {}, lambda s, n: (_counts(s, n, 10),)),
}


@pytest.mark.parametrize("name", _names(QC))
def test_qc_and_diversity_match_numpy(name):
    check_like_numpy(*QC[name])


# ============================================================================ more


def normalize_int32_float32_target(X, target=np.float32(1e4)):
    # int32 counts (a 10x HDF5 matrix), a float32 target: NumPy's promotion decides the dtype
    lib = X.sum(axis=1)
    return X / lib[:, None] * target, lib.dtype


def zero_mito_inplace(X):
    # drop the mitochondrial counts in place with the module-level mask, renormalise
    X[:, MITO] = 0
    X /= X.sum(1, keepdims=True)
    return X[:, ~MITO].max(0)


def scale_cells_fancy_inplace(X, idx, factors):
    X[idx] *= factors[:, None]
    return X


def sort_cells_by_cluster_stable(X, labels):
    # heatmap order: cells by cluster, stable inside a cluster, genes by the top cluster
    order = np.argsort(labels, kind="stable")
    means = np.stack([X[order][np.sort(labels) == c].sum(0) for c in range(3)])
    gene_order = np.lexsort((-means.max(0), means.argmax(0)))
    return X[order][:, gene_order], order


def gene_gene_spearman(X):
    rho, p = scipy.stats.spearmanr(X)
    return rho, p


def gene_gene_pearson_corrcoef(X, gene_idx=(0, 1)):
    r, p = scipy.stats.pearsonr(X[:, gene_idx[0]], X[:, gene_idx[1]])
    return np.corrcoef(X.T), r, p


def rankdata_methods(X):
    # ties in counts: the four rankdata methods along cells
    return tuple(scipy.stats.rankdata(X, method=m, axis=0)
                 for m in ("average", "min", "max", "dense", "ordinal"))


def zscore_scipy(X):
    return scipy.stats.zscore(X, axis=0, ddof=1)


def false_discovery_control(p):
    return scipy.stats.false_discovery_control(p), scipy.stats.false_discovery_control(
        p, method="by")


def kruskal_per_gene(X, labels):
    # Kruskal-Wallis H over three clusters, one gene at a time with labels known per call
    H = np.zeros(X.shape[1])
    P = np.zeros(X.shape[1])
    for g in range(X.shape[1]):
        res = scipy.stats.kruskal(X[:4, g], X[4:8, g], X[8:, g])
        H[g], P[g] = res.statistic, res.pvalue
    return H, P


def nb_loglik_moments(counts):
    # method-of-moments theta per gene, NB log-likelihood by gammaln and by scipy.stats.nbinom
    mu = counts.mean(0)
    var = counts.var(0, ddof=1)
    theta = mu ** 2 / np.maximum(var - mu, 1e-3)
    ll = (scipy.special.gammaln(counts + theta) - scipy.special.gammaln(theta)
          - scipy.special.gammaln(counts + 1) + theta * np.log(theta / (theta + mu))
          + counts * np.log(mu / (theta + mu)))
    p = theta / (theta + mu)
    return ll.sum(0), scipy.stats.nbinom.logpmf(counts, theta, p).sum(0)


def splatter_like_simulation(rng, n_cells=6, n_genes=5):
    # gamma-Poisson counts from a Generator with per-gene means and library sizes
    gene_mean = rng.gamma(0.6, 3.0, n_genes)
    lib = rng.lognormal(11, 0.2, n_cells)
    cell_means = gene_mean * lib[:, None] / lib.mean() / 1e4
    lam = rng.gamma(shape=1 / 0.1, scale=cell_means * 0.1)
    counts = rng.poisson(lam)
    dropout = rng.random(counts.shape) < 1 / (1 + np.exp(-(np.log(lam + 1e-12) + 1)))
    return np.where(dropout, counts, 0)


def subsample_cells_choice(X, n_sub=5, seed=0):
    rng = np.random.default_rng(seed)
    p = X.sum(1) / X.sum()
    idx = rng.choice(X.shape[0], size=n_sub, replace=False, p=p)
    return X[np.sort(idx)]


def permutation_test_labels(X, labels, n_perm=20, seed=0):
    # the difference of cluster means against a null from permuted labels
    rng = np.random.default_rng(seed)

    def stat(lab):
        w = (lab == 1).astype(float)
        return w @ X / w.sum() - (1 - w) @ X / (1 - w).sum()

    obs = stat(labels)
    null = np.stack([stat(rng.permutation(labels)) for _ in range(n_perm)])
    return (np.sum(np.abs(null) >= np.abs(obs), axis=0) + 1) / (n_perm + 1)


def sample_multinomial_by_cumsum(p, n_draws=10, seed=0):
    # the hand-rolled categorical draw: searchsorted into the cumulative profile
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(p / p.sum())
    u = rng.random(n_draws)
    idx = np.searchsorted(cdf, u)
    return np.bincount(idx, minlength=len(p))


def einsum_module_scores(X, W):
    # signature scores as weighted sums, optimize=True, normalised by the weights
    return np.einsum("cg,gs->cs", X, W, optimize=True) / np.einsum("gs->s", W)


def float32_eigh_cov(X):
    X = X.astype(np.float32)
    C = np.cov(X, rowvar=False)
    w, V = np.linalg.eigh(C)
    return w[::-1], C.dtype


def weighted_cov_aweights(X, w):
    return np.cov(X, rowvar=False, aweights=w), np.average(X, axis=0, weights=w)


def ecdf_quantile_transform(X):
    # per-gene ECDF by sorted values and np.interp onto normal quantiles
    n = X.shape[0]
    out = np.empty_like(X)
    for j in range(X.shape[1]):
        xs = np.sort(X[:, j])
        u = (np.arange(1, n + 1) - 0.5) / n
        out[:, j] = scipy.stats.norm.ppf(np.interp(X[:, j], xs, u))
    return out


def nanmean_dropouts(X):
    # treat zeros as dropouts: NaN them, then nanmean and nanstd per gene
    Y = np.where(X > 0, X, np.nan)
    return np.nanmean(Y, axis=0), np.nanstd(Y, axis=0), np.isnan(Y).mean(0)


def cluster_centroid_distance_pdist(X, labels, n_clusters=3):
    onehot = np.eye(n_clusters)[labels]
    cent = onehot.T @ X / onehot.sum(0)[:, None]
    d = scipy.spatial.distance.pdist(cent, "correlation")
    iu = np.triu_indices(n_clusters, k=1)
    M = np.zeros((n_clusters, n_clusters))
    M[iu] = d
    return M + M.T


def bincount_float32_weights(labels, w):
    return np.bincount(labels, weights=w, minlength=4)


def fisher_marker_enrichment(table):
    # a marker's detection in a cluster against the rest, Fisher's exact test on the 2x2
    res = scipy.stats.fisher_exact(table)
    return res.statistic, res.pvalue


def uint16_counts_qc(X):
    # counts stored as uint16 (loom files): sums promote to uint64, division to float64
    lib = X.sum(axis=1)
    return lib, X.mean(0), X / lib[:, None], (X + X).dtype


def csr_by_hand_reduceat(data, indptr):
    # a hand-rolled CSR's per-row sums by np.add.reduceat at the row starts
    return np.add.reduceat(data, indptr[:-1])


def csr_by_hand_normalize(data, indptr):
    # and its normalisation: the sums repeated per stored value
    sums = np.add.reduceat(data, indptr[:-1])
    return data / np.repeat(sums, np.diff(indptr))


def paired_pseudobulk_tests(A, B):
    # donors measured in two conditions: Wilcoxon signed-rank and a paired t-test
    w = scipy.stats.wilcoxon(A, B)
    t = scipy.stats.ttest_rel(A, B)
    return w.statistic, w.pvalue, t.statistic, t.pvalue


def ks_and_binom_tests(x, y, k, n=20):
    ks = scipy.stats.ks_2samp(x, y)
    return ks.statistic, ks.pvalue, scipy.stats.binom.sf(k - 1, n, 0.1), \
        scipy.stats.poisson.sf(k, 2.5)


def library_size_histogram(X, n_bins=6):
    lib = np.log10(X.sum(1))
    dens, edges = np.histogram(lib, bins=n_bins, density=True)
    q = np.quantile(lib, [0.05, 0.5, 0.95], method="nearest")
    return dens, edges, q


def soft_assignment_logsumexp(X, centroids, temp=0.5):
    d = -((X[:, None] - centroids[None]) ** 2).sum(-1) / temp
    return np.exp(d - scipy.special.logsumexp(d, axis=1, keepdims=True))


MORE = {
    "fisher_exact_two_sided": _Xfail(
        "scipy.stats.fisher_exact(table).pvalue comes back as a Python float; SciPy gives "
        "np.float64", fisher_marker_enrichment, {}, lambda s, n: (
            np.array([[6 + s, 2], [1, 4 + n]]),)),
    "uint16_counts_promotion": (uint16_counts_qc, {}, lambda s, n: (
        _counts(s, 2 * n, 5, np.uint16),)),
    "csr_by_hand_reduceat": (csr_by_hand_reduceat, {}, lambda s, n: (
        _pos(s, 3 * n), np.r_[0, np.sort(_rng(s).choice(np.arange(1, 3 * n), 3, False)),
                             3 * n])),
    "paired_wilcoxon_ttest_rel": (paired_pseudobulk_tests, {}, lambda s, n: (
        _f(2 * n, seed=s) + 1, _f(2 * n, seed=s + 1))),
    "ks_2samp_binom_poisson_sf": (ks_and_binom_tests, {}, lambda s, n: (
        _f(n + 3, seed=s), _f(n + 4, seed=s + 1) + 0.5, _rng(s).integers(1, 8, n))),
    "library_size_histogram_density": (library_size_histogram, {}, lambda s, n: (
        _counts(s, 4 * n, 8),)),
    "soft_assignment_logsumexp": (soft_assignment_logsumexp, {}, lambda s, n: (
        _points(s, 2 * n), _points(s + 1, 3))),

    "int32_counts_float32_target": (normalize_int32_float32_target, {}, lambda s, n: (
        _counts(s, 2 * n, 6, np.int32),)),
    "zero_mito_module_mask_in_place": (zero_mito_inplace, {}, lambda s, n: (
        _counts(s, 2 * n, 14, np.float64),)),
    "scale_cells_fancy_in_place": (scale_cells_fancy_inplace, {}, lambda s, n: (
        _logn(s, 2 * n, 5), np.array([0, 2, 3]), _pos(s, 3))),
    "heatmap_order_stable_lexsort": (sort_cells_by_cluster_stable, {}, lambda s, n: (
        _logn(s, 3 * n, 5), _labels(s, 3 * n, 3))),
    "spearmanr_matrix": (gene_gene_spearman, {}, lambda s, n: (_logn(s, 3 * n, 4),)),
    "pearsonr_and_corrcoef": (gene_gene_pearson_corrcoef, {}, lambda s, n: (
        _logn(s, 3 * n, 4),)),
    "rankdata_all_methods_ties": (rankdata_methods, {}, lambda s, n: (_counts(s, 3 * n, 4),)),
    "zscore_scipy_ddof1": (zscore_scipy, {}, lambda s, n: (_logn(s, 3 * n, 4),)),
    "false_discovery_control": (false_discovery_control, {}, lambda s, n: (_pvals(s, n),)),
    "kruskal_per_gene_loop": (kruskal_per_gene, {}, lambda s, n: (
        _logn(s, 8 + n, 3), None)),
    "nb_loglik_gammaln_nbinom": (nb_loglik_moments, {}, lambda s, n: (
        _counts(s, 3 * n, 5).astype(float),)),
    "splatter_like_generator": (splatter_like_simulation, {"n_cells": 7}, lambda s, n: (
        _rng(s),)),
    "subsample_choice_no_replace_p": _Xfail(
        "Generator.choice(n, size=3, replace=False, p=traced): UnsupportedFunctionError; the "
        "shape is fixed, NumPy draws 3 distinct indices", subsample_cells_choice,
        {"n_sub": 3, "seed": 5}, lambda s, n: (_counts(s, 2 * n, 4),)),
    "permutation_test_labels": (permutation_test_labels, {"seed": 1}, lambda s, n: (
        _two_groups(s, n, 3), (np.arange(4 * n) < 2 * n).astype(np.int64))),
    "categorical_draws_searchsorted": (sample_multinomial_by_cumsum, {"seed": 9}, lambda s, n: (
        _pos(s, n),)),
    "einsum_signature_scores": (einsum_module_scores, {}, lambda s, n: (
        _logn(s, 2 * n, 6), _pos(s, 6, 2))),
    "float32_cov_eigh": (float32_eigh_cov, {}, lambda s, n: (_logn(s, 3 * n, 4) * 3,)),
    "cov_aweights_average": (weighted_cov_aweights, {}, lambda s, n: (
        _logn(s, 3 * n, 4), _pos(s, 3 * n))),
    "ecdf_interp_norm_ppf": (ecdf_quantile_transform, {}, lambda s, n: (_logn(s, 2 * n, 3),)),
    "nanmean_dropouts": (nanmean_dropouts, {}, lambda s, n: (
        _counts(s, 3 * n, 5).astype(float),)),
    "centroid_correlation_pdist": (cluster_centroid_distance_pdist, {}, lambda s, n: (
        _logn(s, 3 * n, 5), _labels(s, 3 * n, 3))),
    "bincount_float32_weights": (bincount_float32_weights, {}, lambda s, n: (
        _labels(s, 3 * n, 4), _pos(s, 3 * n).astype(np.float32))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_omics_forms_match_numpy(name):
    check_like_numpy(*MORE[name])


# ============================================================================ refused

_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError


def center_per_batch_max_label(X, batch):
    # the number of batches read off the labels: a shape from the data
    n_batches = batch.max() + 1
    sums = np.zeros((n_batches, X.shape[1]))
    np.add.at(sums, batch, X)
    return X - (sums / np.bincount(batch)[:, None])[batch]


def filter_cells(X, min_genes=3, max_pct_mt=20.0):
    n_genes = (X > 0).sum(1)
    pct_mt = 100 * X[:, MITO].sum(1) / X.sum(1)
    keep = (n_genes >= min_genes) & (pct_mt < max_pct_mt)
    return X[keep]


def filter_genes(X, min_cells=3):
    return X[:, (X > 0).sum(axis=0) >= min_cells]


def x2p_while_tolerance(D, perplexity=3.0, tol=1e-5):
    # the original x2p: a per-row bisection until |H - log U| < tol
    n = D.shape[0]
    P = np.zeros((n, n))
    logU = np.log(perplexity)
    for i in range(n):
        beta, bmin, bmax = 1.0, -np.inf, np.inf
        Di = np.delete(D[i], i)
        H, thisP = _hbeta(Di[None, :], np.array([beta]))
        tries = 0
        while np.abs(H[0] - logU) > tol and tries < 50:
            if H[0] > logU:
                bmin = beta
                beta = beta * 2 if bmax == np.inf else (beta + bmax) / 2
            else:
                bmax = beta
                beta = beta / 2 if bmin == -np.inf else (beta + bmin) / 2
            H, thisP = _hbeta(Di[None, :], np.array([beta]))
            tries += 1
        P[i, np.arange(n) != i] = thisP[0]
    return P


def cluster_means_unique(X, labels):
    return np.stack([X[labels == c].mean(0) for c in np.unique(labels)])


def significant_genes(lfc, p, alpha=0.05):
    q = benjamini_hochberg(p)
    return np.nonzero((q < alpha) & (np.abs(lfc) > 1))[0]


def report_if_significant(X, n1):
    t, p = scipy.stats.ttest_ind(X[:n1, 0], X[n1:, 0])
    if p < 0.05:
        return t
    return 0.0


def n_pcs_by_variance(X, threshold=0.9):
    U, S, Vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
    ratio = np.cumsum(S ** 2) / np.sum(S ** 2)
    n_pcs = np.argmax(ratio > threshold) + 1
    return U[:, :n_pcs] * S[:n_pcs]


def sparse_log1p_data(X):
    # log1p on the stored values only, the CSR .data idiom: as many values as nonzeros
    A = scipy.sparse.csr_matrix(X.astype(np.float32))
    A.data = np.log1p(A.data)
    return A.toarray()


def doublets_called(scores, threshold=0.25):
    return np.flatnonzero(scores > threshold)


REFUSED = {
    "n_batches_from_labels_max": (_Concretization, center_per_batch_max_label, lambda s: (
        _logn(s, 9, 4), _labels(s, 9, 3))),
    "filter_cells_boolean_rows": (_DataDependent, filter_cells, lambda s: (
        _counts(s, 10, 14),)),
    "filter_genes_boolean_columns": (_DataDependent, filter_genes, lambda s: (
        _counts(s, 8, 10),)),
    "welch_t_group_sizes_from_masks": (_DataDependent, welch_t_by_hand, lambda s: (
        _two_groups(s, 4), np.arange(16) % 2 == 0)),
    "rank_genes_groups_len_of_selection": (_DataDependent, rank_genes_groups_top, lambda s: (
        _two_groups(s, 4), _labels(s, 16, 3))),
    "x2p_while_perplexity_tolerance": (_Concretization, x2p_while_tolerance, lambda s: (
        scipy.spatial.distance.cdist(_points(s, 6), _points(s, 6), "sqeuclidean"),)),
    "cluster_means_over_np_unique": (_DataDependent, cluster_means_unique, lambda s: (
        _logn(s, 9, 4), _labels(s, 9, 3))),
    "significant_genes_nonzero": (_DataDependent, significant_genes, lambda s: (
        _f(12, seed=s) * 2, _pvals(s, 4))),
    "if_p_value_below_alpha": (_Concretization, report_if_significant, lambda s: (
        _two_groups(s, 4), 8)),
    "n_pcs_from_variance_threshold": (_DataDependent, n_pcs_by_variance, lambda s: (
        _logn(s, 10, 5),)),
    "csr_data_assignment_log1p": (tracenp.errors.UnsupportedFunctionError, sparse_log1p_data,
                                  lambda s: (_counts(s, 8, 6),)),
    "csr_by_hand_repeat_diff_indptr": (_DataDependent, csr_by_hand_normalize, lambda s: (
        _pos(s, 10), np.array([0, 3, 3, 7, 10]))),
    "doublets_flatnonzero": (_DataDependent, doublets_called, lambda s: (
        _rng(s).random(20),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Labels' maximum as a count of batches, cells and genes dropped by QC masks, group sizes
    and lengths of boolean selections, a `while` on the perplexity tolerance, loops over
    `np.unique`, significant genes by `np.nonzero`, `if` on a p-value, the number of PCs from
    the variance and a CSR's `.data`: the named error, NumPy's values
    under `fallback=True`."""
    check_refused(*REFUSED[name])
