"""Merge kernels over the same iteration space into one pass.

`fusion.schedule` materializes every value with more than one consumer, so a backward
graph (where each forward value feeds the loss and its gradient) becomes many small
kernels, each one launch and one trip through memory. Here a kernel joins an earlier
kernel with the same shape when everything it reads exists by then: values the earlier
kernel computes are read from registers, and a store nobody else reads is dropped.

A kernel never joins one whose reduction it reads (that value is final only after the
pass), and two kernels with reductions join only over the same axes.

Unrolled Python loops make schedules of thousands of same-shape kernels, so the pass must
stay linear: a kernel looks back over at most `WINDOW` steps for a partner (passing over
at most `VIEW_WINDOW` views it does not read), and a merged kernel is bounded (`MAX_BODY`
instructions, `MAX_REDUCTIONS` reductions, `MAX_OPERANDS` arrays), which keeps each join
cheap, keeps LLVM's optimizer away from huge functions (its time grows far faster than
linearly with many independent reductions, and with straight-line code: 2048-instruction
unrolled loops compiled in 1.7x the CPU time of 256-instruction ones, for a few percent
faster runs) and keeps a launch within the C call's argument limit.
"""

from __future__ import annotations

from typing import Sequence

from .fusion import MAX_OPERANDS, Instr, Kernel, KernelStep, NodeStep, Output, Step

WINDOW = 32  # earlier steps searched for a partner: nearer ones are where values are hot
VIEW_WINDOW = 512  # views passed over on the way, not counted as steps (an unrolled loop
# leaves one after each element's kernel: the `out[i] = s` reshape)
MAX_BODY = 256  # scalar instructions in one merged kernel
MAX_REDUCTIONS = 8  # reductions in one merged kernel


def merge_kernels(steps: Sequence[Step], outputs: Sequence) -> tuple[Step, ...]:
    """`steps` with kernels merged as the module docstring says; graph `outputs` stay stored."""
    merged: list[Step] = []
    for step in steps:
        found = _target(merged, step) if isinstance(step, KernelStep) else None
        if found is None:
            merged.append(step)
            continue
        at, movers = found
        moved = [merged[m] for m in movers]
        rest = [s for j, s in enumerate(merged[at + 1:], at + 1) if j not in movers]
        joined = KernelStep(_join(merged[at].kernel, step.kernel))
        merged[at:] = moved + [joined] + rest
    return _drop_dead_stores(merged, outputs)


def _reads(step: Step) -> tuple:
    return step.kernel.inputs if isinstance(step, KernelStep) else step.node.srcs


def _made(step: Step) -> set[int]:
    if isinstance(step, KernelStep):
        return {id(o.node) for o in step.kernel.outputs}
    return {id(step.node)}


def _reductions(k: Kernel) -> set[int]:
    return {id(o.node) for o in k.outputs if o.reduce is not None}


def _target(merged: list[Step], step: KernelStep) -> tuple[int, list[int]] | None:
    """(i, movers): `step` joins the latest earlier kernel `i` it can, once the steps
    `movers` after `i` that it needs (a scalar cast, a view) move to just before `i`."""
    needs = {id(n) for n in step.kernel.inputs}
    mover_needs: set[int] = set()
    movers: list[int] = []
    steps = views = 0
    for i in range(len(merged) - 1, -1, -1):
        cand = merged[i]
        if isinstance(cand, NodeStep) and cand.kind == "view" and views < VIEW_WINDOW \
                and id(cand.node) not in needs:
            views += 1
            continue
        steps += 1
        if steps > WINDOW:
            break
        made = _made(cand)
        if isinstance(cand, KernelStep) and _compatible(cand.kernel, step.kernel) \
                and _fits(cand.kernel, step.kernel) \
                and not needs & _reductions(cand.kernel) and not mover_needs & made:
            return i, sorted(movers)
        if needs & made:
            reads = {id(n) for n in _reads(cand)}
            movers.append(i)
            needs |= reads
            mover_needs |= reads
    return None


def _compatible(a: Kernel, b: Kernel) -> bool:
    if a.shape != b.shape:
        return False
    ra = any(o.reduce is not None for o in a.outputs)
    rb = any(o.reduce is not None for o in b.outputs)
    return not (ra and rb) or a.axes == b.axes


def _fits(a: Kernel, b: Kernel) -> bool:
    """The joined kernel stays within the bounds (operands counted before sharing)."""
    operands = len(a.inputs) + len(a.outputs) + len(b.inputs) + len(b.outputs)
    return len(a.body) + len(b.body) <= MAX_BODY and operands <= MAX_OPERANDS \
        and len(_reductions(a)) + len(_reductions(b)) <= MAX_REDUCTIONS


def _join(a: Kernel, b: Kernel) -> Kernel:
    """One kernel computing a's outputs and then b's; b reads a's stored values directly."""
    stored = {id(o.node): o.value for o in a.outputs if o.reduce is None}
    index = {id(n): i for i, n in enumerate(a.inputs)}
    extra = [n for n in dict.fromkeys(b.inputs)
             if id(n) not in stored and id(n) not in index]
    na, nx = len(a.inputs), len(extra)
    shift = lambda v: v if v < na else v + nx  # noqa: E731  a's body after the new inputs
    for j, n in enumerate(extra):
        index[id(n)] = na + j
    b_map = [shift(stored[id(n)]) if id(n) in stored else index[id(n)] for n in b.inputs]
    base = na + nx + len(a.body)
    nb = len(b.inputs)
    b_val = lambda v: b_map[v] if v < nb else base + v - nb  # noqa: E731
    body = tuple(Instr(i.op, tuple(shift(x) for x in i.args), i.params, i.dtype) for i in a.body)
    body += tuple(Instr(i.op, tuple(b_val(x) for x in i.args), i.params, i.dtype) for i in b.body)
    outs = [Output(shift(o.value), o.node, o.reduce) for o in a.outputs]
    outs += [Output(b_val(o.value), o.node, o.reduce) for o in b.outputs]
    outs.sort(key=lambda o: o.reduce is not None)  # stores first, as backends pass them
    axes = a.axes if _reductions(a) else b.axes
    return Kernel(a.shape, tuple(a.inputs) + tuple(extra), body, tuple(outs), axes)


def _drop_dead_stores(steps: list[Step], outputs: Sequence) -> tuple[Step, ...]:
    read = {id(o) for o in outputs}
    for s in steps:
        read.update(id(n) for n in _reads(s))
    out: list[Step] = []
    for s in steps:
        if isinstance(s, KernelStep):
            k = s.kernel
            keep = tuple(o for o in k.outputs if o.reduce is not None or id(o.node) in read)
            if keep != k.outputs:
                s = KernelStep(Kernel(k.shape, k.inputs, k.body, keep, k.axes))
        out.append(s)
    return tuple(out)
