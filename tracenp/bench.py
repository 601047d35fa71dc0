"""`python -m tracenp.bench`: tracenp against NumPy and its peers, side by side in one process.

Prints the median time per call of each workload (float64) for NumPy, tracenp and, where
installed, numexpr, Numba (`parallel=True`; (h)'s loops, (i)'s small step and (j)'s small
calls plain `njit`) and JAX (CPU, x64; not for updates in place: its arrays are immutable),
with each time's ratio to NumPy
(NumPy's time / the tool's: above 1 is faster). Run it without BLAS throttling:
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m tracenp.bench` (`make bench`).
`--quick` shrinks the repeat counts; `--only a,c` picks workloads.
"""

from __future__ import annotations

import argparse
import copy
import functools
import inspect
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable

import numpy as np

import tracenp

TOOLS = ("numpy", "tracenp", "numexpr", "numba", "jax")


WARM_RUNS = 5  # fresh processes timed for (g)'s warm first call
SETTLE = 0.2  # seconds of a tool's own calls before its timed ones, in each round
ROUNDS = 3  # rounds in which a workload's tools are timed in turn


def warm_up(fn: Callable) -> None:
    """The first calls, and the compiles they start: the graph's, then a small launch's
    builtin entry."""
    for _ in range(3):
        fn()
        tracenp.wait_compiled()


def call_times(fn: Callable, budget: float = 0.15, max_reps: int = 70) -> list[float]:
    """Seconds of each call of `fn()` in steady use, within a time budget.

    Untimed calls go on for `SETTLE` seconds first: after a BLAS call OpenBLAS's threads keep
    spinning for 0.1 to 0.3 s, and whatever runs next on the other core (the next tool's
    threads) would otherwise pay for the previous tool's BLAS."""
    start = time.perf_counter()
    while time.perf_counter() - start < SETTLE:
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < 5 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def small_call_times(fn: Callable, n: int = 20000) -> list[float]:
    """Per-call seconds of a very cheap call, in batches of `n`."""
    batches = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        batches.append((time.perf_counter() - t) / n)
    return batches


def median_times(row: dict, timer: Callable[[Callable], list[float]], label: str) -> dict:
    """{tool: median seconds per call, or the exception it raised}. The tools take turns for
    `ROUNDS` rounds and each median pools its rounds: this shared machine's speed drifts by
    up to 2x over seconds, which timing one tool after another would report as ratios."""
    samples: dict = {}
    for tool, fn in row.items():
        try:
            warm_up(fn)
            samples[tool] = []
        except Exception as e:  # a tool that cannot run a workload is shown as such
            print(f"{label}: {tool} failed: {type(e).__name__}: {e}", file=sys.stderr)
            samples[tool] = e
    for _ in range(ROUNDS):
        for tool, fn in row.items():
            if isinstance(samples[tool], list):
                samples[tool] += timer(fn)
    return {tool: v if isinstance(v, Exception) else statistics.median(v)
            for tool, v in samples.items()}


# ----------------------------------------------------------------------------- workloads


def expr_a(a, b, c, xp=np):
    return a * b + c * xp.sin(a) - xp.exp(-b * b)


def axpy(a, b):
    return a * 2.0 + b


def logsumexp(x, xp=np):
    m = x.max(axis=1, keepdims=True)
    return m + xp.log(xp.exp(x - m).sum(axis=1, keepdims=True))


def softmax(x, xp=np):
    e = xp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def norm(x, xp=np):
    return xp.sqrt((x * x).sum())


def dense_relu(x, w, b, xp=np):
    return xp.maximum(x @ w + b, 0)


def logreg_loss(w, b, x, y, xp=np):
    p = 1.0 / (1.0 + xp.exp(-(x @ w + b)))
    return -xp.mean(y * xp.log(p) + (1 - y) * xp.log(1 - p))


def logreg_by_hand(w, b, x, y):
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    g = (p - y) / len(y)
    return loss, (x.T @ g, g.sum())


def mlp_loss(w1, b1, w2, b2, x, t, xp=np):
    h = xp.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    m = z.max(axis=1, keepdims=True)
    logp = z - m - xp.log(xp.exp(z - m).sum(axis=1, keepdims=True))
    return -xp.sum(logp * t) / len(x)


def mlp_by_hand(w1, b1, w2, b2, x, t):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    loss = -np.sum((z - m - np.log(s)) * t) / len(x)
    dz = (e / s - t) / len(x)
    dh = (dz @ w2.T) * (1 - h * h)
    return loss, (x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0))


def plus_one(x):
    return x + 1


def mse(a, b, xp=np):
    return xp.mean((a - b) ** 2)


def softmax_1d(x, xp=np):
    e = xp.exp(x - x.max())
    return e / e.sum()


def cosine(a, b, xp=np):
    return a @ b / (xp.sqrt(a @ a) * xp.sqrt(b @ b))


def softmax_rows(x, xp=np):
    e = xp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def layer_norm(x, g, b, xp=np):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / xp.sqrt(var + 1e-5) * g + b


def accuracy(p, y, xp=np):
    return xp.mean(xp.argmax(p, axis=1) == y)


def rmsprop(w, dw, config):
    """CS231n's update rule: the running cache lives in a config dict, returned with it."""
    config["cache"] = (config["decay_rate"] * config["cache"]
                       + (1 - config["decay_rate"]) * dw ** 2)
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config


def adam_step(w, g, m, v, lr=1e-3):
    """An optimizer step as NumPy code writes it: every parameter updated in place."""
    m *= 0.9
    m += 0.1 * g
    v *= 0.999
    v += 0.001 * g * g
    w -= lr * m / (np.sqrt(v) + 1e-8)


def sgd_clip_step(w, g, lr=0.01):
    """A clipped gradient step on a small parameter vector."""
    w -= lr * np.clip(g, -1.0, 1.0)
    return w


def recurrence(x, a=0.9):
    """A first-order linear recurrence written as a loop over elements."""
    y = np.empty_like(x)
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        y[i] = a * y[i - 1] + x[i]
    return y


def kalman_1d(z, q=1e-5, r=0.01):
    """A scalar Kalman filter over a series, the textbook loop."""
    x, p = 0.0, 1.0
    xs = np.zeros_like(z)
    for k in range(z.shape[0]):
        p = p + q
        gain = p / (p + r)
        x = x + gain * (z[k] - x)
        p = (1 - gain) * p
        xs[k] = x
    return xs


def row_norms_loop(X):
    """A loop over rows, each reduced."""
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = np.sqrt((X[i] ** 2).sum())
    return out


def pairwise_loops(X):
    """Two loops over rows, one element of a distance matrix each."""
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            D[i, j] = np.sqrt(np.sum((X[i] - X[j]) ** 2))
    return D


def rnn_cell_loop(xs, W, U, b):
    """A small recurrent network over a sequence: one tiny matrix-vector product per step."""
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return h


def kalman_4state(zs, F, H):
    """A constant-velocity Kalman filter with 4x4 matrices, the textbook loop."""
    x, P = np.zeros(4), np.eye(4)
    Q, R = 0.01 * np.eye(4), 0.1 * np.eye(2)
    for z in zs:
        x, P = F @ x, F @ P @ F.T + Q
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        x = x + K @ (z - H @ x)
        P = (np.eye(4) - K @ H) @ P
    return x


# ----------------------------------------------------------------------------- peers


def _peer_modules() -> dict:
    mods = {}
    for name in ("numexpr", "numba", "jax"):
        try:
            if name == "jax":
                os.environ.setdefault("JAX_PLATFORMS", "cpu")
                import jax

                jax.config.update("jax_enable_x64", True)
                mods[name] = jax
            else:
                mods[name] = __import__(name)
        except Exception:  # an installed but broken peer is reported as absent
            continue
    return mods


def _jax(jax, fn, grad_argnums=None):
    if "xp" in inspect.signature(fn).parameters:  # the same code, on jax.numpy
        fn = functools.partial(fn, xp=jax.numpy)
    if grad_argnums is not None:
        fn = jax.value_and_grad(fn, argnums=grad_argnums)
    f = jax.jit(fn)
    return lambda *a: jax.block_until_ready(f(*a))


def _numba_kernels(numba):
    njit, prange = numba.njit, numba.prange

    @njit(parallel=True, fastmath=False)
    def nb_a(a, b, c):
        return a * b + c * np.sin(a) - np.exp(-b * b)

    @njit(parallel=True)
    def nb_axpy(a, b):
        return a * 2.0 + b

    @njit(parallel=True)
    def nb_lse(x):
        out = np.empty(x.shape[0])
        for i in prange(x.shape[0]):
            m = x[i].max()
            out[i] = m + np.log(np.exp(x[i] - m).sum())
        return out

    @njit(parallel=True)
    def nb_softmax(x):
        out = np.empty_like(x)
        for i in prange(x.shape[0]):
            e = np.exp(x[i] - x[i].max())
            out[i] = e / e.sum()
        return out

    @njit(parallel=True)
    def nb_norm(x):
        return np.sqrt((x * x).sum())

    @njit(parallel=True)
    def nb_dense(x, w, b):
        return np.maximum(x @ w + b, 0.0)

    @njit
    def nb_plus_one(x):
        return x + 1

    @njit
    def nb_mse(a, b):
        return np.mean((a - b) ** 2)

    @njit
    def nb_softmax_1d(x):
        e = np.exp(x - x.max())
        return e / e.sum()

    @njit
    def nb_cosine(a, b):
        return a @ b / (np.sqrt(a @ a) * np.sqrt(b @ b))

    loops = {f.__name__: njit(f) for f in (recurrence, kalman_1d, row_norms_loop,
                                           pairwise_loops, sgd_clip_step)}
    loops["adam_step"] = njit(parallel=True)(adam_step)
    small = {"norm": njit(nb_norm.py_func), "mse": nb_mse, "softmax_1d": nb_softmax_1d,
             "cosine": nb_cosine, "adam_step": njit(adam_step)}  # (j): plain njit
    return dict(a=nb_a, axpy=nb_axpy, lse=nb_lse, softmax=nb_softmax, norm=nb_norm,
                dense=nb_dense, plus_one=nb_plus_one, small=small, **loops)


# ----------------------------------------------------------------------------- the table


def workloads(peers: dict, rng: np.random.Generator) -> list:
    """(label, {tool: zero-argument callable})."""
    jit = tracenp.jit
    ne = peers.get("numexpr")
    nb = _numba_kernels(peers["numba"]) if "numba" in peers else {}
    jx = peers.get("jax")
    rows = []
    for n in (1000, 100_000, 10_000_000):
        a, b, c = (rng.standard_normal(n) for _ in range(3))
        f = jit(expr_a)
        row = {"numpy": lambda a=a, b=b, c=c: expr_a(a, b, c),
               "tracenp": lambda a=a, b=b, c=c, f=f: f(a, b, c)}
        if ne:
            row["numexpr"] = lambda a=a, b=b, c=c: ne.evaluate("a*b + c*sin(a) - exp(-b*b)")
        if nb:
            row["numba"] = lambda a=a, b=b, c=c: nb["a"](a, b, c)
        if jx:
            g = _jax(jx, expr_a)
            row["jax"] = lambda a=a, b=b, c=c, g=g: g(a, b, c)
        rows.append((f"(a) a*b+c*sin(a)-exp(-b*b) n={n:.0e}", row))
    a, b = rng.standard_normal(10_000_000), rng.standard_normal(10_000_000)
    f = jit(axpy)
    row = {"numpy": lambda: axpy(a, b), "tracenp": lambda f=f: f(a, b)}
    if ne:
        row["numexpr"] = lambda: ne.evaluate("a*2.0 + b", local_dict={"a": a, "b": b})
    if nb:
        row["numba"] = lambda: nb["axpy"](a, b)
    if jx:
        g = _jax(jx, axpy)
        row["jax"] = lambda g=g: g(a, b)
    rows.append(("(b) a*2.0+b n=1e7", row))
    x = rng.standard_normal((1000, 10000))
    for label, fn, key in (("(c) logsumexp 1000x10000 axis 1", logsumexp, "lse"),
                           ("(c) softmax 1000x10000 axis 1", softmax, "softmax")):
        f = jit(fn)
        row = {"numpy": lambda fn=fn: fn(x), "tracenp": lambda f=f: f(x)}
        if nb:
            row["numba"] = lambda k=key: nb[k](x)
        if jx:
            g = _jax(jx, fn)
            row["jax"] = lambda g=g: g(x)
        rows.append((label, row))
    v = rng.standard_normal(10_000_000)
    f = jit(norm)
    row = {"numpy": lambda: norm(v), "tracenp": lambda f=f: f(v)}
    if ne:
        row["numexpr"] = lambda: np.sqrt(ne.evaluate("sum(v*v)", local_dict={"v": v}))
    if nb:
        row["numba"] = lambda: nb["norm"](v)
    if jx:
        g = _jax(jx, norm)
        row["jax"] = lambda g=g: g(v)
    rows.append(("(c) sqrt((x*x).sum()) n=1e7", row))
    xm, wm, bm = (rng.standard_normal((1024, 1024)), rng.standard_normal((1024, 1024)),
                  rng.standard_normal(1024))
    f = jit(dense_relu)
    row = {"numpy": lambda: dense_relu(xm, wm, bm), "tracenp": lambda f=f: f(xm, wm, bm)}
    if nb:
        row["numba"] = lambda: nb["dense"](xm, wm, bm)
    if jx:
        g = _jax(jx, dense_relu)
        row["jax"] = lambda g=g: g(xm, wm, bm)
    rows.append(("(d) maximum(x@W+b, 0) 1024^2", row))
    X = rng.standard_normal((10000, 100))
    y = (X[:, 0] + 0.5 * rng.standard_normal(10000) > 0).astype(float)
    w, b0 = rng.standard_normal(100) * 0.1, 0.1
    f = jit(tracenp.value_and_grad(logreg_loss, argnums=(0, 1)))
    row = {"numpy": lambda: logreg_by_hand(w, b0, X, y), "tracenp": lambda f=f: f(w, b0, X, y)}
    if jx:
        g = _jax(jx, logreg_loss, (0, 1))
        row["jax"] = lambda g=g: g(w, b0, X, y)
    rows.append(("(e) logistic regression value+grad", row))
    p = (rng.standard_normal((784, 256)) * 0.05, np.zeros(256),
         rng.standard_normal((256, 10)) * 0.05, np.zeros(10))
    xb = rng.standard_normal((128, 784))
    tb = np.eye(10)[rng.integers(0, 10, 128)]
    f = jit(tracenp.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3)))
    row = {"numpy": lambda: mlp_by_hand(*p, xb, tb), "tracenp": lambda f=f: f(*p, xb, tb)}
    if jx:
        g = _jax(jx, mlp_loss, (0, 1, 2, 3))
        row["jax"] = lambda g=g: g(*p, xb, tb)
    rows.append(("(e) MLP 784-256-10 value+grad", row))
    return rows


def loop_cases(rng: np.random.Generator) -> list[tuple[str, Callable, tuple]]:
    """(label, function, arguments) of the (h) workloads."""
    return [("(h) y[i]=a*y[i-1]+x[i], 300 steps", recurrence, (rng.standard_normal(300),)),
            ("(h) scalar Kalman filter, 200 steps", kalman_1d, (rng.standard_normal(200),)),
            ("(h) out[i]=sqrt((X[i]**2).sum()) x150", row_norms_loop,
             (rng.standard_normal((150, 64)),)),
            ("(h) D[i,j]=|X[i]-X[j]|, 30x30", pairwise_loops, (rng.standard_normal((30, 3)),)),
            ("(h) tanh(W@h+U@x[t]+b), H=8, 40 steps", rnn_cell_loop,
             (rng.standard_normal((40, 3)), rng.standard_normal((8, 8)) * 0.3,
              rng.standard_normal((8, 3)) * 0.3, rng.standard_normal(8))),
            ("(h) Kalman, 4x4 matrices, 20 steps", kalman_4state,
             (rng.standard_normal((20, 2)), np.eye(4) + 0.1 * np.diag(np.ones(2), 2),
              np.eye(2, 4)))]


def loop_rows(peers: dict, rng: np.random.Generator) -> list:
    """(h): Python loops over elements and rows, unrolled by `jit` (Numba compiles the
    same loop; JAX unrolls it as tracenp does)."""
    return _case_rows(loop_cases(rng), _numba_kernels(peers["numba"]) if "numba" in peers
                      else {})


def update_rows(peers: dict, rng: np.random.Generator) -> list:
    """(i): parameters updated in place, as a training loop calls an optimizer step."""
    cases = []
    for label, fn, n, arrays in (("(i) Adam step in place, n=1e6", adam_step, 10**6, 4),
                                 ("(i) clipped SGD step in place, n=1e4", sgd_clip_step,
                                  10**4, 2)):
        made = [rng.standard_normal(n) for _ in range(arrays)]
        if arrays == 4:
            made[3] = np.abs(made[3])
        cases.append((label, fn, tuple(made)))
    return _case_rows(cases, _numba_kernels(peers["numba"]) if "numba" in peers else {})


def small_call_cases(rng: np.random.Generator) -> list[tuple[str, Callable, tuple]]:
    """(j): functions on small arrays that a Python loop calls once per step (an objective
    handed to an optimizer, a metric, an optimizer step): the call's fixed cost is the time."""
    x, y = rng.standard_normal(100), rng.standard_normal(100)
    w, g, m, v = (rng.standard_normal(100) for _ in range(4))
    config = {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8,
              "cache": np.zeros((12, 12))}
    return [("(j) sqrt((x*x).sum()), n=1000", norm, (rng.standard_normal(1000),)),
            ("(j) mean((a-b)**2), n=100", mse, (x, y)),
            ("(j) softmax of a vector, n=100", softmax_1d, (x,)),
            ("(j) cosine similarity, n=100", cosine, (x, y)),
            ("(j) Adam step in place, n=100", adam_step, (w, g, m, np.abs(v))),
            ("(j) softmax along rows, 16x10", softmax_rows, (rng.standard_normal((16, 10)),)),
            ("(j) layer norm, 8x32", layer_norm,
             (rng.standard_normal((8, 32)), rng.standard_normal(32), rng.standard_normal(32))),
            ("(j) accuracy, argmax of 64x10", accuracy,
             (rng.standard_normal((64, 10)), rng.integers(0, 10, 64))),
            ("(j) rmsprop, config dict, 12x12", rmsprop,
             (rng.standard_normal((12, 12)), rng.standard_normal((12, 12)), config))]


def small_call_rows(peers: dict, rng: np.random.Generator) -> list:
    return _case_rows(small_call_cases(rng),
                      _numba_kernels(peers["numba"])["small"] if "numba" in peers else {},
                      peers.get("jax"))


def _case_rows(cases: list, nb: dict, jax=None) -> list:
    """The rows of (label, function, arguments) cases: NumPy, tracenp, Numba's kernel of the
    function's name in `nb`, and with `jax` JAX's jit of functions that do not write their
    arguments; each tool its own copies of the arguments, which a step updates in place."""
    rows = []
    for label, fn, args in cases:
        copies = {tool: copy.deepcopy(list(args)) for tool in TOOLS}
        f = tracenp.jit(fn)
        row = {"numpy": lambda fn=fn, a=copies["numpy"]: fn(*a),
               "tracenp": lambda f=f, a=copies["tracenp"]: f(*a)}
        if fn.__name__ in nb:
            row["numba"] = lambda g=nb[fn.__name__], a=copies["numba"]: g(*a)
        if jax is not None and fn not in (adam_step, sgd_clip_step, rmsprop):  # (immutable
            # arrays; a dict it would not update)
            row["jax"] = lambda h=_jax(jax, fn), a=copies["jax"]: h(*a)
        rows.append((label, row))
    return rows


def small_rows(peers: dict) -> list:
    x10 = np.arange(10.0)
    f = tracenp.jit(plus_one)
    row = {"numpy": lambda: plus_one(x10), "tracenp": lambda: f(x10)}
    if "numba" in peers:
        nb = _numba_kernels(peers["numba"])["plus_one"]
        row["numba"] = lambda: nb(x10)
    if "jax" in peers:
        g = _jax(peers["jax"], plus_one)
        row["jax"] = lambda: g(x10)
    return [("(f) x+1, 10 elements", row)]


_FIRST_CALL = """
import time, numpy as np
t0 = time.perf_counter()
import tracenp
t1 = time.perf_counter()
a = np.ones(1000)
f = tracenp.jit(lambda a, b, c: a * b + c * np.sin(a) - np.exp(-b * b))
t2 = time.perf_counter()
f(a, a, a)
t3 = time.perf_counter()
tracenp.wait_compiled()
t4 = time.perf_counter()
from tracenp.lowering.llvm_jit import STATS
print(t3 - t2, t4 - t2, STATS.codegen)
"""


def first_call() -> dict:
    """(g): a fresh process's first call (trace, optimize, compile or start compiling, run),
    and the time until compiled code serves calls; with an empty disk cache (compiling in
    the background, then on the call), then with the cache the first process filled.

    Python's bytecode is cached for these processes as an installed package's is (this
    machine sets PYTHONDONTWRITEBYTECODE, which would time the compilation of tracenp's own
    sources); a first process fills that cache only. A warm start is a few ms, so one
    process's time is mostly this machine's noise: it is the median of `WARM_RUNS`."""
    out = {}
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(d, "pyc"))
        for name in ("PYTHONDONTWRITEBYTECODE", "TRACENP_NO_CACHE", "TRACENP_FLAGS"):
            env.pop(name, None)
        runs = [("bytecode", "background_compile=False", "prime"),
                ("cold, compiling in the background", "", "cold-bg"),
                ("cold, compiling on the call", "background_compile=False", "cold-sync")]
        runs += [(f"warm, median of {WARM_RUNS} processes", "", "cold-bg")] * WARM_RUNS
        for label, flags, cache in runs:
            res = subprocess.run([sys.executable, "-c", _FIRST_CALL], check=True,
                                 env=dict(env, TRACENP_FLAGS=flags,
                                          TRACENP_CACHE_DIR=os.path.join(d, cache)),
                                 capture_output=True, text=True)
            first, ready, codegen = res.stdout.split()
            if label != "bytecode":
                out.setdefault(label, []).append((float(first), float(ready), int(codegen)))
    return {label: tuple(statistics.median(v) for v in zip(*times))
            for label, times in out.items()}


def run(only: set | None, quick: bool) -> str:
    # (g) first, before any peer is imported: threads of this process that spin after the
    # other workloads (JAX's, Numba's, OpenBLAS's) took cores from the processes it times
    first = first_call() if not only or "g" in only else {}
    peers = _peer_modules()
    rng = np.random.default_rng(0)
    tools = [t for t in TOOLS if t in ("numpy", "tracenp") or t in peers]
    budget = 0.05 if quick else 0.15
    lines = [f"tracenp {tracenp.__version__}  numpy {np.__version__}  threads "
             f"{tracenp.config.num_threads}  peers: {', '.join(sorted(peers)) or 'none'}",
             "median time per call; (xN.N) = NumPy time / tool time, above 1 is faster", ""]
    head = f"{'workload':40s}" + "".join(f"{t:>20s}" for t in tools)
    lines += [head, "-" * len(head)]
    rows = []
    if not only or only & {"a", "b", "c", "d", "e"}:
        rows += [r for r in workloads(peers, rng) if not only or r[0][1] in only]
    if not only or "f" in only:
        rows += small_rows(peers)
    if not only or "h" in only:
        rows += loop_rows(peers, rng)
    if not only or "i" in only:
        rows += update_rows(peers, rng)
    if not only or "j" in only:
        rows += small_call_rows(peers, rng)
    for label, row in rows:
        timer = small_call_times if label.startswith(("(f)", "(j)")) else (
            lambda fn: call_times(fn, budget))
        times = median_times({t: row[t] for t in tools if t in row}, timer, label)
        base = times.get("numpy")
        cells = []
        for tool in tools:
            t = times.get(tool)
            if t is None:
                cells.append(f"{'-':>20s}")
            elif isinstance(t, Exception):
                cells.append(f"{'error':>20s}")
            else:
                cells.append(f"{_fmt(t):>11s} (x{base / t:5.2f})")
        lines.append(f"{label:40s}" + "".join(cells))
        print(lines[-1], flush=True)
    for label, (start, ready, codegen) in first.items():
        lines.append(f"(g) first call, {label}: {_fmt(start)}; compiled code serves "
                     f"calls after {_fmt(ready)} ({codegen} modules compiled by LLVM)")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated workload letters (a-j)")
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
    only = set(filter(None, args.only.split(","))) or None
    print()
    print(run(only, args.quick))


if __name__ == "__main__":
    main()
