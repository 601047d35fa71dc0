"""The thread pool that runs a launch's pieces: a hand-off of microseconds, not tens of them.

A `ThreadPoolExecutor` wakes a sleeping thread on every launch (a futex, the scheduler,
on a VM an interrupt through the hypervisor, then the GIL and a future): about 50 us here,
so a kernel with less than ~100 us of work could not be split at all. This pool's
workers wait in native code instead: after running pieces a worker spins on the job word
for about `SPIN_US` before it blocks, so a launch in that window costs a few stores. A
launch never waits for a worker to wake: the launching thread claims pieces itself, and a
worker that arrives late takes what is left (or nothing).

Pieces are claimed from one 64-bit word, `job << 32 | next piece`, by compare-and-swap, so a
worker still busy with one job can never claim a piece of the next: a launch first sets the
word to the new job with no piece left, then writes the job's rows and count, then opens it. Results do not depend
on which thread ran a piece: kernels write disjoint rows, and reductions per-piece partials
that are combined in order afterwards.

A job is an int64 array, one row per piece: the address of a `<function>_task` entry
(`llvm_call.add_task`), then that function's arguments; the entry gets the row's address.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import platform
import threading
import time

from typing import TYPE_CHECKING

import numpy as np

from .llvm_jit import POOL_WORKER, entry, load_function

if TYPE_CHECKING:
    from llvmlite import ir

SPIN_US = 1000  # how long an idle worker stays ready before it blocks: the Python between
# two launches of a 1e7-element sum runs on caches the stream emptied (about 150 us), and at
# 200 us the worker had blocked before 65 of 100 of them
# words of the state, each group on its own cache line
CLAIM, DONE, SPINNING, STOP, RECORDS, COUNT, STRIDE, SPIN, YIELD = 0, 8, 16, 24, 32, 33, 34, 40, 41
YIELD_EVERY = 64  # spins between two sched_yield calls: a spinning thread cedes its core
WORDS = 48
_JOB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
_WORKER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def _module(name: str) -> ir.Module:
    """`<name>(state, rows, count, stride)`, a launch, and `<name>_worker(state)`."""
    from llvmlite import ir

    from .llvm_ops import I64, PTR

    module = ir.Module(name=name)
    task_ty = ir.FunctionType(ir.VoidType(), [PTR])
    if platform.machine().lower() in ("x86_64", "amd64"):
        pause = ir.Function(module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause")
    else:
        pause = None
    c = lambda v: ir.Constant(I64, v)  # noqa: E731

    def word(b, state, k):
        return b.gep(state, [c(k)], source_etype=I64)

    def load(b, state, k, order="monotonic"):
        return b.load_atomic(word(b, state, k), order, 8, typ=I64)

    def claim_one(b, state, count, again, empty) -> list:
        """Claim a piece and run it (then branch to `again`); `empty` when none is left.
        `count()` gives the job's piece count, read after the claim word. Returns the blocks
        that branch to `again`."""
        fn = b.function
        try_, run = fn.append_basic_block("try"), fn.append_basic_block("run")
        cur = load(b, state, CLAIM, "seq_cst")
        index = b.and_(cur, c(0xFFFFFFFF))
        b.cbranch(b.icmp_unsigned("<", index, count()), try_, empty)
        b.position_at_end(try_)
        got = b.cmpxchg(word(b, state, CLAIM), cur, b.add(cur, c(1)), "seq_cst", "seq_cst")
        b.cbranch(b.extract_value(got, 1), run, again)
        b.position_at_end(run)
        stride = load(b, state, STRIDE)
        row = b.inttoptr(b.add(load(b, state, RECORDS), b.mul(b.mul(index, stride), c(8))), PTR)
        task = b.inttoptr(b.load(row, typ=I64), task_ty.as_pointer())
        b.call(task, [row])
        b.atomic_rmw("add", word(b, state, DONE), c(1), "release")
        b.branch(again)
        return [try_, b.block]

    def pause_then(b, state, spins, back) -> list:
        """One spin: a pause, and every YIELD_EVERY spins a `sched_yield`, so a spinning
        thread cedes its core to one that has work there (oversubscribed cores, BLAS's
        threads); then to `back`. Returns the blocks that branch to `back`."""
        if pause is not None:
            b.call(pause, [])
        cede = b.function.append_basic_block("cede")
        yield_fn = load(b, state, YIELD)
        due = b.icmp_unsigned("==", b.and_(spins, c(YIELD_EVERY - 1)), c(0))
        b.cbranch(b.and_(due, b.icmp_unsigned("!=", yield_fn, c(0))), cede, back)
        spun = b.block
        b.position_at_end(cede)
        b.call(b.inttoptr(yield_fn, ir.FunctionType(ir.IntType(32), []).as_pointer()), [])
        b.branch(back)
        return [spun, cede]

    # the worker: run pieces while there are any, spin while idle, leave after the budget
    worker = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR]), name + POOL_WORKER)
    state, = worker.args
    b = ir.IRBuilder(worker.append_basic_block("entry"))
    b.atomic_rmw("add", word(b, state, SPINNING), c(1), "seq_cst")
    entry = b.block
    head, idle, wait, leave = (worker.append_basic_block(n) for n in
                               ("head", "idle", "wait", "leave"))
    b.branch(head)
    b.position_at_end(head)
    spins = b.phi(I64)
    spins.add_incoming(c(0), entry)
    for blk in claim_one(b, state, lambda: load(b, state, COUNT, "seq_cst"), head, idle):
        spins.add_incoming(c(0), blk)
    b.position_at_end(idle)
    more = b.add(spins, c(1))
    stop = b.or_(b.icmp_unsigned("!=", load(b, state, STOP), c(0)),
                 b.icmp_signed(">", more, load(b, state, SPIN)))
    b.cbranch(stop, leave, wait)
    b.position_at_end(wait)
    for blk in pause_then(b, state, more, head):
        spins.add_incoming(more, blk)
    b.position_at_end(leave)
    b.atomic_rmw("sub", word(b, state, SPINNING), c(1), "seq_cst")
    b.ret_void()

    # a launch: publish the job, claim pieces alongside the workers, wait for the rest
    run = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, PTR, I64, I64]), name)
    state, rows, count, stride = run.args
    b = ir.IRBuilder(run.append_basic_block("entry"))
    # The claim word first takes the new job with no piece left to claim: a worker that read
    # the old job's word can then no longer claim with it, whatever count it reads next.
    job = b.shl(b.add(b.lshr(load(b, state, CLAIM), c(32)), c(1)), c(32))
    b.atomic_rmw("xchg", word(b, state, CLAIM), b.or_(job, c(0xFFFFFFFF)), "seq_cst")
    for k, v in ((RECORDS, b.ptrtoint(rows, I64)), (COUNT, count), (STRIDE, stride),
                 (DONE, c(0))):
        b.atomic_rmw("xchg", word(b, state, k), v, "seq_cst")  # an atomic store
    b.atomic_rmw("xchg", word(b, state, CLAIM), job, "seq_cst")
    head, finish, wait, done = (run.append_basic_block(n) for n in
                                ("head", "finish", "wait", "done"))
    b.branch(head)
    b.position_at_end(head)
    claim_one(b, state, lambda: count, head, finish)
    b.position_at_end(finish)
    waited = b.phi(I64)
    waited.add_incoming(c(0), head)
    b.cbranch(b.icmp_unsigned("<", load(b, state, DONE, "acquire"), count), wait, done)
    b.position_at_end(wait)
    more = b.add(waited, c(1))
    for blk in pause_then(b, state, more, finish):
        waited.add_incoming(more, blk)
    b.position_at_end(done)
    b.ret_void()
    return module


class Pool:
    """`workers` native-spinning threads and the state they share with launches."""

    def __init__(self, workers: int):
        addr = load_function("pool v3", _module)
        self._run, self._work = _JOB(addr), _WORKER(entry(addr, POOL_WORKER))
        self.workers = workers
        self.state = _aligned_words(WORDS)
        self.state[YIELD] = _sched_yield()
        self.budget = self.state[SPIN] = _spin_budget(self._work)
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._wanted = 0
        self._stopping = False
        self._alone = threading.local()
        self._threads = [threading.Thread(target=self._serve, daemon=True,
                                          name=f"tracenp-pool-{i}") for i in range(workers)]
        for t in self._threads:
            t.start()

    def run(self, rows: np.ndarray) -> None:
        """Run every row of `rows` (int64, C-contiguous) once; returns when all are done.
        A thread that finds the pool busy with another thread's job runs its rows alone."""
        n, stride = rows.shape
        if not self._lock.acquire(blocking=False):
            state = getattr(self._alone, "state", None)
            if state is None:
                state = self._alone.state = _aligned_words(WORDS)
            self._run(state.ctypes.data, rows.ctypes.data, n, stride)
            return
        try:
            self.state[SPIN] = self.budget
            if self.state[SPINNING] < self.workers:
                with self._cond:
                    self._wanted += 1
                    self._cond.notify_all()
            self._run(self.state.ctypes.data, rows.ctypes.data, n, stride)
        finally:
            self._lock.release()

    def park(self) -> None:
        """Spinning workers stop spinning now (they block until the next launch)."""
        self.state[SPIN] = 0

    def stop(self) -> None:
        self.state[STOP] = 1
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def _serve(self) -> None:
        seen = 0
        while True:
            with self._cond:
                while self._wanted == seen and not self._stopping:
                    self._cond.wait()
                seen = self._wanted
                if self._stopping:
                    return
            self._work(self.state.ctypes.data)


def _aligned_words(n: int) -> np.ndarray:
    """`n` int64 words, zeroed, starting on a 64-byte line (the state's lines are its own)."""
    raw = np.zeros(n + 8, dtype=np.int64)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip:skip + n]


def _sched_yield() -> int:
    """The address of the C library's `sched_yield`, or 0 where there is none."""
    try:
        return ctypes.cast(ctypes.CDLL(None).sched_yield, ctypes.c_void_p).value or 0
    except (OSError, AttributeError):
        return 0


def _spin_budget(work) -> int:
    """Spin iterations lasting about SPIN_US (a pause lasts 10 to 150 cycles by CPU),
    measured once per process."""
    if not _budget:
        _budget.append(_measure_spins(work))
    return _budget[0]


_budget: list = []


def _measure_spins(work) -> int:
    probe = _aligned_words(WORDS)
    probe[SPIN], probe[YIELD] = 20000, _sched_yield()
    t = time.perf_counter()
    work(probe.ctypes.data)
    per_us = probe[SPIN] / max((time.perf_counter() - t) * 1e6, 1e-3)
    return max(100, int(per_us * SPIN_US))


_pools: dict[int, Pool] = {}
_pools_lock = threading.Lock()


def pool(threads: int) -> Pool:
    """The pool for launches split `threads` ways (the caller plus `threads - 1` workers)."""
    p = _pools.get(threads)
    if p is None:
        with _pools_lock:
            p = _pools.get(threads)
            if p is None:
                p = _pools[threads] = Pool(threads - 1)
    return p


def park() -> None:
    """Before a library call that starts threads of its own (BLAS, LAPACK): the workers of
    every pool leave their cores to them instead of spinning beside them."""
    for p in list(_pools.values()):  # another thread may be adding a pool
        p.park()


def _stop_all() -> None:
    for p in list(_pools.values()):
        p.stop()


def _forget_in_child() -> None:
    """A forked child has none of the workers: its first launch starts new ones."""
    _pools.clear()


atexit.register(_stop_all)
os.register_at_fork(after_in_child=_forget_in_child)
