"""Diagnostics: the error type for bad input, and remarks about what a pass did not do."""

from __future__ import annotations

import sys

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Operation


class BnnirError(Exception):
    """Bad input to a bnnir tool or API: `where` names the file, node or IR location and `what`
    says what is wrong and, where possible, what to do. Tools print it as one line."""

    def __init__(self, where: str, what: str):
        super().__init__(where, what)
        self.where = where
        self.what = what

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


def describe(op: Operation) -> str:
    """How diagnostics name an op: its kind and its ONNX node (bnn.conv2d 'conv1'), else its
    result's SSA name (bnn.conv2d %a)."""
    node = op.attributes.get("onnx_node")
    if isinstance(node, StringAttr):
        return f"{op.name} '{node.data}'"
    hint = op.results[0].name_hint if op.results else None
    return f"{op.name} %{hint}" if hint else f"{op.name} (unnamed)"


def remark(where: Operation | str, what: str) -> None:
    """One line on stderr, `remark: WHERE: WHAT` (an op as `describe` names it): a pass tells
    what it changed in a way the user should know, or what it left undone."""
    subject = describe(where) if isinstance(where, Operation) else where
    print(f"remark: {subject}: {what}", file=sys.stderr)
