"""Completeness: every primitive has a reference, a type rule, a test row, and a gradient or a reason."""

from op_table import ROWS

from tracenp.ops import OPS, Op


def test_every_op_has_a_registry_entry():
    missing = [op.name for op in Op if op not in OPS]
    assert not missing, f"ops without an OpDef: {missing}"


def test_every_op_has_a_test_row():
    covered = {op for row in ROWS for op in row.ops}
    missing = [op.name for op in Op if op not in covered and op not in (Op.INPUT, Op.CONST)]
    assert not missing, f"ops with no row in tests/op_table.py: {missing}"


def test_every_differentiable_op_has_a_vjp():
    missing = [op.name for op, d in OPS.items()
               if d.kind != "leaf" and not d.nondiff and d.vjp is None]
    assert not missing, f"differentiable ops without a vjp rule: {missing}"
