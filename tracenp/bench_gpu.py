"""GPU benchmark of issue 6's workloads: tracenp against CuPy eager and `cupy.fuse`.

    python -m tracenp.bench_gpu [--n 100000000] [--rows 10000] [--dtype float64]

(a) `a*b + c*np.sin(a) - np.exp(-b*b)` over n elements, (b) `a*2 + b` over n elements beside
the device's measured copy bandwidth, (c) logsumexp and softmax over the rows of a
rows x rows matrix. Times are GPU times (CUDA events, median of 20 after 3 warm-ups);
bandwidth counts each input read and each output written once. The last line checks issue
6's targets: (a) at least 3x CuPy eager, every workload at least `cupy.fuse`'s speed, and
(b) at least 80% of the measured copy bandwidth.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .jit import jit
from .lowering.cupy import DeviceError, require_cupy


def expr(a, b, c):
    return a * b + c * np.sin(a) - np.exp(-b * b)


def axpb(a, b):
    return a * 2 + b


def logsumexp(x):
    m = x.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.exp(x - m).sum(axis=1))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ms(fn, args) -> float:
    from cupyx.profiler import benchmark

    return float(np.median(benchmark(fn, args, n_repeat=20, n_warmup=3).gpu_times[0])) * 1e3


def _fused_ms(cp, fn, args, want) -> float | None:
    """`cupy.fuse`'s time, or None where it cannot fuse the function."""
    try:
        fused = cp.fuse(fn)
        cp.testing.assert_allclose(fused(*args), want, rtol=1e-5, atol=1e-6)
        return _ms(fused, args)
    except Exception:
        return None


def _row(cp, name: str, fn, args, nbytes: int, copy_bw: float, misses: list[str]) -> None:
    """Time one workload three ways, print its line, and note the targets it misses."""
    jf = jit(fn)
    got, want = jf(*args), fn(*args)
    cp.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    t = _ms(jf, args)
    eager = _ms(fn, args)
    fused = _fused_ms(cp, fn, args, want)
    bw = nbytes / t / 1e6
    fuse_text = f"{fused:9.2f}" if fused else f"{'n/a':>9}"
    vs_fuse = f"{fused / t:7.2f}" if fused else f"{'n/a':>7}"
    print(f"{name:34} {t:10.2f} {eager:9.2f} {fuse_text} {eager / t:8.2f} {vs_fuse} "
          f"{bw:7.0f} {100 * bw / copy_bw:6.0f}%", flush=True)
    if fn is expr and eager < 3 * t:
        misses.append(f"(a) {eager / t:.2f}x CuPy eager < 3x")
    if fused and fused < t:
        misses.append(f"{name} slower than cupy.fuse")
    if fn is axpb and bw < 0.8 * copy_bw:
        misses.append(f"(b) {bw / copy_bw:.0%} of the copy bandwidth < 80%")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000_000)
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--dtype", default="float64")
    opts = p.parse_args(argv)
    try:
        cp = require_cupy()
    except DeviceError as e:
        sys.exit(f"bench_gpu: {e}")
    rng = cp.random.default_rng(0)
    dt = np.dtype(opts.dtype)
    a, b, c = (rng.standard_normal(opts.n, dtype=dt) for _ in range(3))
    x = rng.standard_normal((opts.rows, opts.rows), dtype=dt)
    dst = cp.empty_like(a)
    copy_ms = _ms(cp.copyto, (dst, a))
    copy_bw = 2 * a.nbytes / copy_ms / 1e6
    print(f"device: {cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}, "
          f"measured copy bandwidth {copy_bw:.0f} GB/s ({a.nbytes / 1e9:.1f} GB copied)")
    rows = [("(a) a*b + c*sin(a) - exp(-b*b)", expr, (a, b, c), 4 * a.nbytes),
            ("(b) a*2 + b", axpb, (a, b), 3 * a.nbytes),
            ("(c) logsumexp rows", logsumexp, (x,), x.nbytes + x.nbytes // opts.rows),
            ("(c) softmax rows", softmax, (x,), 2 * x.nbytes)]
    head = (f"{'workload':34} {'tracenp ms':>10} {'cupy ms':>9} {'fuse ms':>9} "
            f"{'x eager':>8} {'x fuse':>7} {'GB/s':>7} {'% copy':>7}")
    print(head)
    print("-" * len(head))
    misses: list[str] = []
    for name, fn, args, nbytes in rows:
        try:
            _row(cp, name, fn, args, nbytes, copy_bw, misses)
        except Exception as e:  # one failing workload must not hide the others' figures
            print(f"{name:34} failed: {type(e).__name__}: {str(e)[:200]}")
            misses.append(f"{name} failed")
    print("targets: " + ("all met" if not misses else "missed: " + "; ".join(misses)))


if __name__ == "__main__":
    main()
