"""What module verification checks beyond xDSL's verifiers: that every value is defined before
it is used (SSA dominance), which MLIR's verifier checks and xDSL 0.74's does not.

xDSL's parser accepts forward references (graph regions need them) and `Operation.verify`
checks no dominance, so a module using a value above its definition verifies, and the
interpreter or a pass then meets an undefined value (a KeyError, an assertion). Every tool reads
modules through `bnnir.tools.cli.LocatingParser`, which runs this check after parsing, and
`verify_located` runs it after the verifiers.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.irdl.dominance import DominanceInfo
from xdsl.utils.exceptions import VerifyException


class DominanceError(VerifyException):
    """A value used where its definition does not dominate the use; `op` is the user."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op


def verify_dominance(root: Operation) -> None:
    """Raise DominanceError at the first op (in walk order) using a value whose definition does
    not dominate it: a result of a later op of the same block (or of the op itself), or a value
    of a block that does not enclose the use. Regions of `builtin.module` are graph regions, as in
    MLIR, where no order is required between their ops."""
    order: dict[Block, dict[Operation, int]] = {}
    for op in root.walk():
        for operand in op.operands:
            if (problem := _dominance_problem(operand, op, order)) is not None:
                raise DominanceError(op, f"{op.name} uses %{_name(operand)} {problem}")


def _dominance_problem(value: SSAValue, user: Operation,
                       order: dict[Block, dict[Operation, int]]) -> str | None:
    """Why `value`'s definition does not dominate `user`, or None if it does."""
    block = value.block if isinstance(value, BlockArgument) else \
        value.op.parent if isinstance(value, OpResult) else None
    if block is None:
        return "which is not in the module"
    ancestor = block.find_ancestor_op_in_block(user)
    if ancestor is None:
        return _across_blocks(block, user)
    if isinstance(value, BlockArgument) or _in_graph_region(block):
        return None
    positions = order.get(block)
    if positions is None:
        positions = order[block] = {op: i for i, op in enumerate(block.ops)}
    if positions[value.op] < positions[ancestor]:
        return None
    if value.op is ancestor:
        return "which it defines itself"
    return "before its definition; define a value above its first use"


def _across_blocks(block: Block, user: Operation) -> str | None:
    """A value of another block dominates `user` when that block dominates the block of the
    region holding `user` (multi-block regions), else it is out of scope."""
    region = block.parent
    inner: Block | None = user.parent
    while inner is not None and inner.parent is not region:
        parent_op = inner.parent_op()
        inner = None if parent_op is None else parent_op.parent
    if region is None or inner is None:
        return "defined in a region that does not enclose its use"
    if DominanceInfo(region).strictly_dominates(block, inner):
        return None
    return "defined in a block that does not dominate its use"


def _in_graph_region(block: Block) -> bool:
    return isinstance(block.parent_op(), ModuleOp)


def _name(value: SSAValue) -> str:
    if value.name_hint:
        return value.name_hint
    kind = "result" if isinstance(value, OpResult) else "argument"
    return f"<{kind} {value.index}>"
