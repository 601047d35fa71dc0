"""When does splitting a kernel over threads pay? One thread against `--threads`, by size.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python scripts/thread_split.py

Every size is split (the `PARALLEL_MIN` threshold is lowered for the measurement), so the
table shows what a split costs and gains at each size: the hand-off to the thread pool
against the work it shares. Times are the lower quartile of repeated calls.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tracenp
from tracenp.lowering import llvm


def quartile(fn, calls: int = 200) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    llvm.PARALLEL_MIN = 1 << 10
    rng = np.random.default_rng(0)
    kernels = {"x*2+1": lambda x: x * 2.0 + 1.0, "exp(x)*0.5": lambda x: np.exp(x) * 0.5}
    print(f"{'kernel':12s}{'elements':>10s}{'1 thread':>12s}{f'{args.threads} threads':>12s}"
          f"{'speed-up':>10s}")
    for n in (1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 19):
        x = rng.standard_normal((n // 256, 256))
        for name, fn in kernels.items():
            f = tracenp.jit(fn)
            f(x)
            tracenp.wait_compiled()
            times = {}
            for threads in (1, args.threads):
                tracenp.config.num_threads = threads
                f(x)
                times[threads] = quartile(lambda: f(x))
            print(f"{name:12s}{n:>10d}{times[1] * 1e6:>10.1f}us{times[args.threads] * 1e6:>10.1f}us"
                  f"{times[1] / times[args.threads]:>9.2f}x")


if __name__ == "__main__":
    main()
