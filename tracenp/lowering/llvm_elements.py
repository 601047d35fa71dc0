"""Views, rows and single elements in the CPU backend's plan: what an unrolled loop is made of.

A loop traced into a graph reads `x[i]` (a slice and a reshape) and writes `out[i] = s` (a
reshape of a 0-d value, then one concatenation of them all). Run as they are, each is a step
of its own, half a microsecond or more, more than the arithmetic on the element. So:

- views that only views read are folded into their readers, and a chain ending in one
  element is one integer index (`view_chains`);
- a kernel reads such an element, or a row `X[i]` or any view made of slices, transposes
  and unit dims, from the array it views (`Kernel.windows`, its start and steps run-time
  words), and the view is not made if nothing else reads it;
- a 0-d kernel with several outputs stores them into one array per dtype, a `Cell` (one
  allocation instead of one per output); later kernels read them there as elements, and each
  is made a 0-d array of its own only if something else reads it;
- a concatenation of single elements is one `np.concatenate` of runs of cells and of
  one-element views (`concat_cells`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..fusion import Kernel, KernelStep, NodeStep, RowGroup, Window
from ..ir import Graph, Node
from ..ops import OPS, Op


def _slice_view(slices):
    index = tuple(slice(*s) for s in slices)
    return lambda x: x[index]


# Views made by ndarray methods, prepared once: an unrolled loop runs thousands of them.
VIEWS = {
    Op.RESHAPE: lambda shape: lambda x: x.reshape(shape),
    Op.TRANSPOSE: lambda perm: lambda x: x.transpose(perm),
    Op.SLICE: _slice_view,
    Op.STRIDED: lambda **attrs: lambda x: OPS[Op.STRIDED].ref(x, **attrs),
}


@dataclass(frozen=True, eq=False)
class Cell:
    """An array the plan adds: the 0-d outputs of one dtype of one kernel, one per element."""

    dtype: np.dtype
    shape: tuple[int]

    @property
    def ndim(self) -> int:
        return 1


def view_chains(graph: Graph) -> dict[int, tuple[Node, Callable, Window | None]]:
    """{id(view): (the node it is made from, the function making it, the `Window` of that
    node it is, or None)}, with the views that only views read folded into their readers,
    which are then never made themselves."""
    order = graph.nodes()
    readers = graph.users()
    outs = {id(o) for o in graph.outputs}
    folded = {id(n) for n in order if n.op in VIEWS and id(n) not in outs
              and readers[id(n)] and all(r.op in VIEWS for r in readers[id(n)])}
    chains: dict[int, tuple[Node, list[Node]]] = {}
    for n in order:
        if n.op in VIEWS:
            src = n.srcs[0]
            root, path = chains[id(src)] if id(src) in folded else (src, [])
            chains[id(n)] = (root, path + [n])
    made = {}
    for i, (root, path) in chains.items():
        if i not in folded:
            element = _element(path) if path[-1].size == 1 else None
            made[i] = (root, _chain_function(path, element), _window(root, path, element))
    return made


def _window(root: Node, path: list[Node], element: tuple | None) -> Window | None:
    """The window of `root` the last view of `path` is, if it is one (a reshape that does
    more than add or drop unit dims is not)."""
    last = path[-1]
    if element is not None:
        return Window(element, last.shape, (0,) * last.ndim, (0,) * last.ndim)
    start = [0] * root.ndim
    walks = [(d, 1) for d in range(root.ndim)]  # per dim of the view: (root's dim, step)
    shape = root.shape
    for v in path:
        if v.op is Op.SLICE:
            cut = [slice(*s).indices(n) for s, n in zip(v.attrs["slices"], shape)]
            for (d, step), (first, _, _) in zip(walks, cut):
                if step:  # a unit dim added by a reshape walks no dim (of a 0-d root: none)
                    start[d] += first * step
            walks = [(d, step * by) for (d, step), (_, _, by) in zip(walks, cut)]
        elif v.op is Op.TRANSPOSE:
            walks = [walks[p] for p in v.attrs["perm"]]
        elif v.op is Op.STRIDED:  # (windows may walk one dim of the root twice)
            for (d, step), first in zip(walks, v.attrs["start"]):
                start[d] += first * step
            walks = [(walks[d][0], walks[d][1] * by)
                     for d, by in zip(v.attrs["dims"], v.attrs["steps"])]
        else:
            if [n for n in shape if n != 1] != [n for n in v.shape if n != 1]:
                return None
            kept = iter(w for w, n in zip(walks, shape) if n != 1)
            walks = [next(kept) if n != 1 else (0, 0) for n in v.shape]
        shape = v.shape
    return Window(tuple(start), last.shape, tuple(d for d, _ in walks),
                  tuple(step for _, step in walks))


def _chain_function(path: list[Node], element: tuple | None) -> Callable:
    """The function making the last view of `path` from its root."""
    last = path[-1]
    if element is not None:
        index = (*element, Ellipsis)
        shape = last.shape
        if shape == ():
            return lambda x: x[index]
        return lambda x: x[index].reshape(shape)
    fns = [VIEWS[v.op](**v.attrs) for v in path]
    if len(fns) == 1:
        return fns[0]

    def chain(x):
        for f in fns:
            x = f(x)
        return x

    return chain


def _element(path: list[Node]) -> tuple[int, ...]:
    """The index in the root of `path` of the one element of `path[-1]`."""
    idx = (0,) * path[-1].ndim
    for v in reversed(path):
        src = v.srcs[0].shape
        if v.op is Op.SLICE:
            starts = [slice(*s).indices(n) for s, n in zip(v.attrs["slices"], src)]
            idx = tuple(start + i * step for i, (start, _, step) in zip(idx, starts))
        elif v.op is Op.TRANSPOSE:
            out = [0] * len(idx)
            for i, p in enumerate(v.attrs["perm"]):
                out[p] = idx[i]
            idx = tuple(out)
        elif v.op is Op.STRIDED:
            out = list(v.attrs["start"])
            for i, d, by in zip(idx, v.attrs["dims"], v.attrs["steps"]):
                out[d] += i * by
            idx = tuple(out)
        else:  # a reshape keeps the C-order position
            flat = int(np.ravel_multi_index(idx, v.shape)) if idx else 0
            idx = tuple(int(i) for i in np.unravel_index(flat, src)) if src else ()
    return idx


class ElementPlan:
    """The plan's steps with window operands and cells, and where each element lives."""

    def __init__(self, graph: Graph, planned: list):
        self.chains = view_chains(graph)
        self.cells: list[Cell] = []
        self.where: dict[int, tuple] = {}  # id(0-d output in a cell) -> (cell, Window)
        self.own: dict[int, list[Cell]] = {}  # id(kernel) -> the cells it fills
        steps = [self._kernel(s.kernel) if isinstance(s, KernelStep) else s for s in planned]
        live = {id(o) for o in graph.outputs}  # read by a later step, or returned
        kept = []
        for s in reversed(steps):  # a view nothing reads is not made, nor what only it reads
            if isinstance(s, NodeStep) and s.node.op in VIEWS and id(s.node) not in live:
                continue
            live.update(id(n) for n in self.reads(s))
            kept.append(s)
        self.steps = kept[::-1]
        self.made = {i for i in self.where if i in live}  # cell elements also made 0-d arrays

    def place(self, n: Node) -> tuple | None:
        """(array or cell, `Window`) of the window `n` is a view of or stored in, else
        None."""
        if id(n) in self.where:
            return self.where[id(n)]
        if id(n) in self.chains and self.chains[id(n)][2] is not None:
            root, _, window = self.chains[id(n)]
            if id(root) in self.where:  # a view of an element in a cell
                cell, w = self.where[id(root)]
                return cell, Window(w.start, window.shape, window.dims, window.steps)
            return root, window
        return None

    def _kernel(self, k: Kernel) -> KernelStep:
        places = [self.place(n) for n in k.inputs]
        inputs = tuple(n if p is None else p[0] for n, p in zip(k.inputs, places))
        cells, outs = [], [None] * len(k.outputs)
        if k.shape == () and len(k.outputs) > 1 and all(o.reduce is None for o in k.outputs):
            cells, outs = self._cells(k)
        cells_of = {j: self.where[id(o.node)][0] for j, o in enumerate(k.outputs)
                    if id(o.node) in self.where}
        windows = (*(None if p is None else p[1] for p in places), *outs)
        if not any(w is not None for w in windows):
            return KernelStep(k)
        arrays = (*inputs, *(cells_of.get(j, o.node) for j, o in enumerate(k.outputs)))
        first = {}
        shares = tuple(first.setdefault(id(a), j) for j, a in enumerate(arrays))
        made = KernelStep(Kernel(k.shape, inputs, k.body, k.outputs, k.axes, windows,
                                 shares if len(first) < len(arrays) else ()))
        if cells:
            self.own[id(made.kernel)] = cells
        return made

    def _cells(self, k: Kernel) -> tuple[list[Cell], list[Window]]:
        """New cells for a 0-d kernel's outputs, one per dtype, and each output's window."""
        by_dtype: dict = {}
        for j, o in enumerate(k.outputs):
            by_dtype.setdefault(o.node.dtype, []).append(j)
        cells, outs = [], [None] * len(k.outputs)
        for dtype, js in by_dtype.items():
            cell = Cell(dtype, (len(js),))
            cells.append(cell)
            for i, j in enumerate(js):
                outs[j] = Window((i,), (), (), ())
                self.where[id(k.outputs[j].node)] = (cell, outs[j])
        self.cells += cells
        return cells, outs

    def concat_cells(self, n: Node) -> list[tuple] | None:
        """For a concatenation of single elements (an unrolled loop's `out[i] = s`, each `s`
        reshaped to one row): the (array, index) of each, read without its views; else None.
        200 reshapes and their `np.concatenate` took 62 us; the joined cells take a few."""
        if n.op is not Op.CONCAT or any(s.size != 1 for s in n.srcs):
            return None
        places = [self.place(s) for s in n.srcs]
        return [(s, (0,) * s.ndim) if p is None else (p[0], p[1].start)
                for s, p in zip(n.srcs, places)]

    def reads(self, step) -> list:
        """The nodes (and cells) a step of the plan reads."""
        from .llvm_rowdot import RowDot

        if isinstance(step, KernelStep):
            return list(step.kernel.inputs)
        if isinstance(step, NodeStep):
            n = step.node
            if id(n) in self.chains:
                return [self.chains[id(n)][0]]
            cells = self.concat_cells(n)
            return list(n.srcs) if cells is None else [root for root, _ in cells]
        if isinstance(step, RowGroup):
            return [n for m in step.steps for n in self.reads(m)]
        assert isinstance(step, RowDot)
        return [*step.first.srcs, *step.last.srcs, step.r,
                *(n for ks in step.chain for n in ks.kernel.inputs),
                *(n for v in step.views for n in self.reads(v))]
