"""Counted loops and conditional blocks in LLVM IR, in the form LLVM's passes recognise.

Every loop of the generated code (kernels, row groups, row-dot passes) is one `loop` call:
a guard, a header with the induction variable and a phi per carried value, the body, one
latch, and phis after the loop that give the carried values whether or not it ran. Every
"redo this if" is one `when` call.
"""

from __future__ import annotations

from typing import Callable

from llvmlite import ir

I32, I64 = ir.IntType(32), ir.IntType(64)


def loop(b: ir.IRBuilder, start: ir.Value, stop: ir.Value,
         body: Callable[[ir.Value, ir.Value, dict], dict | None], carried: dict | None = None,
         step: int | ir.Value | Callable[[ir.Value], ir.Value] = 1, name: str = "loop",
         hints: tuple[tuple[str, int], ...] = ()) -> dict:
    """for i in [start, stop) by `step`: `carried = body(i, end, carried)`, where `end` is
    where this step ends (i + 1, or min(i + step, stop), or min(step(i), stop) for a
    function `step`, which must give more than i). Returns the carried values after the
    loop. `hints` become the back edge's `llvm.loop` metadata."""
    carried = carried or {}
    entry = b.block
    head = b.append_basic_block(name)
    exit_ = b.append_basic_block(f"{name}.end")
    b.cbranch(b.icmp_signed("<", start, stop), head, exit_)
    b.position_at_end(head)
    i = b.phi(I64)
    i.add_incoming(start, entry)
    phis = {}
    for k, v in carried.items():
        phis[k] = b.phi(v.type)
        phis[k].add_incoming(v, entry)
    if isinstance(step, int) and step == 1:
        end = b.add(i, ir.Constant(I64, 1), flags=("nuw", "nsw"))
    else:
        if callable(step):
            nxt = step(i)
        else:
            nxt = b.add(i, step if isinstance(step, ir.Value) else ir.Constant(I64, step))
        end = b.select(b.icmp_signed("<", nxt, stop), nxt, stop)
    new = body(i, end, dict(phis)) or {}
    latch = b.block
    i.add_incoming(end, latch)
    for k, phi in phis.items():
        phi.add_incoming(new[k], latch)
    back = b.cbranch(b.icmp_signed("<", end, stop), head, exit_)
    if hints:
        back.set_metadata("llvm.loop", loop_id(b.module, *hints))
    b.position_at_end(exit_)
    return _merge(b, carried, entry, new, latch)


def when(b: ir.IRBuilder, flag: ir.Value, then: Callable[[], dict], values: dict,
         weights: tuple[int, int] | None = None) -> dict:
    """`values`, replaced by what `then()` emits and returns where `flag` holds. `weights`:
    branch weights (taken, not taken)."""
    entry = b.block
    yes, done = b.append_basic_block("then"), b.append_basic_block("endif")
    branch = b.cbranch(flag, yes, done)
    if weights:
        branch.set_weights(list(weights))
    b.position_at_end(yes)
    new = then()
    end = b.block
    b.branch(done)
    b.position_at_end(done)
    return _merge(b, values, entry, new, end)


def _merge(b: ir.IRBuilder, old: dict, old_block, new: dict, new_block) -> dict:
    """Phis of each value: `old[k]` coming from `old_block`, `new[k]` from `new_block`."""
    out = {}
    for k, v in old.items():
        out[k] = b.phi(v.type)
        out[k].add_incoming(v, old_block)
        out[k].add_incoming(new[k], new_block)
    return out


def loop_id(module: ir.Module, *hints: tuple[str, int]) -> ir.values.MDValue:
    """A loop's `llvm.loop` metadata: a node that names itself first, then the hints."""
    ops = [module.add_metadata([ir.MetaDataString(module, k), ir.Constant(I32, v)])
           for k, v in hints]
    node = ir.values.MDValue(module, [], name=str(len(module.metadata)))
    node.operands = (node, *ops)
    return node
