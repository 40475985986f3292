"""Label selection: TopK with k = 1 and ArgMax along the class axis, as `bnn.arg_max`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx
from xdsl.dialects.builtin import TensorType

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import si64
from bnnir.frontend.onnx.constants import node_attributes, node_error
from bnnir.frontend.onnx.values import require_rank

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter


def top_k(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """TopK with k = 1 as a label select: its indices output is the arg max."""
    attrs = node_attributes(node)
    k = imp.constant(node.input[1], "k").reshape(-1)
    if k.size != 1 or int(k[0]) != 1 or int(attrs.get("largest", 1)) != 1:
        raise node_error("TopK is supported as label select only (k=1, largest=1)")
    if imp.consumed(node.output[0]):
        raise node_error("the TopK values output is not supported; use its indices")
    if len(node.output) < 2 or not node.output[1]:
        raise node_error("TopK needs its indices output (the label)")
    _arg_max_along(imp, node, int(attrs.get("axis", -1)), node.output[1], keep=True)


def arg_max(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    attrs = node_attributes(node)
    if int(attrs.get("select_last_index", 0)):
        raise node_error("ArgMax with select_last_index=1 is not supported")
    _arg_max_along(imp, node, int(attrs.get("axis", 0)), node.output[0],
                   keep=bool(attrs.get("keepdims", 1)))


def _arg_max_along(
    imp: OnnxImporter, node: onnx.NodeProto, axis: int, out_name: str, keep: bool
) -> None:
    """`bnn.arg_max` of the node's input along `axis` (the class axis 1 of [N, C]), bound to
    `out_name`, with the axis kept as [N, 1] or dropped as [N]."""
    value = imp.real(imp.value(node.input[0]))
    require_rank(value, 2)
    if axis % 2 != 1:
        raise node_error(f"label select must work along the class axis 1, got axis {axis}")
    out = imp.insert(bnn.ArgMaxOp(value.ssa), out_name)
    if not keep:
        n = value.shape[0]
        out = imp.insert(bnn.ReshapeOp(out, TensorType(si64, [n])), out_name)
    imp.bind(out_name, out)


HANDLERS: dict[str, Handler] = {
    "TopK": top_k,
    "ArgMax": arg_max,
}
