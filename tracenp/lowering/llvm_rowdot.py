"""Row-dot fusion: `t = X @ w`, a row-wise elementwise chain `r = f(t, ...)`, then `X.T @ r`,
in one pass over X.

The gradient of a generalized linear model (logistic regression, least squares, Poisson)
has this shape: two matrix-vector products over the same X around an elementwise chain.
BLAS reads X twice from memory; here X is walked once in blocks of rows that stay in
cache: per block, the dots `t[i] = X[i, :] @ w`, then the chain's kernels over those rows
(the same compiled kernels, called with the block's row range), then
`acc += X[i, :] * r[i]`. The chain's reductions (the loss, `r.sum()` for a bias) come out
of the same pass. While a block accumulates, the next block's rows are prefetched into L2,
so the stream from memory does not stall between the phases.

Work is cut into pieces of about `CHUNK` elements of X whatever the thread count; each
piece accumulates into its own partial row, and partials are combined in order, so results
are identical on every run and for every `num_threads`. X rows of any stride are accepted;
unit-stride rows take a vectorized loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fusion import KernelStep, NodeStep, Step
from ..ir import Node
from ..ops import Op
from . import llvm_call
from .llvm_jit import load_function

CHUNK = 1 << 17  # elements of X per piece (one partial each; a piece's start costs ~3 us)
BLOCK = 1 << 12  # elements of X per block of rows (kept in L1 between the two uses)
MIN_SIZE = 1 << 15  # elements of X below which the two BLAS calls are as good
MIN_COLS = 16  # shorter rows cost more per row (a horizontal sum each) than BLAS's gemv


@dataclass(frozen=True)
class RowDot:
    """A planned fusion: `first = X @ w`, `chain` kernels over rows, `last = X.T @ r`.

    `pre` are window steps the chain needs that do not depend on `first` (run before),
    `views` are views of `first` or of chain outputs (made before the pass), `post` the
    window's other steps (run after, in order).
    """

    first: Node
    last: Node
    r: Node
    chain: tuple[KernelStep, ...]
    pre: tuple[Step, ...]
    views: tuple[NodeStep, ...]
    post: tuple[Step, ...]


def _matvec(node: Node) -> bool:
    if node.op is not Op.MATMUL or node.dtype not in (np.float32, np.float64):
        return False
    x, w = node.srcs
    return (x.ndim == 2 and w.ndim == 2 and w.shape[1] == 1 and (x.size or 0) >= MIN_SIZE
            and x.shape[1] >= MIN_COLS)


def _unview(node: Node) -> Node:
    while node.op is Op.RESHAPE:
        node = node.srcs[0]
    return node


def with_rowdots(steps: tuple[Step, ...]) -> list:
    """`steps` with the first matching window replaced by its `pre` steps, the `RowDot`,
    and its `post` steps."""
    for s, step in enumerate(steps):
        if not (isinstance(step, NodeStep) and step.kind == "library" and _matvec(step.node)):
            continue
        x = step.node.srcs[0]
        for e in range(s + 1, len(steps)):
            last = steps[e]
            if not (isinstance(last, NodeStep) and last.kind == "library"
                    and last.node.op is Op.MATMUL):
                continue
            xt, v = last.node.srcs
            if (xt.op is Op.TRANSPOSE and xt.srcs[0] is x and xt.attrs["perm"] == (1, 0)
                    and v.shape == (x.shape[0], 1) and last.node.dtype == step.node.dtype):
                rd = _window(steps, s, e, _unview(v))
                if rd is not None:
                    return [*steps[:s], *rd.pre, rd, *rd.post, *steps[e + 1:]]
    return list(steps)


def _window(steps, s: int, e: int, r: Node) -> RowDot | None:
    """The plan for steps[s..e], or None where the steps between do not split into a
    row-wise chain and steps that can run before or after it."""
    first = steps[s].node
    n = first.shape[0]
    tainted = {id(first)}  # values that exist only once the pass has run
    ready = {id(first)}  # of those, the ones complete row by row inside the pass
    chain, pre, views, post = [], [], [], []
    for step in steps[s + 1:e]:
        if not isinstance(step, (KernelStep, NodeStep)):
            return None  # a row group: its kernels run together, not as a chain
        kernel = step.kernel if isinstance(step, KernelStep) else None
        reads = kernel.inputs if kernel else step.node.srcs
        made = [o.node for o in kernel.outputs] if kernel else [step.node]
        dep = [m for m in reads if id(m) in tainted]
        rowwise = all(id(m) in ready for m in dep)
        if not dep:
            pre.append(step)
            continue
        tainted.update(id(m) for m in made)
        if kernel and rowwise and kernel.shape in ((n,), (n, 1)) \
                and (not kernel.axes or 0 in kernel.axes):
            chain.append(step)
            ready.update(id(o.node) for o in kernel.outputs if o.reduce is None)
        elif not kernel and step.kind == "view" and rowwise:
            views.append(step)
            ready.add(id(step.node))
        else:
            post.append(step)
    if not chain or id(r) not in ready or r is first:
        return None
    return RowDot(first, steps[e].node, r, tuple(chain), tuple(pre), tuple(views), tuple(post))


# ----------------------------------------------------------------------------- code


def driver(dtype: np.dtype, arities: tuple[int, ...]) -> int:
    """The address of the pass for this dtype and chain (arrays per chain kernel)."""
    dtype = np.dtype(dtype)
    return load_function(f"rowdot {dtype.name} {arities}",
                         lambda name: _code().build(dtype, arities, name))


def _code():
    """The pass's code generator, imported with LLVM's IR builder only when code is built: a
    first call that finds its code cached, or compiles it in the background, skips them."""
    from . import llvm_rowdot_code

    return llvm_rowdot_code


# ----------------------------------------------------------------------------- running


def rowdot_step(rd: RowDot, slot: dict, buffers, node_step, threads: int | None):
    """The runtime step of `rd`: `node_step(view)` builds a view's step; its pieces run on
    up to `threads` threads (None: `config.num_threads`)."""
    from .llvm import _COMBINE, identity, run_pieces
    from .llvm_jit import compile_kernel, entry

    x_node, w_node = rd.first.srcs
    n, k = x_node.shape
    dtype = rd.first.dtype
    rows = max(1, CHUNK // max(k, 1))
    pieces = [(lo, min(lo + rows, n), i) for i, lo in enumerate(range(0, n, rows))]
    parts = len(pieces)
    block = max(1, BLOCK // max(k, 1))
    first_slot, alloc_first = slot[id(rd.first)], buffers.allocator(
        slot[id(rd.first)], rd.first.shape, dtype)
    x_slot, w_slot, r_slot, last_slot = (slot[id(m)] for m in (x_node, w_node, rd.r, rd.last))
    kernels, keep = [], []
    for ks in rd.chain:
        kern = ks.kernel
        shape_arr = np.array(kern.shape, dtype=np.int64)
        keep.append(shape_arr)
        kept = tuple(d for i, d in enumerate(kern.shape) if i not in kern.axes)
        stores = [(slot[id(o.node)], buffers.allocator(slot[id(o.node)], kern.shape,
                                                       o.node.dtype))
                  for o in kern.outputs if o.reduce is None]
        reduces = [(slot[id(o.node)], np.full((parts,) + kept, identity(o.reduce, o.node.dtype),
                                              o.node.dtype), _COMBINE[o.reduce], kept)
                   for o in kern.outputs if o.reduce is not None]
        kernels.append((compile_kernel(kern), shape_arr.ctypes.data,
                        [slot[id(m)] for m in kern.inputs], stores, reduces))
    views = [s for s in map(node_step, rd.views) if s is not None]
    arities = tuple(len(ks.kernel.inputs) + len(ks.kernel.outputs) for ks in rd.chain)
    task = entry(driver(dtype, arities), llvm_call.TASK)

    def step(env, used):
        env[first_slot] = alloc_first(used)
        for _, _, _, stores, _ in kernels:
            for out, alloc in stores:
                env[out] = alloc(used)
        for v in views:
            v(env, used)
        words, held, partials = [], [], []
        for addr, shape_addr, in_slots, stores, reduces in kernels:
            arrays = [env[i] for i in in_slots] + [env[out] for out, _ in stores]
            mine = [start.copy() for _, start, _, _ in reduces]
            partials.append(mine)
            arrays += mine
            held += arrays
            words += [addr, shape_addr] + [id(a) for a in arrays]
        table = np.array(words, dtype=np.int64)
        acc = _partial_rows(parts, k, dtype)
        args = (block, *map(id, (env[x_slot], env[w_slot], env[first_slot], env[r_slot], acc)),
                table.ctypes.data)
        run_pieces(task, [(lo, hi, s, *args) for lo, hi, s in pieces], threads)
        for (_, _, _, _, reduces), mine in zip(kernels, partials):
            for (out, _, combine, kept), buf in zip(reduces, mine):
                env[out] = np.asarray(combine.reduce(buf, axis=0)) if parts > 1 else \
                    buf.reshape(kept)
        env[last_slot] = np.add.reduce(acc, axis=0).reshape(k, 1)
        del held

    step.keep = keep
    return step


def _partial_rows(parts: int, k: int, dtype: np.dtype) -> np.ndarray:
    """Zeroed (parts, k) partial sums whose rows start on their own 64-byte lines: threads
    write neighbouring rows all through the pass, and a shared line would bounce between
    their caches at every group of rows."""
    line = 64 // dtype.itemsize
    width = -(-k // line) * line
    raw = np.zeros(parts * width + line, dtype)
    skip = (-raw.ctypes.data % 64) // dtype.itemsize
    return raw[skip:skip + parts * width].reshape(parts, width)[:, :k]
