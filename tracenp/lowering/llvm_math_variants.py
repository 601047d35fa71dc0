"""Scalar math helpers that the loop vectorizer replaces by vector functions of our own.

A helper with a branch (sin, cos and tan take one for huge arguments) cannot be inlined into a
kernel loop: the loop vectorizer would flatten the branch into selects and pay for the rare path
in every lane. Instead the scalar helper stays a call, marked `memory(none)`, and names vector
versions of itself in LLVM's `vector-function-abi-variant` attribute (the mechanism that maps
libm calls to SVML or SLEEF): the vectorizer calls `<N x T>` versions whose branch is taken once
per vector, only when some lane needs it. `llvm.compiler.used` keeps the vector versions alive
until the vectorizer has run.
"""

from __future__ import annotations

from collections.abc import Sequence

from llvmlite import ir

LANES = {"f64": (2, 4, 8), "f32": (4, 8, 16)}
"""Vector widths offered to the vectorizer: 128-bit (SSE) to 512-bit (AVX-512) registers."""


class _VariantAttributes(ir.values.FunctionAttributes):
    """Function attributes plus the `vector-function-abi-variant` string attribute (llvmlite
    only accepts the attribute names it knows)."""

    def __init__(self, mappings: str):
        super().__init__()
        self.mappings = mappings

    def _to_list(self, ret_type):
        return super()._to_list(ret_type) + [f'"vector-function-abi-variant"="{self.mappings}"']


def declare(scalar: ir.Function, vectors: Sequence[ir.Function]) -> None:
    """Make `scalar` (one argument per parameter, by value) a call the loop vectorizer widens to
    `vectors`, whose types are `<N x T>` for the widths N in LANES."""
    params = "v" * len(scalar.args)
    mappings = ",".join(
        f"_ZGV_LLVM_N{v.ftype.return_type.count}{params}_{scalar.name}({v.name})" for v in vectors
    )
    attrs = _VariantAttributes(mappings)
    for name in ("noinline", "nounwind", "readnone"):
        attrs.add(name)
    scalar.attributes = attrs
    _keep(scalar.module, vectors)


def _keep(module: ir.Module, fns: Sequence[ir.Function]) -> None:
    """Add `fns` to `llvm.compiler.used` (internal functions with no caller yet)."""
    used = module.globals.get("llvm.compiler.used")
    if used is None:
        used = ir.GlobalVariable(module, ir.ArrayType(ir.PointerType(), 0), "llvm.compiler.used")
        used.linkage = "appending"
        used.section = "llvm.metadata"
        kept = []
    else:
        kept = list(used.initializer.constant)
    kept += fns
    used.value_type = ir.ArrayType(ir.PointerType(), len(kept))
    used.initializer = ir.Constant(used.value_type, kept)
