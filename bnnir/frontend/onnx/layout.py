"""Data movement on activations: Flatten, Reshape, Transpose, Identity, Dropout, and Shape.

bnnir keeps the batch first and a map's channels on axis 1; these ops change only how the
features after the batch are grouped. Shape of an activation folds to its static dimensions,
with the dynamic batch as a marker (constants.DYNAMIC_BATCH) that shape arithmetic carries to a
Reshape (PyTorch's `x.view(x.size(0), -1)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
from xdsl.dialects.builtin import DYNAMIC_INDEX, TensorType
from xdsl.ir import SSAValue

from bnnir.dialects import bnn
from bnnir.frontend.onnx.constants import (
    DYNAMIC_BATCH,
    activation_shape,
    node_attributes,
    node_error,
    reshape_target,
)
from bnnir.frontend.onnx.levels import trace_levels
from bnnir.frontend.onnx.values import Value
from bnnir.frontend.onnx.windows import applied

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter


def flatten(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.value(node.input[0])
    axis = int(node_attributes(node).get("axis", 1))
    if axis not in (1, 1 - len(value.shape)):
        raise node_error(f"only Flatten with axis=1 (after the batch) is supported, got "
                         f"axis={axis}")
    shape = value.shape
    imp.bind(node.output[0], reshaped(imp, value, [int(np.prod(shape[1:]))]), value.binary)


def reshape(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.value(node.input[0])
    target = [int(t) for t in imp.constant(node.input[1], "shape").reshape(-1)]
    if target and target[0] == DYNAMIC_BATCH:  # the batch, from Shape of an activation
        target[0] = 0
    if DYNAMIC_BATCH in target:
        raise node_error("Reshape moves the dynamic batch dimension; bnnir keeps the batch "
                         "first")
    shape = value.shape
    if any(t == 0 for t in target[len(shape):]):
        raise node_error(f"Reshape target {target} copies (0) a dimension the input "
                         f"{bnn.shape_str(shape)} does not have")
    batch_kept = target and (target[0] == 0 or (target[0] == shape[0] != DYNAMIC_INDEX)
                             or (target[0] == -1 and -1 not in target[1:]))
    if not batch_kept:
        raise node_error(f"Reshape to {target} must keep the batch dimension first "
                         "(use 0 or -1 there)")
    rest = reshape_target(shape[1:], target[1:]) if target[1:] else []
    if int(np.prod(rest)) != int(np.prod(shape[1:])):
        raise node_error(f"cannot reshape {bnn.shape_str(shape)} to {target}")
    imp.bind(node.output[0], reshaped(imp, value, rest), value.binary)


def reshaped(imp: OnnxImporter, value: Value, rest: list[int]) -> SSAValue:
    """`value` reshaped to [batch, *rest]. Scalar scales and offsets of integer levels move
    behind the reshape (they commute with it), so a following layer still reads levels."""
    if rest == list(value.shape[1:]):
        return value.ssa
    levels = trace_levels(value.ssa)
    source = value.ssa if levels is None else levels.levels
    source_type = bnn.tensor_type(source)
    out_type = TensorType(source_type.element_type, [source_type.get_shape()[0], *rest])
    op = bnn.FlattenOp(source) if len(rest) == 1 else bnn.ReshapeOp(source, out_type)
    return applied(imp, () if levels is None else levels.steps, imp.insert(op))


def shape(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Shape of an activation: its static dimensions, the dynamic batch as a marker that
    shape arithmetic (Gather, Concat, ...) carries to a Reshape."""
    value = imp.value(node.input[0])
    attrs = node_attributes(node)
    start, end = int(attrs.get("start", 0)), attrs.get("end")
    dims = activation_shape(value.shape, DYNAMIC_INDEX)
    imp.constants[node.output[0]] = dims[start:None if end is None else int(end)]


def identity(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    if node.input[0] in imp.zero_pads:  # a zero pad waiting for its conv
        imp.zero_pads[node.output[0]] = imp.zero_pads[node.input[0]]
        return
    value = imp.value(node.input[0])
    imp.bind(node.output[0], value.ssa, value.binary)


def transpose(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.value(node.input[0])
    perm = list(node_attributes(node).get("perm", []))
    if perm != list(range(len(value.shape))):
        raise node_error("transposing activations is not supported (only constants)")
    imp.bind(node.output[0], value.ssa, value.binary)


HANDLERS: dict[str, Handler] = {
    "Flatten": flatten,
    "Reshape": reshape,
    "Identity": identity,
    "Dropout": identity,
    "Transpose": transpose,
    "Shape": shape,
}
