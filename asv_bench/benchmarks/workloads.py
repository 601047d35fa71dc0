"""The workloads of `python -m tracenp.bench` as asv benchmarks (tracenp and NumPy side by side)."""

import numpy as np

import tracenp
from tracenp import bench


class Elementwise:
    params = ([1_000, 100_000, 10_000_000], ["numpy", "tracenp"])
    param_names = ["n", "tool"]

    def setup(self, n, tool):
        rng = np.random.default_rng(0)
        self.args = [rng.standard_normal(n) for _ in range(3)]
        self.fn = tracenp.jit(bench.expr_a) if tool == "tracenp" else bench.expr_a
        self.fn(*self.args)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_expr_a(self, n, tool):
        self.fn(*self.args)


class Axpy:
    params = ["numpy", "tracenp"]

    def setup(self, tool):
        rng = np.random.default_rng(0)
        self.a, self.b = rng.standard_normal(10_000_000), rng.standard_normal(10_000_000)
        self.fn = tracenp.jit(bench.axpy) if tool == "tracenp" else bench.axpy
        self.fn(self.a, self.b)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_axpy(self, tool):
        self.fn(self.a, self.b)


class Reductions:
    params = (["logsumexp", "softmax", "norm"], ["numpy", "tracenp"])
    param_names = ["workload", "tool"]

    def setup(self, workload, tool):
        rng = np.random.default_rng(0)
        self.x = (rng.standard_normal(10_000_000) if workload == "norm"
                  else rng.standard_normal((1000, 10000)))
        fn = getattr(bench, workload)
        self.fn = tracenp.jit(fn) if tool == "tracenp" else fn
        self.fn(self.x)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_reduction(self, workload, tool):
        self.fn(self.x)


class DenseRelu:
    params = ["numpy", "tracenp"]

    def setup(self, tool):
        rng = np.random.default_rng(0)
        self.args = (rng.standard_normal((1024, 1024)), rng.standard_normal((1024, 1024)),
                     rng.standard_normal(1024))
        self.fn = tracenp.jit(bench.dense_relu) if tool == "tracenp" else bench.dense_relu
        self.fn(*self.args)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_dense_relu(self, tool):
        self.fn(*self.args)


class Gradients:
    params = (["logreg", "mlp"], ["numpy", "tracenp"])
    param_names = ["model", "tool"]

    def setup(self, model, tool):
        rng = np.random.default_rng(0)
        if model == "logreg":
            x = rng.standard_normal((10000, 100))
            self.args = (rng.standard_normal(100) * 0.1, 0.1, x, (x[:, 0] > 0).astype(float))
            loss, by_hand, argnums = bench.logreg_loss, bench.logreg_by_hand, (0, 1)
        else:
            self.args = (rng.standard_normal((784, 256)) * 0.05, np.zeros(256),
                         rng.standard_normal((256, 10)) * 0.05, np.zeros(10),
                         rng.standard_normal((128, 784)), np.eye(10)[rng.integers(0, 10, 128)])
            loss, by_hand, argnums = bench.mlp_loss, bench.mlp_by_hand, (0, 1, 2, 3)
        self.fn = (tracenp.jit(tracenp.value_and_grad(loss, argnums=argnums))
                   if tool == "tracenp" else by_hand)
        self.fn(*self.args)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_value_and_grad(self, model, tool):
        self.fn(*self.args)


class SmallCall:
    params = ["numpy", "tracenp"]

    def setup(self, tool):
        self.x = np.arange(10.0)
        self.fn = tracenp.jit(bench.plus_one) if tool == "tracenp" else bench.plus_one
        self.fn(self.x)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_plus_one(self, tool):
        self.fn(self.x)


class _Cases:
    """A parameter per function of `cases(rng)` (`bench`'s (label, function, arguments))."""

    cases = staticmethod(bench.loop_cases)

    def setup(self, workload, tool):
        fn, self.args = next((fn, args) for _, fn, args in
                             self.cases(np.random.default_rng(0)) if fn.__name__ == workload)
        self.fn = tracenp.jit(fn) if tool == "tracenp" else fn
        bench.warm_up(lambda: self.fn(*self.args))  # time compiled code and builtin entries


class Loops(_Cases):
    """Python loops over elements, rows and small matrices, unrolled by `tracenp.jit`."""

    params = (["recurrence", "kalman_1d", "row_norms_loop", "pairwise_loops", "rnn_cell_loop",
               "kalman_4state"], ["numpy", "tracenp"])
    param_names = ["workload", "tool"]

    def time_loop(self, workload, tool):
        self.fn(*self.args)


class InPlaceUpdates:
    """Optimizer steps that update their parameters in place (`w -= lr * ...`)."""

    params = (["adam_step", "sgd_clip_step"], ["numpy", "tracenp"])
    param_names = ["workload", "tool"]

    def setup(self, workload, tool):
        rng = np.random.default_rng(0)
        n, count = (10**6, 4) if workload == "adam_step" else (10**4, 2)
        self.args = [np.abs(rng.standard_normal(n)) for _ in range(count)]
        fn = getattr(bench, workload)
        self.fn = tracenp.jit(fn) if tool == "tracenp" else fn
        self.fn(*self.args)
        tracenp.wait_compiled()  # time the compiled code, not the first calls' NumPy

    def time_update(self, workload, tool):
        self.fn(*self.args)


class SmallCalls(_Cases):
    """Functions on small arrays called once per step of a Python loop: the call's fixed
    cost is the time (`bench.small_call_cases`)."""

    params = (["norm", "mse", "softmax_1d", "cosine", "adam_step", "softmax_rows", "layer_norm",
               "accuracy", "rmsprop"], ["numpy", "tracenp"])
    param_names = ["workload", "tool"]
    cases = staticmethod(bench.small_call_cases)

    def time_call(self, workload, tool):
        self.fn(*self.args)
