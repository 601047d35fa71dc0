"""`make demo`: an unmodified NumPy function, made faster by `@tracenp.jit`.

Prints the result check, the graph tracenp compiled, and the speed-up against
NumPy measured in the same run (median of repeated calls).
"""

from __future__ import annotations

import time

import numpy as np

import tracenp


def blend(a, b, c):
    """Plain NumPy: five temporaries and five passes over memory when run eagerly."""
    return a * b + c * np.sin(a) - np.exp(-b * b)


def logsumexp_rows(x):
    m = x.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))[:, 0]


def median_time(fn, *args, repeat: int = 15) -> float:
    fn(*args)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    rng = np.random.default_rng(0)
    n = 2_000_000
    a, b, c = (rng.standard_normal(n) for _ in range(3))
    x = rng.standard_normal((500, 4000))
    print(f"tracenp {tracenp.__version__}  (mode {tracenp.config.mode}, "
          f"{tracenp.config.num_threads} threads)\n")
    rows = []
    for name, fn, args in [("a*b + c*sin(a) - exp(-b*b), n=2e6", blend, (a, b, c)),
                           ("logsumexp over rows, 500x4000", logsumexp_rows, (x,))]:
        fast = tracenp.jit(fn)
        fast(*args)  # runs with NumPy while LLVM compiles the graph in the background
        tracenp.wait_compiled()
        np.testing.assert_allclose(fast(*args), fn(*args), rtol=1e-9, atol=1e-12)
        t_np, t_tn = median_time(fn, *args), median_time(fast, *args)
        rows.append((name, t_np, t_tn))
    print(f"{'workload':40s} {'NumPy':>10s} {'tracenp':>10s} {'speed-up':>9s}")
    for name, t_np, t_tn in rows:
        print(f"{name:40s} {t_np * 1e3:8.2f}ms {t_tn * 1e3:8.2f}ms {t_np / t_tn:8.1f}x")
    print("\nThe graph tracenp traced from `blend` (results match NumPy):")
    print(tracenp.jit(blend).graph(a[:4], b[:4], c[:4]))


if __name__ == "__main__":
    main()
