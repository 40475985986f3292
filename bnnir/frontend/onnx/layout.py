"""Data movement on activations: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Identity,
Dropout, and Shape.

bnnir keeps the batch first and a map's channels on axis 1; these ops change only how the
features after the batch are grouped (a Transpose only where it moves size-1 axes, which is a
reshape). Adding size-1 axes after the channels keeps the IR value as it is and records the ONNX
shape (Value.onnx_shape), so FINN's Unsqueeze → BatchNormalization → Squeeze imports as the
batch norm alone. Shape of an activation folds to its static dimensions,
with the dynamic batch as a marker (constants.DYNAMIC_BATCH) that shape arithmetic carries to a
Reshape (PyTorch's `x.view(x.size(0), -1)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
from xdsl.dialects.builtin import DYNAMIC_INDEX, IntegerType, TensorType
from xdsl.ir import SSAValue

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import is_bipolar
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
    _relayout(imp, node, value, [int(np.prod(value.shape[1:]))])


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
                             or (target[0] == 1 and imp.fixed_batch)
                             or (target[0] == -1 and -1 not in target[1:]))
    if not batch_kept:
        raise node_error(f"Reshape to {target} must keep the batch dimension first "
                         "(use 0 or -1 there)")
    rest = reshape_target(shape[1:], target[1:]) if target[1:] else []
    if int(np.prod(rest)) != int(np.prod(shape[1:])):
        raise node_error(f"cannot reshape {bnn.shape_str(shape)} to {target}")
    _relayout(imp, node, value, rest)


def squeeze(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Squeeze of size-1 axes after the batch (without axes: all of them, the batch kept)."""
    value = imp.value(node.input[0])
    rank = len(value.shape)
    axes = _layout_axes(imp, node, rank)
    if axes is None:
        axes = [a for a in range(1, rank) if value.shape[a] == 1]
    if any(value.shape[a] != 1 for a in axes):
        raise node_error(f"Squeeze axes {axes} of shape {bnn.shape_str(value.shape)} are not "
                         "all of size 1")
    _relayout(imp, node, value, [d for a, d in enumerate(value.shape) if a not in axes][1:])


def unsqueeze(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.value(node.input[0])
    rank = len(value.shape)
    axes = _layout_axes(imp, node, rank + len(_raw_axes(imp, node) or []))
    if axes is None:
        raise node_error("Unsqueeze needs its axes")
    rest = list(value.shape[1:])
    for axis in sorted(axes):
        rest.insert(axis - 1, 1)
    _relayout(imp, node, value, rest)


def _raw_axes(imp: OnnxImporter, node: onnx.NodeProto) -> list[int] | None:
    """The axes attribute (opset < 13) or constant input."""
    attrs = node_attributes(node)
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    name = imp.optional(node, 1)
    if name is None:
        return None
    return [int(a) for a in imp.constant(name, "axes").reshape(-1)]


def _layout_axes(imp: OnnxImporter, node: onnx.NodeProto, rank: int) -> list[int] | None:
    """Squeeze's or Unsqueeze's axes in 0..rank-1, none of them the batch."""
    axes = _raw_axes(imp, node)
    if axes is None:
        return None
    if any(not -rank <= a < rank for a in axes) or len(set(a % rank for a in axes)) != len(axes):
        raise node_error(f"axes {axes} are not distinct axes of a rank-{rank} tensor")
    axes = [a % rank for a in axes]
    if 0 in axes:
        raise node_error(f"{node.op_type} of the batch axis 0 is not supported; bnnir keeps "
                         "the batch first")
    return axes


def _relayout(imp: OnnxImporter, node: onnx.NodeProto, value: Value, rest: list[int]) -> None:
    """Bind the node's output to `value` with the ONNX shape [batch, *rest]: the same IR value
    if the new shape only adds size-1 axes after the channels, else a reshape."""
    shape = (value.shape[0], *rest)
    ir_shape = value.ir_shape
    kept = shape[:2] + tuple(d for d in shape[2:] if d != 1)
    if shape == ir_shape or (kept == ir_shape and len(shape) > 2):
        onnx_shape = None if shape == ir_shape else shape
        imp.values[node.output[0]] = Value(value.ssa, value.binary, onnx_shape)
        return
    if value.onnx_shape is not None:
        value = Value(value.ssa, value.binary)
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


def cast(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Cast of integer activations (a uint8 or int8 image input) to float: the same values,
    which layers and float ops read as integers."""
    value = imp.value(node.input[0])
    to = int(node_attributes(node).get("to", 0))
    if to != onnx.TensorProto.FLOAT or not isinstance(value.element_type, IntegerType) or \
            is_bipolar(value.element_type) or value.element_type.width.data > 24:
        raise node_error("Cast of activations is supported only from integers (as a uint8 or "
                         "int8 input) to float")
    imp.values[node.output[0]] = value


def transpose(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """A Transpose that moves only size-1 axes keeps the order of the elements: a reshape."""
    value = imp.value(node.input[0])
    rank = len(value.shape)
    perm = list(node_attributes(node).get("perm", reversed(range(rank))))
    if sorted(perm) != list(range(rank)):
        raise node_error(f"Transpose perm {perm} is not a permutation of the {rank} axes")
    moved = [a for a in perm if value.shape[a] != 1]
    if perm[0] != 0 or moved != sorted(moved):
        raise node_error("transposing activations is not supported (only constants, or moving "
                         "axes of size 1 after the batch)")
    _relayout(imp, node, value, [value.shape[a] for a in perm[1:]])


HANDLERS: dict[str, Handler] = {
    "Flatten": flatten,
    "Reshape": reshape,
    "Identity": identity,
    "Dropout": identity,
    "Transpose": transpose,
    "Cast": cast,
    "Squeeze": squeeze,
    "Unsqueeze": unsqueeze,
    "Shape": shape,
}
