"""Quantizing activations: Sign, QONNX's BipolarQuant and Quant, FINN's MultiThreshold.

Sign, BipolarQuant and 1-bit Quant binarize; a multi-bit Quant becomes an exact float32
multi-threshold (quantizers.py); MultiThreshold maps onto `bnn.threshold`. ONNX `Sign(0) = 0`
while `bnn.sign(0) = +1` (Brevitas' convention): the two differ only on exact ties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import onnx
from xdsl.dialects.builtin import Float32Type, f32
from xdsl.ir import Attribute, SSAValue

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import bipolar, dense_from_numpy, si32
from bnnir.frontend.onnx.constants import as_str, node_attributes, node_error, quantizer_of
from bnnir.frontend.onnx.levels import zero_channels
from bnnir.frontend.onnx.normalization import channel_constant
from bnnir.frontend.onnx.quantizers import IntQuantizer, level_thresholds
from bnnir.frontend.onnx.values import Value, integer_type

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter

MAX_ACTIVATION_BITS = 16
"""The widest activation Quant: its 2^bits − 1 levels become thresholds per channel."""


def sign(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.real(imp.value(node.input[0]))
    channels = zero_channels(value.ssa)
    if channels is None or channels.size:
        which = "" if channels is None else (
            f" (channel{'s' if channels.size > 1 else ''} "
            f"{', '.join(str(c) for c in channels[:8])}{', ...' if channels.size > 8 else ''})")
        imp.remark(f"the input of this Sign can be exactly 0{which}, where ONNX's Sign gives 0 "
                   "and bnn.sign +1 (the contract's Sign tie): on such inputs the results differ "
                   "from onnxruntime's")
    imp.bind(node.output[0], imp.insert(bnn.SignOp(value.ssa)))


def relu(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """Relu before unsigned Quants (Brevitas' QuantReLU): their clip at level 0 already maps
    every x <= 0 to the level of 0, so the Relu is the identity there."""
    users = imp.consumers.get(node.output[0], [])
    if not users or imp.consumed_by_graph(node.output[0]) or not all(
            _clips_at_zero(imp, user, node.output[0]) for user in users):
        raise node_error("Relu is supported only when its output feeds unsigned Quant nodes "
                         "with zero points <= 0 (Brevitas' QuantReLU), whose clip at 0 makes it "
                         "the identity")
    value = imp.value(node.input[0])
    imp.bind(node.output[0], value.ssa, value.binary)


def _clips_at_zero(imp: OnnxImporter, node: onnx.NodeProto, name: str) -> bool:
    """Whether a node is an unsigned Quant mapping every x <= 0 to the level of 0: round(x/s + z)
    <= round(z) <= 0 clamps to 0 when z <= 0, in every rounding mode."""
    if node.op_type != "Quant" or node.input[0] != name or int(
            node_attributes(node).get("signed", 1)):
        return False
    zeropt = imp.constants.get(node.input[2]) if len(node.input) > 2 else None
    return zeropt is not None and bool(np.all(np.asarray(zeropt) <= 0))


def bipolar_quant(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    value = imp.real(imp.value(node.input[0]))
    scale = imp.constant(node.input[1], "scale").astype(np.float32)
    if scale.size != 1:
        raise node_error("BipolarQuant activations need a scalar scale")
    if not np.isfinite(scale).all() or scale.reshape(-1)[0] <= 0:
        raise node_error(f"BipolarQuant scale must be positive and finite, got "
                         f"{scale.reshape(-1)[0]}")
    out = imp.insert(bnn.SignOp(value.ssa))
    imp.bind(node.output[0], _scale_after(imp, out, scale.reshape(1)))


def _scale_after(imp: OnnxImporter, ssa: SSAValue, scale: np.ndarray) -> SSAValue:
    if np.all(scale == 1):
        return ssa
    return imp.insert(bnn.AffineOp(ssa, scale))


def quant(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """QONNX Quant: levels q = quantize(x) by exact thresholds, out = (q − zeropt) · scale.
    The thresholds produce q − zeropt directly (an integer for an integer zero point)."""
    value = imp.real(imp.value(node.input[0]))
    args = [np.zeros(1, np.float32)] + [
        imp.constant(n, what) for n, what in zip(
            node.input[1:4], ("scale", "zeropt", "bitwidth"), strict=True)
    ]
    quantizer = quantizer_of(node, args)
    if not quantizer.is_bipolar and quantizer.bit_width > MAX_ACTIVATION_BITS:
        raise node_error(f"a {quantizer.bit_width}-bit Quant of activations needs "
                         f"2^{quantizer.bit_width} - 1 thresholds per channel; bnnir "
                         f"supports at most {MAX_ACTIVATION_BITS} bits")
    if len(value.shape) not in (2, 4):
        raise node_error(f"expected a rank-2 or rank-4 input, got shape "
                         f"{bnn.shape_str(value.shape)}")
    channels = value.shape[1]
    scale = channel_constant(quantizer.scale, value)
    zeropt = channel_constant(quantizer.zeropt, value)
    thresholds = level_thresholds(
        IntQuantizer(scale, zeropt, quantizer.bit_width, quantizer.signed,
                     quantizer.narrow, quantizer.rounding_mode),
        channels,
    )
    if np.all(thresholds == thresholds[:1]):
        thresholds = thresholds[:1]
    if quantizer.is_bipolar:
        out = threshold(imp, value, thresholds, bipolar)
        if np.any(zeropt):  # QONNX: (±1 − zeropt) · scale, in two float32 steps
            out = imp.insert(bnn.AffineOp(out, offset=-zeropt))
        imp.bind(node.output[0], _scale_after(imp, out, scale))
        return
    if np.any(zeropt != np.round(zeropt)) or np.any(np.abs(zeropt) >= 1 << 24):
        raise node_error("Quant with a zero point that is not an integer below 2^24 in "
                         "magnitude is not supported")
    shift = int(zeropt[0]) if zeropt.size == 1 else 0
    low, high = quantizer.min_int - shift, quantizer.max_int - shift
    out = threshold(imp, value, thresholds, integer_type(low, high), low)
    if zeropt.size > 1 and np.any(zeropt):  # per channel: q − zeropt in float32
        out = imp.insert(bnn.AffineOp(out, offset=-zeropt))
    imp.bind(node.output[0], _scale_after(imp, out, scale))


def threshold(
    imp: OnnxImporter, value: Value, thresholds: np.ndarray, element: Attribute, bias: int = 0
) -> SSAValue:
    """A `bnn.threshold`; a single zero threshold on f32 is simply `bnn.sign`."""
    is_float = isinstance(value.element_type, Float32Type)
    if element == bipolar and is_float and np.all(thresholds == 0):
        return imp.insert(bnn.SignOp(value.ssa))
    if is_float:
        attr = dense_from_numpy(thresholds.astype(np.float32), f32)
    else:
        # integer inputs: x >= t  <=>  x >= ceil(t)
        low, high = np.iinfo(np.int32).min, np.iinfo(np.int32).max
        ints = np.clip(np.ceil(thresholds.astype(np.float64)), low, high).astype(np.int32)
        attr = dense_from_numpy(ints, si32)
    return imp.insert(bnn.ThresholdOp(value.ssa, attr, element, bias))


def multithreshold(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    """QONNX MultiThreshold: out_scale · count(v >= t_i) + out_bias."""
    attrs = node_attributes(node)
    layout = as_str(attrs.get("data_layout", "NCHW"))
    value = imp.real(imp.value(node.input[0]))
    if layout != "NCHW" and len(value.shape) != 2:
        raise node_error(f"MultiThreshold data_layout '{layout}' is not supported (use NCHW)")
    thresholds = imp.constant(node.input[1], "thresholds").astype(np.float32)
    if thresholds.ndim != 2 or thresholds.shape[0] not in (1, value.shape[1]):
        raise node_error(f"thresholds must have shape [C, T] or [1, T], got "
                         f"{list(thresholds.shape)}")
    if np.isnan(thresholds).any():
        raise node_error("thresholds must not be NaN")
    if np.any(np.diff(thresholds, axis=1) < 0):
        raise node_error("thresholds must be sorted ascending per channel")
    steps = thresholds.shape[1]
    scale, bias = float(attrs.get("out_scale", 1.0)), float(attrs.get("out_bias", 0.0))
    if not (np.isfinite(scale) and np.isfinite(bias)):
        raise node_error("MultiThreshold out_scale and out_bias must be finite")
    if steps == 1 and (scale, bias) in ((2.0, -1.0), (1.0, 0.0)):
        out = threshold(imp, value, thresholds, bipolar)
        imp.bind(node.output[0], out, binary=(scale, bias) == (1.0, 0.0))
        return
    if scale == 1.0 and bias == int(bias) and abs(bias) < 1 << 24:
        element = integer_type(int(bias), int(bias) + steps)
        imp.bind(node.output[0], threshold(imp, value, thresholds, element, int(bias)))
        return
    out = threshold(imp, value, thresholds, integer_type(0, steps))
    op = bnn.AffineOp(out, np.float32([scale]), np.float32([bias]) if bias else None)
    imp.bind(node.output[0], imp.insert(op))


HANDLERS: dict[str, Handler] = {
    "Sign": sign,
    "Relu": relu,
    "BipolarQuant": bipolar_quant,
    "Quant": quant,
    "MultiThreshold": multithreshold,
}
