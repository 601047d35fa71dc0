"""`scipy.cluster` of traced arrays, run on the host (`scipy_host.host`).

Vector quantisation and k-means (`vq`, `kmeans2` with a fixed iteration count, `whiten`) and
hierarchical clustering (`linkage` and its methods, `fcluster`, `cophenet`, `leaves_list` and the
linkage statistics) check their arrays' values in Python and loop in Cython; their results' shapes
are their arguments' (a code per observation, `n - 1` merges). `kmeans`, whose code book
loses the centroids nothing is assigned to, raises when its size changes as the function
runs; `cut_tree`, `fclusterdata` and the tree and plotting helpers stay SciPy's own.
"""

from __future__ import annotations

import numpy as np

from .. import host_ops, lax
from .scipy_host import _route

VQ = ("vq", "kmeans", "kmeans2", "whiten")
HIERARCHY = ("linkage", "single", "complete", "average", "weighted", "centroid", "median",
             "ward", "fcluster", "cophenet", "leaves_list", "inconsistent",
             "maxdists", "maxinconsts", "maxRstat", "optimal_leaf_ordering")


def _centroids(data, k) -> np.ndarray:
    """Stand-in centroids: k of them (or the code book's rows) in the data's float type."""
    data = lax.lift(data)
    count = k if isinstance(k, int) else np.shape(k)[0]
    dtype = np.float32 if data.dtype == np.float32 else np.float64
    return np.zeros((count, *data.shape[1:]), dtype)


def _kmeans2_outcome(arguments: dict) -> host_ops.Outcome:
    """kmeans2's centroids and an int32 label per observation: stand-in values leave
    clusters empty, which SciPy fails on."""
    labels = np.zeros(np.shape(arguments["data"])[:1], np.int32)
    return host_ops.outcome_of((_centroids(arguments["data"], arguments["k"]), labels),
                               "scipy.cluster.vq.kmeans2")


def _kmeans_outcome(arguments: dict) -> host_ops.Outcome:
    """kmeans' code book and distortion; the book loses the centroids nothing is assigned
    to, which raises when the function runs."""
    book = _centroids(arguments["obs"], arguments["k_or_guess"])
    return host_ops.outcome_of((book, np.float64(0.0)), "scipy.cluster.vq.kmeans")


OUTCOMES = {"kmeans2": _kmeans2_outcome, "kmeans": _kmeans_outcome}


def vq_routes() -> list:
    import scipy.cluster.vq as vq

    return [(vq, {name: _route(getattr(vq, name), f"scipy.cluster.vq.{name}", typical=True,
                               outcome=OUTCOMES.get(name))
                  for name in VQ})]


def hierarchy_routes() -> list:
    import scipy.cluster.hierarchy as hierarchy

    return [(hierarchy, {name: _route(getattr(hierarchy, name),
                                      f"scipy.cluster.hierarchy.{name}", typical=True)
                         for name in HIERARCHY})]
