"""Time every function of the corpus tables under `jit` against NumPy, one row each.

The corpus tables (`tests/test_corpus*.py`: dicts of name -> (function, static keyword
arguments, make_args(seed, n)); a `*DRAWS` table's functions take a generator after those)
are NumPy code as public projects write it. This walks them
at one size, compiles each function (waiting for background compiles), and prints a
tab-separated row per function as soon as it is timed (so a run cut short keeps what it
printed): module, table, name, NumPy's and tracenp's best time in us, and their ratio (above
1: tracenp is faster); ERR rows name what was raised. Not an asv benchmark: a map of where
compiled code is slower than NumPy. Run on a quiet machine, from the repository root:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python asv_bench/corpus_survey.py 48
"""

from __future__ import annotations

import argparse
import copy
import glob
import importlib
import os
import signal
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import numpy as np  # noqa: E402

import tracenp  # noqa: E402


class _TooLong(BaseException):
    pass


def _alarm(*_):
    raise _TooLong


def best_time(fn, args: tuple, budget: float = 0.02) -> float:
    """The fastest of repeated calls within `budget` seconds (at least 3)."""
    times: list[float] = []
    start = time.perf_counter()
    while (time.perf_counter() - start < budget or len(times) < 3) and len(times) < 2000:
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def tables(module):
    """(table name, dict) of the module's corpus tables."""
    for name, table in list(vars(module).items()):  # a traced function may add globals
        if isinstance(table, dict) and table and all(
                isinstance(row, tuple) and len(row) == 3 and callable(row[0])
                and isinstance(row[1], dict) and callable(row[2]) for row in table.values()):
            yield name, table


def survey(n: int, modules: list[str], limit_s: int) -> None:
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore")
    for mname in modules:
        module = importlib.import_module(mname)
        for tname, table in tables(module):
            for name, (fn, static, make) in table.items():
                signal.alarm(limit_s)
                try:
                    args = make(1, n)
                    if tname.endswith("DRAWS"):  # its functions take a generator last
                        args = (*args, np.random.default_rng(7))
                    with np.errstate(all="ignore"):
                        jf = tracenp.jit(fn, static_argnames=tuple(static))
                        for _ in range(2):
                            jf(*copy.deepcopy(args), **static)
                            tracenp.wait_compiled()
                        a_np, a_jit = copy.deepcopy(args), copy.deepcopy(args)
                        t_np = min(best_time(lambda *a: fn(*a, **static), a_np)
                                   for _ in range(2))
                        t_jit = min(best_time(lambda *a: jf(*a, **static), a_jit)
                                    for _ in range(2))
                    row = f"{t_np * 1e6:.1f}\t{t_jit * 1e6:.1f}\t{t_np / t_jit:.2f}"
                except Exception as e:  # noqa: BLE001 (a row says what was raised)
                    row = f"ERR\t{type(e).__name__}\t{str(e)[:80]!r}"
                except _TooLong:
                    row = f"ERR\ttook over {limit_s} s\t''"
                finally:
                    signal.alarm(0)
                print(f"{mname}\t{tname}\t{name}\t{row}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=48, help="size passed to make_args")
    parser.add_argument("--modules", help="comma-separated test modules (default: all)")
    parser.add_argument("--limit", type=int, default=20, help="seconds per function")
    opts = parser.parse_args()
    modules = opts.modules.split(",") if opts.modules else [
        os.path.basename(p)[:-3]
        for p in sorted(glob.glob(os.path.join(ROOT, "tests", "test_corpus*.py")))]
    survey(opts.n, modules, opts.limit)


if __name__ == "__main__":
    main()
