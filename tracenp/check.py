"""The IR checker: re-derives every node's type from its op's rule.

Tests turn it on (`TRACENP_CHECK=1`, set by `tests/conftest.py`) so that every
transformation is checked where it happens, not where its result breaks.
"""

from __future__ import annotations

import os

import numpy as np

from .ir import Graph, Node
from .ops import OPS


class IRError(AssertionError):
    """A node whose stored type disagrees with its op's type rule."""


def enabled() -> bool:
    return os.environ.get("TRACENP_CHECK", "") not in ("", "0")


def check_graph(graph: Graph, stage: str = "") -> None:
    """Raise IRError, showing the graph, if any node's type is not what its rule derives."""
    for node in graph.nodes():
        try:
            _check_node(node)
        except Exception as e:  # the rule itself failing is as much an error
            raise IRError(f"IR check failed{' after ' + stage if stage else ''} at {node!r}: "
                          f"{e}\n{graph}") from e


def _check_node(node: Node) -> None:
    if not all(isinstance(s, Node) for s in node.srcs):
        raise IRError("a source is not a Node")
    hash(node.params)
    dtype, shape, weak = OPS[node.op].infer(node.srcs, dict(node.params))
    if np.dtype(dtype) != node.dtype or tuple(shape) != node.shape or bool(weak) != node.weak:
        raise IRError(f"stored {node.dtype}{node.shape} weak={node.weak}, rule gives "
                      f"{np.dtype(dtype)}{tuple(shape)} weak={weak}")


def maybe_check(graph: Graph, stage: str) -> None:
    if enabled():
        check_graph(graph, stage)
