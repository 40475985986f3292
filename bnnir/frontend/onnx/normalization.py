"""Float32 steps on activations: BatchNormalization, and Mul / Div / Add / Sub / Neg by constants.

Each keeps onnxruntime's float32 arithmetic step for step (`bnn.batch_norm`, `bnn.affine`); their
scales and offsets must be finite (no zero divisor, var + epsilon > 0), as inf and NaN from
finite accumulators would meet max-pools whose NaN handling onnxruntime leaves to SIMD.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import bipolar, dense_from_numpy, is_bipolar, si32
from bnnir.frontend.onnx.constants import node_attributes, node_error
from bnnir.frontend.onnx.values import Value

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter


def batch_norm(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    attrs = node_attributes(node)
    if int(attrs.get("training_mode", 0)):
        raise node_error("BatchNormalization in training mode is not supported")
    value = imp.real(imp.value(node.input[0]))
    gamma, beta, mean, var = (
        _batch_norm_parameter(imp, n, what)
        for n, what in zip(node.input[1:5], ("scale", "B", "mean", "var"), strict=True)
    )
    eps = float(attrs.get("epsilon", 1e-5))
    op = bnn.BatchNormOp(value.ssa, gamma, beta, mean, var, eps)
    imp.bind(node.output[0], imp.insert(op))


def _batch_norm_parameter(imp: OnnxImporter, name: str, what: str) -> np.ndarray:
    """A BatchNormalization parameter: one float32 value per channel, as onnxruntime requires
    (its type is the input's, float32 here)."""
    values = imp.constant(name, what)
    if values.ndim != 1 or values.dtype != np.float32:
        raise node_error(f"BatchNormalization {what} '{name}' must be a 1-D float32 tensor (one "
                         f"value per channel, as onnxruntime requires), got {values.dtype} of "
                         f"shape {list(values.shape)}")
    return values


def elementwise(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Mul, Div, Add or Sub of an activation and a constant (a scalar or one value per
    channel) as one float32 step; c − x is (−1) · x + c, exact as onnxruntime's."""
    op, (a, b) = node.op_type, node.input[:2]
    if a not in imp.constants and b not in imp.constants:
        raise node_error(f"{op} of two activations is not supported; one operand must be "
                         "a constant")
    if a in imp.constants and op == "Div":
        raise node_error("Div(constant, tensor) computes c / x, which is not an affine "
                         "function of x; bnnir supports Div(tensor, constant)")
    constant_first = a in imp.constants
    value = imp.real(imp.value(b if constant_first else a))
    c = channel_constant(imp.constants[a] if constant_first
                         else imp.constant(b, "operand"), value)
    match op:
        case "Mul":
            affine = bnn.AffineOp(value.ssa, scale=c)
        case "Div":
            affine = bnn.AffineOp(value.ssa, scale=c, divide=True)
        case "Add":
            affine = bnn.AffineOp(value.ssa, offset=c)
        case _ if constant_first:  # Sub(c, x)
            affine = bnn.AffineOp(value.ssa, np.float32([-1]), c)
        case _:  # Sub(x, c)
            affine = bnn.AffineOp(value.ssa, offset=-c)
    imp.bind(node.output[0], imp.insert(affine))


def neg(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """−x in float32; of bipolar values, the complemented bits (a falling threshold at 0), so
    that what reads them still reads bits: a max-pool pools them, and a layer's exact zero sum
    is +0.0 as onnxruntime's sum of ±1 products (not −1 · +0 = −0.0)."""
    value = imp.value(node.input[0])
    if is_bipolar(value.element_type) and not value.binary:
        channels = value.ir_shape[1]
        zero = dense_from_numpy(np.zeros((1, 1), np.int32), si32)
        op = bnn.ThresholdOp(value.ssa, zero, bipolar, descending=range(channels))
        imp.bind(node.output[0], imp.insert(op))
        return
    value = imp.real(value)
    imp.bind(node.output[0], imp.insert(bnn.AffineOp(value.ssa, np.float32([-1]))))


def channel_constant(constant: np.ndarray, value: Value) -> np.ndarray:
    """A constant operand of an elementwise op as a scalar or per-channel (axis 1) vector."""
    c = np.asarray(constant, dtype=np.float32)
    rank, channels = len(value.shape), value.shape[1]
    if c.ndim > rank:
        raise node_error(f"constant of shape [{bnn.shape_str(c.shape)}] has a higher rank "
                         f"than the tensor of shape [{bnn.shape_str(value.shape)}]; bnnir "
                         "keeps a tensor's rank through elementwise ops")
    if c.size == 1:
        return c.reshape(1)
    full = (1,) * (rank - c.ndim) + c.shape
    per_channel = tuple(channels if i == 1 else 1 for i in range(rank))
    if len(full) == rank and full == per_channel:
        return c.reshape(channels)
    raise node_error(f"constant of shape [{bnn.shape_str(c.shape)}] is neither a scalar nor "
                     f"per-channel for a tensor of shape [{bnn.shape_str(value.shape)}]")


HANDLERS: dict[str, Handler] = {
    "BatchNormalization": batch_norm,
    "Mul": elementwise,
    "Div": elementwise,
    "Add": elementwise,
    "Sub": elementwise,
    "Neg": neg,
}
