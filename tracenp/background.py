"""Compiling in the background: a new graph's first calls run while LLVM compiles it.

LLVM takes 50 ms to seconds to generate code for a new graph, far longer than NumPy takes
to run a small one. When a graph needs code that no cache has, `compile_graph` returns a
`Background` executable instead of waiting: calls run the optimized graph with the NumPy
reference backend (NumPy's own kernels, so NumPy's values) while one worker thread compiles
it, and switch to the compiled code once it is ready. A first call therefore costs the
trace, the optimizer and a NumPy run; the compiled calls that follow can differ from it in
the last bits, as any compiled result can differ from NumPy's (docs/accuracy.md).

`config.background_compile = False` compiles on the first call instead; `wait_compiled()`
blocks until every compile in flight is done (the disk cache then has its code).
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import weakref
from typing import Callable

import numpy as np

from .lowering import Executable

_jobs: queue.SimpleQueue = queue.SimpleQueue()
_idle = threading.Condition()
_state: dict = {"worker": None}
_unfinished: set = set()
_held: "weakref.WeakSet[Background]" = weakref.WeakSet()  # made, not yet queued


class Background:
    """An executable that runs `interim` until `build()` has made the compiled one.

    The compile is queued when the first call has returned (or when someone waits): LLVM's
    Python side (building the IR) holds the GIL, and the first call should not wait for it.
    """

    def __init__(self, interim: Executable, build: Callable[[], Executable],
                 then: Callable[[Executable], None]):
        self.interim = interim
        self.final: Executable | None = None
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._build, self._then = build, then
        self._queued = False
        _held.add(self)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def __call__(self, args: list) -> list:
        try:
            if self.final is not None:
                return self.final(args)
            with np.errstate(all="ignore"):  # silent, as the compiled code it stands in for
                return self.interim(args)  # (`np.divide(..., where=m)` ran unmasked)
        finally:
            if not self._queued:  # the lock only until the compile is handed over
                self.queue()

    def queue(self) -> None:
        """Hand the compile to the worker (once)."""
        with _idle:
            if self._queued:
                return
            self._queued = True
            _held.discard(self)
        _submit(self)

    def wait(self) -> Executable:
        """The executable calls end up with: the compiled one, or `interim` if it failed."""
        self.queue()
        self._done.wait()
        return self.final or self.interim

    def _run_job(self) -> None:
        try:
            final = self._build()
            self._then(final)
            self.final = final
        except BaseException as e:  # reported by the caller's next call (Compiled.run)
            self.error = e
        finally:
            self._done.set()


class _Later:
    """A function for the worker to run when it gets to it (errors are dropped: what it
    makes is an optimization the caller does without)."""

    def __init__(self, fn: Callable[[], None]):
        self.fn = fn

    def _run_job(self) -> None:
        try:
            self.fn()
        except Exception:  # noqa: BLE001 -- see the docstring
            pass


def later(fn: Callable[[], None]) -> None:
    """Run `fn()` on the compile worker, after the compiles queued before it."""
    _submit(_Later(fn))


def _submit(job) -> None:
    with _idle:
        _unfinished.add(job)
        if _state["worker"] is None:  # one thread: compiles queue up rather than compete
            _state["worker"] = threading.Thread(target=_work, name="tracenp-compile",
                                                daemon=True)
            _state["worker"].start()
    _jobs.put(job)


def _work() -> None:
    while True:
        job = _jobs.get()
        job._run_job()
        with _idle:
            _unfinished.discard(job)
            _idle.notify_all()


def _after_fork_in_child() -> None:
    """A forked child has no worker thread: it starts its own and compiles what the parent
    had not finished (the parent's queue and locks are not to be trusted)."""
    global _jobs, _idle
    _jobs, _idle = queue.SimpleQueue(), threading.Condition()
    _state["worker"] = None
    jobs = list(_unfinished)
    _unfinished.clear()
    for job in jobs:
        _submit(job)


os.register_at_fork(after_in_child=_after_fork_in_child)


EXIT_WAIT = 60.0  # seconds an exiting process gives the compiles it started


def _finish_at_exit() -> None:
    """An exiting process finishes the compiles it started, so that their code reaches the
    disk cache: a script that exits after a few calls would otherwise compile again, in the
    background and in vain, on every run."""
    from . import disk_cache

    if (_unfinished or len(_held)) and disk_cache.enabled():
        wait_compiled(EXIT_WAIT)


atexit.register(_finish_at_exit)


def wait_compiled(timeout: float | None = None) -> bool:
    """Block until every background compile has finished (queuing those not queued yet);
    False if `timeout` ran out."""
    for job in list(_held):
        job.queue()
    with _idle:
        return _idle.wait_for(lambda: not _unfinished, timeout)
