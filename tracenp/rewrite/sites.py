"""Where in the user's code each traced node was made: a side table filled while tracing.

`tracenp.lax.bind` calls `note(node)` for every node it makes; the first site
wins (nodes are interned, so a node built on two lines keeps the first). A
rewrite passes its site on to the node that replaces it (`inherit`).
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref

import numpy as np

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_NUMPY = os.path.dirname(os.path.abspath(np.__file__)) + os.sep

_sites: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_internal: dict[str, bool] = {}


def _is_internal(filename: str) -> bool:
    hit = _internal.get(filename)
    if hit is None:
        path = os.path.abspath(filename)
        hit = path.startswith((_PKG, _NUMPY)) or filename.startswith("<frozen")
        _internal[filename] = hit
    return hit


def note(node) -> None:
    """Record the innermost frame outside tracenp and NumPy as `node`'s site."""
    if node in _sites:
        return
    f = sys._getframe(1)
    while f is not None and _is_internal(f.f_code.co_filename):
        f = f.f_back
    if f is not None:
        _sites[node] = (f.f_code.co_filename, f.f_lineno)


def inherit(new, old) -> None:
    site = _sites.get(old)
    if site is not None and new not in _sites:
        _sites[new] = site


def site_of(node, depth: int = 3) -> tuple[str, int] | None:
    """`node`'s site, else the first site among its sources up to `depth` levels down."""
    frontier = [node]
    for _ in range(depth + 1):
        for n in frontier:
            site = _sites.get(n)
            if site is not None:
                return site
        frontier = [s for n in frontier for s in n.srcs]
    return None


def describe(site: tuple[str, int] | None) -> str:
    """`file:line  code` for a site, or '' when unknown."""
    if site is None:
        return ""
    filename, line = site
    code = linecache.getline(filename, line).strip()
    return f"{os.path.basename(filename)}:{line}" + (f"  {code}" if code else "")
