"""The reference backend: runs a graph step by step with each op's NumPy reference.

This is the oracle every other backend is tested against, and the backend of
FAST_COMPILE. Multi-output library routines (svd, qr, eigh, slogdet) and host calls
appear as one node per output; they run once per call and share the result.
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph
from ..host_ops import memo_host
from ..linalg_ops import call_routine, pick
from ..ops import OPS, Op
from . import Executable


class NumpyBackend:
    name = "numpy"

    def compile(self, graph: Graph) -> Executable:
        order = graph.nodes()
        slot = {id(n): i for i, n in enumerate(order)}
        template: list = [None] * len(order)
        input_slots = [slot[id(n)] for n in graph.inputs]
        program = []
        for n in order:
            i = slot[id(n)]
            if n.op is Op.CONST:
                template[i] = n.attrs["value"].value
            elif n.op is Op.LINALG:
                params = n.attrs
                out = params.pop("out")
                srcs = tuple(slot[id(s)] for s in n.srcs)
                program.append((i, _linalg_step(out, (srcs, tuple(params.items()))), srcs,
                                params, True))
            elif n.op is Op.HOST and n.attrs["out"] is not None:
                srcs = tuple(slot[id(s)] for s in n.srcs)
                program.append((i, host_step((n.attrs["call"], srcs)), srcs, n.attrs, True))
            elif n.op is not Op.INPUT:
                program.append((i, OPS[n.op].ref, tuple(slot[id(s)] for s in n.srcs), n.attrs,
                                False))
        out_slots = [slot[id(o)] for o in graph.outputs]
        aliased = aliased_outputs(input_slots, out_slots)

        def run(args: list[np.ndarray]) -> list[np.ndarray]:
            env = list(template)
            for i, a in zip(input_slots, args):
                env[i] = a
            memo: dict = {}
            for i, fn, srcs, params, memoized in program:
                if memoized:
                    env[i] = fn(memo, *[env[s] for s in srcs], **params)
                else:
                    env[i] = fn(*[env[s] for s in srcs], **params)
            return copied([_owned(env[i]) for i in out_slots], aliased)

        return run


def _linalg_step(out: int, key: tuple):
    """One output of a routine; the routine runs once per call for all its outputs."""

    def linalg_step(memo, *xs, name, **kw):
        res = memo.get(key)
        if res is None:
            res = memo[key] = call_routine(name, xs, kw)
        return pick(name, xs, res, out)

    return linalg_step


def host_step(key: tuple):
    """One item of a host call with several; the function runs once per call for all."""

    def step(memo, *xs, **params):
        return memo_host(memo, key, *xs, **params)

    return step


def _owned(x):
    """Outputs must be arrays the caller owns, never read-only views of graph constants."""
    if isinstance(x, np.ndarray) and not x.flags.writeable:
        return np.array(x)
    return x


def aliased_outputs(input_slots: list, out_slots: list) -> list[int]:
    """The outputs whose value is an input's array: a computed result the optimizer reduced
    to its operand (`x.copy()`, `np.array(x)`, `x * 1`), which NumPy returns as a new array.
    A run copies them (an argument the function returns as it is never reaches the graph:
    jit passes it back itself; `y, y.copy()` jit copies, `Trace.fresh`)."""
    inputs = set(input_slots)
    return [k for k, s in enumerate(out_slots) if s in inputs]


def copied(outs: list, aliased: list[int]) -> list:
    """`outs` with the `aliased_outputs` copied."""
    for k in aliased:
        outs[k] = np.array(outs[k])
    return outs


BACKEND = NumpyBackend()
