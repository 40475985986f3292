"""ONNX nodes on constants: attributes, weight preprocessing folded with numpy, and the proof
that a layer's weights are binary.

Weights reach a layer through quantizers, transposes and reshapes of initializers; the importer
evaluates such subgraphs here (QONNX's quantizer formulas in quantizers.py) and then checks that
every weight is ±s, with one magnitude s per output channel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import helper, numpy_helper

from bnnir.frontend.quantizers import ROUNDING_MODES, IntQuantizer, bipolar_quant


class NodeError(Exception):
    """A problem with the node being imported; the importer adds where it is."""


def node_error(message: str) -> NodeError:
    return NodeError(message)


def node_attributes(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def as_str(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def quantizer_of(node: onnx.NodeProto, args: Sequence[np.ndarray]) -> IntQuantizer:
    attrs = node_attributes(node)
    _, scale, zeropt, bit_width = args
    if np.any(scale.astype(np.float32) <= 0):
        raise node_error("Quant scale must be positive")
    width = float(np.asarray(bit_width).reshape(-1)[0])
    if width != int(width) or width < 1:
        raise node_error(f"Quant bit width must be a positive integer, got {width}")
    mode = as_str(attrs.get("rounding_mode", "ROUND")).upper()
    if mode not in ROUNDING_MODES:
        modes = ", ".join(ROUNDING_MODES)
        raise node_error(f"unknown rounding_mode '{mode}'; QONNX defines {modes}")
    return IntQuantizer(
        np.asarray(scale, np.float32), np.asarray(zeropt, np.float32), int(width),
        bool(attrs.get("signed", 1)), bool(attrs.get("narrow", 0)), mode,
    )


def reshape_target(shape: Sequence[int], target: Sequence[int]) -> list[int]:
    out = [shape[i] if t == 0 else int(t) for i, t in enumerate(target)]
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1]))
        out[out.index(-1)] = int(np.prod(shape)) // max(known, 1)
    return out


def fold_constant(node: onnx.NodeProto, args: list[np.ndarray]) -> list[np.ndarray]:
    """Evaluate a node whose inputs are all constants (weight preprocessing)."""
    op, attrs = node.op_type, node_attributes(node)
    match op:
        case "Identity":
            return [args[0]]
        case "Transpose":
            return [np.transpose(args[0], attrs.get("perm"))]
        case "Reshape":
            return [args[0].reshape(reshape_target(args[0].shape, args[1].tolist()))]
        case "Flatten":
            axis = int(attrs.get("axis", 1))
            return [args[0].reshape(int(np.prod(args[0].shape[:axis])), -1)]
        case "Unsqueeze" | "Squeeze":
            axes = attrs.get("axes") or (args[1].tolist() if len(args) > 1 else None)
            if op == "Squeeze":
                return [np.squeeze(args[0], axis=tuple(axes) if axes else None)]
            out = args[0]
            for axis in sorted(int(a) for a in axes or []):
                out = np.expand_dims(out, axis)
            return [out]
        case "Mul" | "Add" | "Sub" | "Div":
            fn = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op]
            return [np.asarray(fn(args[0], args[1]))]
        case "Neg":
            return [-args[0]]
        case "Sign":
            return [np.sign(args[0])]
        case "Cast":
            return [args[0].astype(helper.tensor_dtype_to_np_dtype(int(attrs["to"])))]
        case "BipolarQuant":
            return [bipolar_quant(args[0], args[1])]
        case "Quant":
            return [quantizer_of(node, args)(args[0])]
        case "Constant":
            return [numpy_helper.to_array(attrs["value"])]
    raise node_error(f"cannot evaluate {op} on constant inputs")


_BINARY_WEIGHTS = (
    "bnnir needs ±1 weights, or ±s with one magnitude s per output channel, after any quantizer"
)


def binary_weights(values: np.ndarray, out_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Split weights into a ±1 pattern and a positive magnitude per output channel (or one for
    all): values = pattern · scale. Raises if any weight is not ±s."""
    w = np.asarray(values, dtype=np.float32)
    bad = np.argwhere(~np.isfinite(w) | (w == 0))
    if bad.size:
        at = tuple(int(i) for i in bad[0])
        raise node_error(
            f"weights are not binary: {w[at]} at index {at}; {_BINARY_WEIGHTS}"
        )
    magnitude = np.moveaxis(np.abs(w), out_axis, 0).reshape(w.shape[out_axis], -1)
    per_channel = magnitude[:, :1]
    mismatch = np.argwhere(magnitude != per_channel)
    if mismatch.size:
        row, col = (int(i) for i in mismatch[0])
        raise node_error(
            f"weights are not binary: output channel {row} mixes magnitudes "
            f"{per_channel[row, 0]} and {magnitude[row, col]}; {_BINARY_WEIGHTS}"
        )
    scale = per_channel.reshape(-1)
    if np.all(scale == scale[0]):
        scale = scale[:1]
    return np.where(w > 0, 1, -1).astype(np.int8), scale.astype(np.float32)


