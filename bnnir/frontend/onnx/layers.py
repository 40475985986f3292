"""Compute layers: Conv, MatMul, Gemm and FINN's XnorPopcountMatMul.

A layer needs weights that are ±s (one magnitude s per tensor or per output channel) after any
quantizer, or the integers q · s of a 2..8-bit QONNX Quant with a zero point of 0 (s one positive
value per tensor or per output channel): it gets the ±1 pattern or the si<N> integers and, when
s != 1, a following `bnn.affine` scale. A layer input
that is a scalar affine function a·q + b of integer or bipolar levels q is fed to the layer as q,
and a·acc + b·rowsum(w) follows it (levels.py); a remark names the node where onnxruntime's
float32 sum can round differently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import onnx
from xdsl.dialects.builtin import Float32Type, IntegerAttr, i64
from xdsl.ir import Attribute, SSAValue

from bnnir.analysis.value_ranges import integer_bounds
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import MAX_WEIGHT_BITS, is_bipolar
from bnnir.frontend.onnx.constants import (
    binary_weights,
    fold_constant,
    int_attribute_list,
    node_attributes,
    node_error,
    quantizer_of,
)
from bnnir.frontend.onnx.levels import exact_float_sums, trace_levels
from bnnir.frontend.onnx.values import LayerInput, Value, require_rank
from bnnir.frontend.onnx.windows import window_pads

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter

MLAS_K_BLOCK = 256
"""onnxruntime's float Gemm (MLAS, with the constant B prepacked) computes alpha · A·B + beta · C
over the inner dimension in blocks of 256 (MLAS_SGEMM_PACKED_STRIDEK, core/mlas/lib/mlasi.h),
adding each block's alpha · partial to the output in one fused multiply-add; measured bit for bit
with onnxruntime 1.32 on x86-64."""


def conv(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    attrs = node_attributes(node)
    if int(attrs.get("group", 1)) != 1:
        raise node_error("grouped convolutions are not supported (group must be 1)")
    if any(d != 1 for d in int_attribute_list(attrs, "dilations", 2, 1, [1, 1])):
        raise node_error("dilated convolutions are not supported")
    raw = imp.constant(node.input[1], "weights")
    if raw.ndim != 4:
        raise node_error(f"only 2-D convolutions are supported, weights have shape "
                         f"{list(raw.shape)}")
    kernel = [int(k) for k in attrs.get("kernel_shape", raw.shape[2:])]
    if kernel != list(raw.shape[2:]):
        raise node_error(f"kernel_shape {kernel} does not match the weights' kernel "
                         f"{list(raw.shape[2:])} (onnxruntime refuses it)")
    layer_input = _conv_input(imp, node.input[0])
    require_rank(layer_input.levels, 4)
    weights = _layer_weights(imp, node.input[1], raw, 0)
    strides = int_attribute_list(attrs, "strides", 2, 1, [1, 1])
    pads = _conv_pads(imp, node, layer_input.levels, raw.shape[2:], strides)
    properties: dict[str, Attribute] = {}
    if any(pads) and layer_input.zero_level != 0:
        properties["pad_value"] = IntegerAttr(_pad_level(layer_input), i64)
    w = imp.weights(weights.integers, node.input[1], weights.bits)
    op = bnn.Conv2dOp(layer_input.levels.ssa, w, strides, pads, properties=properties)
    out = layer_output(imp, imp.insert(op), layer_input, weights)
    imp.bind(node.output[0], _bias(imp, node, out, 2))


def _pad_level(layer_input: LayerInput) -> int:
    if layer_input.zero_level is None:
        raise node_error(
            f"zero padding of an input {layer_input.scale:.9g} · q + "
            f"{layer_input.offset:.9g} has no integer level q to pad with; pad the input "
            "explicitly or drop the offset"
        )
    return layer_input.zero_level


def _conv_input(imp: OnnxImporter, name: str) -> LayerInput:
    if name in imp.zero_pads:
        padded, _ = imp.zero_pads[name]
        return LayerInput(padded)
    return layer_input(imp, name)


def _conv_pads(
    imp: OnnxImporter, node: onnx.NodeProto, value: Value, kernel: Sequence[int],
    strides: list[int],
) -> list[int]:
    """The conv's pads, plus those of an explicit zero Pad before it (which auto_pad sees as
    part of the input)."""
    _, extra = imp.zero_pads.get(node.input[0], (value, (0, 0, 0, 0)))
    top, left, bottom, right = extra
    height, width = value.shape[2:]
    padded = (height + top + bottom, width + left + right)
    pads = window_pads(node_attributes(node), padded, kernel, strides)
    return [a + b for a, b in zip(pads, extra, strict=True)]


def _bias(imp: OnnxImporter, node: onnx.NodeProto, ssa: SSAValue, index: int) -> SSAValue:
    name = imp.optional(node, index)
    if name is None:
        return ssa
    bias = imp.constant(name, "bias").astype(np.float32).reshape(-1)
    channels = bnn.tensor_type(ssa).get_shape()[1]
    if bias.size != channels:
        raise node_error(f"bias has {bias.size} values for {channels} output channels")
    if not np.any(bias):
        return ssa
    return imp.insert(bnn.AffineOp(ssa, offset=bias))


def _dense_weights(imp: OnnxImporter, name: str, transposed: bool) -> LayerWeights:
    """Weights [in, out] (or [out, in] if `transposed`) as integer rows [out, in] and their
    scales."""
    raw = imp.constant(name, "weights")
    if raw.ndim != 2:
        raise node_error(f"weights must be a matrix, got shape {list(raw.shape)}")
    weights = _layer_weights(imp, name, raw, 0 if transposed else 1)
    if transposed:
        return weights
    return dataclasses.replace(weights, integers=np.ascontiguousarray(weights.integers.T))


_WEIGHT_PATH = {"Transpose", "Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze", "Cast"}
"""Constant ops between a weight quantizer and its layer."""


@dataclass(frozen=True)
class LayerWeights:
    """A layer's weights as integers (±1 for `bits` = 1, else si<bits>) and their positive
    scale, one value or one per output channel: the ONNX weights are integers · scale."""

    integers: np.ndarray
    scale: np.ndarray
    bits: int = 1


def _layer_weights(imp: OnnxImporter, name: str, raw: np.ndarray, out_axis: int) -> LayerWeights:
    """The integers of a 2..8-bit QONNX Quant that makes the weights (through data movement),
    else ±1 with their magnitudes (`binary_weights`)."""
    path = _weight_quantizer(imp, name)
    if path is None:
        return LayerWeights(*binary_weights(raw, out_axis))
    return integer_weights(imp, path, raw, out_axis)


def _weight_quantizer(imp: OnnxImporter, name: str) -> list[onnx.NodeProto] | None:
    """The integer Quant that makes the weights `name` and the data movement after it, in
    order; None if they come from elsewhere (or a 1-bit signed Quant: binary weights)."""
    path: list[onnx.NodeProto] = []
    producer = imp.producers.get(name)
    while producer is not None and producer.op_type in _WEIGHT_PATH:
        path.insert(0, producer)
        producer = imp.producers.get(producer.input[0])
    if producer is None or producer.op_type != "Quant":
        return None
    bits = np.asarray(imp.constants[producer.input[3]]).reshape(-1)
    if bits.size == 1 and float(bits[0]) == 1 and node_attributes(producer).get("signed", 1):
        return None
    return [producer, *path]


def integer_weights(
    imp: OnnxImporter, path: list[onnx.NodeProto], raw: np.ndarray, out_axis: int
) -> LayerWeights:
    """Integer weights q and their scale s from the Quant `path[0]` and the data movement after
    it: raw = fl(q · s) with s one positive value or one per output channel (zero point 0). The
    layer computes with q and the scale follows it (`layer_output`), as for ±s weights."""
    quant = path[0]
    label = (f"the {_quant_bits(imp, quant)}-bit Quant '{quant.name or quant.output[0]}' on "
             "the weights")
    quantizer = quantizer_of(quant, [imp.constants[n] for n in quant.input])
    if np.any(quantizer.zeropt != 0):
        raise node_error(f"{label} has zero point {quantizer.zeropt.reshape(-1)[:4]}; bnnir "
                         "needs integer weights with a zero point of 0")
    bits = weight_width(quantizer.min_int, quantizer.max_int)
    if bits is None:
        raise node_error(f"{label} needs {quantizer.min_int}..{quantizer.max_int}; bnnir "
                         f"supports weights of 1 to {MAX_WEIGHT_BITS} bits (si{MAX_WEIGHT_BITS}: "
                         "-128..127)")
    x = imp.constants[quant.input[0]]
    levels = quantizer.integer(x)
    scale = np.broadcast_to(quantizer.scale, levels.shape).astype(np.float32)
    for node in path[1:]:  # the same data movement on the integers and their scales
        others = [imp.constants[n] if n else None for n in node.input[1:]]
        levels = fold_constant(node, [levels, *others])[0]
        scale = fold_constant(node, [scale, *others])[0]
    if levels.shape != raw.shape or not np.array_equal(
            (levels * scale).astype(np.float32), raw):
        raise node_error(f"{label}: the weights the layer reads are not its integers times "
                         "its scale (an op between them changes values)")
    rows = np.moveaxis(scale, out_axis, 0).reshape(raw.shape[out_axis], -1)
    if np.any(rows != rows[:, :1]):
        raise node_error(f"{label} has a scale that differs within an output channel; bnnir "
                         "needs one scale per tensor or per output channel")
    channel_scale = rows[:, 0]
    if np.all(channel_scale == channel_scale[0]):
        channel_scale = channel_scale[:1]
    return LayerWeights(levels.astype(np.int8), channel_scale.astype(np.float32), bits)


def _quant_bits(imp: OnnxImporter, quant: onnx.NodeProto) -> int:
    return int(np.asarray(imp.constants[quant.input[3]]).reshape(-1)[0])


def weight_width(low: int, high: int) -> int | None:
    """The bits N of the narrowest weight type si<N> (2..8) holding low..high, or None."""
    for bits in range(2, MAX_WEIGHT_BITS + 1):
        if -(1 << (bits - 1)) <= low and high < 1 << (bits - 1):
            return bits
    return None


def matmul(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    if node.input[0] in imp.constants:
        raise node_error("the constant must be the second MatMul operand (x @ W)")
    layer_in = layer_input(imp, node.input[0])
    require_rank(layer_in.levels, 2)
    weights = _dense_weights(imp, node.input[1], False)
    w = imp.weights(weights.integers, node.input[1], weights.bits)
    acc = imp.insert(bnn.DenseOp(layer_in.levels.ssa, w))
    imp.bind(node.output[0], layer_output(imp, acc, layer_in, weights))


def gemm(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Y = alpha · (A @ B) + beta · C: onnxruntime adds fl(beta · C) to alpha · acc in one
    fused multiply-add (MLAS's epilogue), which a fused `bnn.affine` reproduces."""
    attrs = node_attributes(node)
    if int(attrs.get("transA", 0)):
        raise node_error("Gemm with transA=1 reads the activations transposed (batch on "
                         "axis 1); bnnir needs the batch first (transA=0)")
    layer_in = layer_input(imp, node.input[0])
    require_rank(layer_in.levels, 2)
    weights = _dense_weights(imp, node.input[1], bool(int(attrs.get("transB", 0))))
    w = imp.weights(weights.integers, node.input[1], weights.bits)
    acc = imp.insert(bnn.DenseOp(layer_in.levels.ssa, w))
    out = layer_output(imp, acc, layer_in, weights)
    alpha = np.float32(attrs.get("alpha", 1.0))
    rows = weights.integers
    bias = _gemm_bias(imp, node, len(rows), np.float32(attrs.get("beta", 1.0)))
    _remark_blocked_epilogue(imp, layer_in, weights, alpha, bias, rows.shape[1])
    if bias is not None and alpha != 1:
        out = imp.insert(bnn.AffineOp(out, np.float32([alpha]), bias, fused=True))
    elif bias is not None:
        out = imp.insert(bnn.AffineOp(out, offset=bias))
    elif alpha != 1:
        out = imp.insert(bnn.AffineOp(out, np.float32([alpha])))
    imp.bind(node.output[0], out)


def _gemm_bias(
    imp: OnnxImporter, node: onnx.NodeProto, outputs: int, beta: np.float32
) -> np.ndarray | None:
    """fl(beta · C) as one value or one per output, None if absent or zero."""
    name = imp.optional(node, 2)
    if name is None or beta == 0:
        return None
    c = imp.constant(name, "bias").astype(np.float32)
    if c.size not in (1, outputs) or c.ndim > 2 or (c.ndim == 2 and c.shape[0] != 1):
        raise node_error(f"Gemm bias C must be a scalar or hold one value per output "
                         f"({outputs}), got shape {list(c.shape)}")
    c = (c * beta).astype(np.float32).reshape(-1)
    return c if np.any(c) else None


def _remark_blocked_epilogue(
    imp: OnnxImporter, layer_in: LayerInput, weights: LayerWeights, alpha: np.float32,
    bias: np.ndarray | None, fan_in: int,
) -> None:
    """Remark when onnxruntime's Gemm can round alpha · acc + beta · C differently from one
    fused multiply-add: MLAS adds each block of MLAS_K_BLOCK inputs to the output with its
    own rounding, which is exact only if every partial result is a float32."""
    if fan_in <= MLAS_K_BLOCK or (alpha == 1 and bias is None):
        return
    products = np.multiply.outer(_input_values(layer_in), _weight_values(weights)
                                 ).reshape(-1) * alpha
    terms = products if bias is None else np.concatenate([products, bias])
    if exact_float_sums(terms, fan_in + 1):
        return
    imp.remark(f"alpha · acc + beta · C rounded once, where onnxruntime rounds once per "
               f"{MLAS_K_BLOCK} of the {fan_in} inputs: results can differ from onnxruntime "
               "in the last float bit")


def xnor_popcount(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.value(node.input[0])
    if not (is_bipolar(value.element_type) and value.binary):
        raise node_error("XnorPopcountMatMul needs a BINARY {0, 1} input tensor")
    require_rank(value, 2)
    raw = imp.constant(node.input[1], "weights")
    if raw.ndim != 2:
        raise node_error(f"weights must be a matrix, got shape {list(raw.shape)}")
    if not np.all((raw == 0) | (raw == 1)):
        raise node_error("XnorPopcountMatMul weights must be BINARY {0, 1}")
    weights = (raw.T * 2 - 1).astype(np.int8)
    w = imp.weights(weights, node.input[1])
    acc = imp.insert(bnn.DenseOp(value.ssa, w))
    # popcount of matching bits P = (d + K) / 2, exact in float32
    k = np.array([weights.shape[1] / 2], np.float32)
    imp.bind(node.output[0], imp.insert(bnn.AffineOp(acc, np.float32([0.5]), k)))


# -- the layer's input levels and its output ------------------------------------


def layer_input(imp: OnnxImporter, name: str) -> LayerInput:
    """The integer/bipolar levels a compute layer reads for its input `name`."""
    value = imp.value(name)
    if value.binary:  # FINN BINARY: x = (v + 1) / 2 of the bipolar v
        return LayerInput(value, 0.5, 0.5, np.array([0.0, 1.0]), zero_level=-1)
    if not isinstance(value.element_type, Float32Type):
        return LayerInput(value)
    levels = trace_levels(value.ssa)
    if levels is None:
        raise node_error(
            f"input '{name}' is a real-valued (f32) tensor; layers need bipolar or integer "
            "inputs, or a scalar scale and offset of them (add a quantizer, or give "
            "--input-type for the graph input)"
        )
    values = levels.values()
    if values is None:  # a wide accumulator: exact for power-of-two scales below 2^24
        exact = levels.offset == 0 and float(np.frexp(levels.scale)[0]) in (0.5, -0.5)
    else:
        exact = levels.is_exact()
    return LayerInput(Value(levels.levels), levels.scale, levels.offset, values, exact,
                      levels.zero_level())


def layer_output(
    imp: OnnxImporter, acc: SSAValue, layer_in: LayerInput, weights: LayerWeights
) -> SSAValue:
    """The ONNX result of a layer from its accumulator over the input levels:
    scale · acc + offset · rowsum(weights), then the weight scale. Remarks where
    onnxruntime's float32 sum may round differently."""
    w_scale = weights.scale
    rows = weights.integers.reshape(len(weights.integers), -1)
    out = acc
    if layer_in.offset:
        offset = (layer_in.offset * rows.sum(axis=1, dtype=np.int64)).astype(np.float32)
        offset += np.float32(0)  # an exact zero sum is +0, as onnxruntime's
        fused = layer_in.scale != 1
        scale = np.float32([layer_in.scale]) if fused else None
        out = imp.insert(bnn.AffineOp(out, scale, offset, fused=fused))
    elif layer_in.scale != 1:
        out = imp.insert(bnn.AffineOp(out, np.float32([layer_in.scale])))
    if not np.all(w_scale == 1):
        out = imp.insert(bnn.AffineOp(out, w_scale))
    _remark_inexact(imp, layer_in, weights, rows.shape[1])
    return out


def _weight_values(weights: LayerWeights) -> np.ndarray:
    """The magnitudes the ONNX weights take: each nonzero |integer| times each scale."""
    magnitudes = np.unique(np.abs(weights.integers.astype(np.int64)))
    magnitudes = magnitudes[magnitudes != 0] if np.any(magnitudes) else magnitudes[:1]
    return np.multiply.outer(magnitudes, weights.scale.astype(np.float64)).reshape(-1)


def _remark_inexact(
    imp: OnnxImporter, layer_in: LayerInput, weights: LayerWeights, fan_in: int
) -> None:
    w_scale = weights.scale
    terms = np.multiply.outer(_input_values(layer_in), _weight_values(weights))
    if layer_in.exact and exact_float_sums(terms, fan_in):
        return
    parts = []
    if layer_in.offset:
        parts.append(f"scale {layer_in.scale:.9g} and offset {layer_in.offset:.9g} of "
                     "the input")
    elif layer_in.scale != 1:
        parts.append(f"input scale {layer_in.scale:.9g}")
    if not np.all(w_scale == 1):
        parts.append(f"weight scale {w_scale.reshape(-1)[0]:.9g}"
                     + (" (per channel)" if w_scale.size > 1 else ""))
    if parts:
        imp.remark(f"{' and '.join(parts)} applied after the integer layer: results can "
                   "differ from onnxruntime in the last float bit, and so flip a sign or "
                   "threshold that follows (power-of-two scales are exact)")
    else:  # integer terms whose sums outgrow float32's 24-bit significand
        bound = int(np.abs(terms).max()) * fan_in
        imp.remark(f"the accumulator reaches {bound} over {fan_in} inputs, past 2^24: "
                   "onnxruntime's float32 sums round there, bnnir's integer sums do not, "
                   "so results can differ from onnxruntime")


def _input_values(layer_in: LayerInput) -> np.ndarray:
    """The values of a layer input as onnxruntime multiplies them, or for too many levels the
    extremes and the unit of their scaled integers (what bounds an exact float32 sum)."""
    if layer_in.values is not None:
        return layer_in.values.astype(np.float64)
    lows, highs = integer_bounds(layer_in.levels.ssa)  # the range it takes, not its type's
    low, high = float(lows.min()), float(highs.max())
    return layer_in.scale * np.array([1.0, low, high]) + layer_in.offset


HANDLERS: dict[str, Handler] = {
    "Conv": conv,
    "MatMul": matmul,
    "Gemm": gemm,
    "XnorPopcountMatMul": xnor_popcount,
}
