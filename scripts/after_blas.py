"""How long do NumPy's BLAS threads slow down what runs after them?

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python scripts/after_blas.py

OpenBLAS's threads spin for a while after each call before they sleep. This times the
jitted logistic-regression gradient (two threads) at several delays after 20 calls of
NumPy's hand-written one (two gemv calls each): the median of 15 calls per round, the median
over rounds. `tracenp.bench` lets each tool run `SETTLE` seconds before it times it.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import tracenp
from tracenp.bench import logreg_by_hand, logreg_loss

DELAYS = (0.0, 0.01, 0.03, 0.1, 0.3)


def main(rounds: int = 30) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10000, 100))
    y = (x[:, 0] > 0).astype(float)
    w, b = rng.standard_normal(100) * 0.1, 0.1
    f = tracenp.jit(tracenp.value_and_grad(logreg_loss, argnums=(0, 1)))
    f(w, b, x, y)
    tracenp.wait_compiled()
    medians: dict[float, list[float]] = {d: [] for d in DELAYS}
    for _ in range(rounds):
        for delay in DELAYS:
            for _ in range(20):
                logreg_by_hand(w, b, x, y)
            time.sleep(delay)
            times = []
            for _ in range(15):
                start = time.perf_counter()
                f(w, b, x, y)
                times.append(time.perf_counter() - start)
            medians[delay].append(statistics.median(times))
    print("delay after NumPy's BLAS   tracenp logistic regression (median us)")
    for delay, values in medians.items():
        print(f"{delay:8.2f} s  {statistics.median(values) * 1e6:12.0f}")


if __name__ == "__main__":
    main()
