"""Plans on disk: a warm process runs a one-kernel graph without optimizing or scheduling it.

Optimizing and scheduling are deterministic functions of the traced graph, the options and
tracenp's sources. For a graph that becomes one kernel launch (the common elementwise
expression) their outcome fits in a few fields: the kernel's description (which names its
object code in the disk cache), its extents, the output dtype, and which inputs it reads.
That record is JSON in a hash-verified `disk_cache` entry keyed by an exact text of the
traced graph (constants by content digest), the options and `llvm_jit.environment()`
(which names the hash of the optimizer's, scheduler's and code generator's sources,
`source_digest.KEYED`), and it is validated field by field when read. A missing, damaged or foreign record, or a kernel whose code is not cached, means the
full pipeline runs (and writes the record). Graphs with other shapes of schedule always run
the full pipeline; their record only says that a process compiled them (`recall`'s `seen`),
so that a new process's first call knows its code is probably on disk.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

import numpy as np

from . import disk_cache
from .ir import Const, Graph, toposort
from .lowering import Executable
from .lowering.llvm import Launch, launch_run
from .lowering.llvm_jit import cached_function, environment


class Recalled(NamedTuple):
    run: Executable | None  # the run of the graph from its plan on disk (else compile it)
    seen: bool  # a record of the graph is on disk: some process compiled it


def recall(graph: Graph, stabilize: bool) -> Recalled:
    """What the disk remembers of `graph`."""
    key = _key(graph, stabilize)
    blob = disk_cache.load(key) if key is not None else None
    if blob is None:
        return Recalled(None, False)
    plan = _parse(blob, graph)
    if plan is None:
        return Recalled(None, True)
    text, shape, dtype, operands, work = plan
    addr = cached_function(text)
    if addr is None:
        return Recalled(None, True)
    return Recalled(launch_run(Launch(addr, text, shape, dtype, operands, work)), True)


def store(graph: Graph, stabilize: bool, run: Executable) -> None:
    """Record the plan of a freshly compiled one-launch graph without constant operands, and
    of any other graph that it was compiled."""
    key = _key(graph, stabilize)
    if key is None:
        return
    make = getattr(run, "launch", None)
    launch = make() if make is not None else None
    record: dict = {"kernel": None}
    if launch is not None and all(isinstance(op, int) for op in launch.operands):
        record = {"kernel": launch.text, "shape": list(launch.shape),
                  "dtype": launch.dtype.str, "operands": list(launch.operands),
                  "work": launch.work}
    disk_cache.store(key, json.dumps(record).encode())


def _parse(blob: bytes, graph: Graph):
    """(kernel text, shape, dtype, operands, work) if the record is well formed for `graph`."""
    try:
        rec = json.loads(blob)
        text, shape, dtype, operands, work = (rec["kernel"], rec["shape"], rec["dtype"],
                                              rec["operands"], rec["work"])
        ints = shape + operands + [work]
        if (not isinstance(text, str) or not isinstance(shape, list)
                or not isinstance(operands, list)
                or not all(type(v) is int and v >= 0 for v in ints)
                or not all(i < len(graph.inputs) for i in operands)
                or len(operands) != sum(ln.startswith("in") for ln in text.splitlines())
                or sum(ln.startswith("out ") for ln in text.splitlines()) != 1):
            return None  # the kernel's arity must be what the run passes it
        out = graph.outputs[0] if len(graph.outputs) == 1 else None
        dt = np.dtype(dtype)
        if out is None or dt != out.dtype or tuple(shape) != out.shape:
            return None
    except (ValueError, TypeError, KeyError):
        return None
    return text, tuple(shape), dt, tuple(operands), work


def _key(graph: Graph, stabilize: bool) -> str | None:
    """An exact text of the graph and what else decides its plan; None if a parameter has
    no faithful text (its repr names an object's address, or elides)."""
    index = {id(n): i for i, n in enumerate(graph.inputs)}
    lines = [f"plan 1 stabilize={stabilize} {environment()}"]  # names the sources' digest
    lines += [f"in {n.dtype.str}{n.shape} weak={n.weak}" for n in graph.inputs]
    for n in toposort(graph.outputs):
        if id(n) in index:
            continue
        if n.op.name == "INPUT":
            return None  # an input the graph does not list
        params = []
        for k, v in n.params:
            if isinstance(v, Const):
                v = v._digest.hex()  # content, dtype and shape; computed when it was made
            elif isinstance(v, np.ndarray):
                v = (v.dtype.str, v.shape, hashlib.sha256(v.tobytes()).hexdigest())
            params.append(f"{k}={v!r}")
        text = " ".join(params)
        if " at 0x" in text or "..." in text:
            return None
        index[id(n)] = len(index)
        srcs = " ".join(str(index[id(s)]) for s in n.srcs)
        lines.append(f"{n.op.name} {srcs} {text} -> {n.dtype.str}{n.shape} weak={n.weak}")
    lines.append("out " + " ".join(str(index[id(o)]) for o in graph.outputs))
    return "\n".join(lines)
