"""Optimizer time on graphs of about 1,000 nodes (target: under 100 ms each, issue 5).

Run with asv, or directly: `python asv_bench/benchmarks/optimizer.py` prints each time.
"""

from __future__ import annotations

import time

import numpy as np

import tracenp
from tracenp.compile import optimize


def _mixed_layer(x, i):
    """A few ops of each kind the rewrite sets look at, most of them rewritable."""
    y = np.log(1 + np.exp(x * 1.0)) + (-(-x)) ** 2
    y = y / np.sum(np.exp(y), axis=1, keepdims=True) + np.sqrt(x * x + y * y)
    return np.tanh(y.T.T.reshape(-1).reshape(x.shape)[::1] + float(i))


def _chain(n_layers):
    def f(x):
        for i in range(n_layers):
            x = _mixed_layer(x, i)
        return np.log(np.sum(np.exp(x), axis=1))

    return f


def _mlp_grad(n_layers):
    def loss(ws, x):
        h = x
        for w in ws:
            h = np.tanh(h @ w + 0.0)
        return np.log(np.sum(np.exp(h))) - np.mean(h * 1.0)

    return tracenp.grad(loss)


class OptimizeLargeGraph:
    """`optimize()` alone, on traced graphs of about 1,000 nodes."""

    params = ["mixed_ops", "mlp_gradient"]
    param_names = ["graph"]

    def setup(self, graph):
        rng = np.random.default_rng(0)
        if graph == "mixed_ops":
            self.graph = tracenp.jit(_chain(45)).graph(rng.standard_normal((8, 16)),
                                                       optimized=False)
        else:
            ws = [rng.standard_normal((16, 16)) for _ in range(90)]
            self.graph = tracenp.jit(_mlp_grad(90)).graph(ws, rng.standard_normal((8, 16)),
                                                          optimized=False)

    def time_optimize(self, graph):
        optimize(self.graph)

    def time_optimize_exact_only(self, graph):
        optimize(self.graph, stabilize=False)

    def track_nodes(self, graph):
        return len(self.graph.nodes())


if __name__ == "__main__":
    bench = OptimizeLargeGraph()
    for g in bench.params:
        bench.setup(g)
        for name in ("time_optimize", "time_optimize_exact_only"):
            t0 = time.perf_counter()
            getattr(bench, name)(g)
            print(f"{g:12s} {name:26s} {bench.track_nodes(g)} nodes "
                  f"{(time.perf_counter() - t0) * 1e3:.1f} ms")
