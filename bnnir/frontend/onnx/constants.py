"""ONNX nodes on constants: inputs and attributes, weight preprocessing and shape arithmetic
folded with numpy, and the proof that a layer's weights are binary.

Weights reach a layer through quantizers, transposes and reshapes of initializers; the importer
evaluates such subgraphs here (QONNX's quantizer formulas in quantizers.py) and then checks that
every weight is ±s, with one magnitude s per output channel (weights a 2..8-bit Quant makes are
its integers instead, layers.py).

Shapes reach a Reshape through Shape / Gather / Unsqueeze / Concat, as PyTorch exports
`x.view(x.size(0), -1)`: `Shape` of an activation folds to its static dimensions, with the
dynamic batch as the marker DYNAMIC_BATCH, which data movement keeps and arithmetic refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from bnnir.frontend.onnx.quantizers import ROUNDING_MODES, IntQuantizer, bipolar_quant


class NodeError(Exception):
    """A problem with the node being imported; the importer adds where it is."""


def node_error(message: str) -> NodeError:
    return NodeError(message)


# ===----------------------------------------------------------------------=== #
# Inputs and attributes
# ===----------------------------------------------------------------------=== #

NODE_INPUTS: dict[str, tuple[str, ...]] = {
    "Conv": ("X", "W", "B?"),
    "MatMul": ("A", "B"),
    "Gemm": ("A", "B", "C?"),
    "XnorPopcountMatMul": ("A", "B"),
    "BatchNormalization": ("X", "scale", "B", "input_mean", "input_var"),
    "Sign": ("input",),
    "BipolarQuant": ("X", "scale"),
    "Quant": ("X", "scale", "zeropt", "bitwidth"),
    "MultiThreshold": ("v", "thresholds"),
    "Mul": ("A", "B"),
    "Div": ("A", "B"),
    "Add": ("A", "B"),
    "Sub": ("A", "B"),
    "Neg": ("X",),
    "MaxPool": ("X",),
    "Pad": ("data", "pads?", "constant_value?", "axes?"),
    "Flatten": ("input",),
    "Reshape": ("data", "shape"),
    "Identity": ("input",),
    "Dropout": ("data", "ratio?", "training_mode?"),
    "Transpose": ("data",),
    "TopK": ("X", "K"),
    "ArgMax": ("data",),
    "Shape": ("data",),
    "Gather": ("data", "indices"),
    "Squeeze": ("data", "axes?"),
    "Unsqueeze": ("data", "axes?"),
    "Slice": ("data", "starts", "ends", "axes?", "steps?"),
    "Cast": ("input",),
    "Constant": (),
}
"""The inputs of each supported op, in ONNX order; `?` marks an optional one."""


def check_inputs(node: onnx.NodeProto) -> None:
    """Every required input of a supported op is given, and no more inputs than it has."""
    names = NODE_INPUTS.get(node.op_type)
    if names is None:
        return
    if len(node.input) > len(names):
        raise node_error(f"{node.op_type} takes at most {len(names)} inputs, got "
                         f"{len(node.input)}")
    for index, name in enumerate(names):
        given = index < len(node.input) and node.input[index]
        if not given and not name.endswith("?"):
            raise node_error(f"missing input {index + 1} ({name}) of {node.op_type}")
    if not node.output or not node.output[0]:
        raise node_error("the node has no outputs")


_ATTRIBUTE_KINDS: dict[str, type] = {
    **dict.fromkeys(["axis", "group", "transA", "transB", "training_mode", "ceil_mode", "start",
                     "end", "largest", "select_last_index", "keepdims", "signed", "narrow", "to",
                     "sorted", "allowzero"], int),
    **dict.fromkeys(["alpha", "beta", "epsilon", "out_scale", "out_bias", "value"], float),
    **dict.fromkeys(["kernel_shape", "strides", "pads", "dilations", "perm", "axes"], list),
    **dict.fromkeys(["auto_pad", "mode", "rounding_mode", "data_layout", "out_dtype"], bytes),
}
"""The kind of each attribute the importer reads (a float attribute may hold an integer)."""


def node_attributes(node: onnx.NodeProto) -> dict[str, Any]:
    """The node's attributes; those the importer reads must have the kind ONNX defines."""
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "Constant":
        return attrs
    for name, value in attrs.items():
        kind = _ATTRIBUTE_KINDS.get(name)
        ok = (
            kind is None
            or (kind is float and isinstance(value, int | float))
            or (kind is list and isinstance(value, list)
                and all(isinstance(v, int) for v in value))
            or isinstance(value, kind)
        )
        if not ok:
            expected = {int: "an integer", float: "a number", list: "a list of integers",
                        bytes: "a string"}[kind]
            raise node_error(f"attribute '{name}' must be {expected}, got {value!r}")
    return attrs


def as_str(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def required(attrs: dict[str, Any], name: str) -> Any:
    if name not in attrs:
        raise node_error(f"attribute '{name}' is required")
    return attrs[name]


def int_attribute_list(
    attrs: dict[str, Any], name: str, length: int, minimum: int,
    default: Sequence[int] | None = None,
) -> list[int]:
    """An ints attribute of exactly `length` values, each at least `minimum`."""
    if name not in attrs and default is not None:
        return list(default)
    raw = required(attrs, name)
    values = [int(v) for v in raw] if isinstance(raw, list | tuple) else [int(raw)]
    if len(values) != length:
        raise node_error(f"attribute '{name}' must have {length} values, got {values}")
    if any(v < minimum for v in values):
        raise node_error(f"attribute '{name}' values must be >= {minimum}, got {values}")
    return values


def constant_node_value(node: onnx.NodeProto) -> np.ndarray:
    """The tensor of an ONNX Constant node (value, value_float(s) or value_int(s))."""
    attrs = node_attributes(node)
    if "value" in attrs:
        return numpy_helper.to_array(attrs["value"])
    if "value_float" in attrs:
        return np.array(attrs["value_float"], np.float32)
    if "value_floats" in attrs:
        return np.array(attrs["value_floats"], np.float32)
    if "value_int" in attrs:
        return np.array(attrs["value_int"], np.int64)
    if "value_ints" in attrs:
        return np.array(attrs["value_ints"], np.int64)
    given = ", ".join(attrs) or "none"
    raise node_error(f"Constant needs a numeric value (value, value_float(s) or value_int(s)); "
                     f"got attributes {given}")


# ===----------------------------------------------------------------------=== #
# Quantizers
# ===----------------------------------------------------------------------=== #

MAX_QUANT_BITS = 32
"""The widest Quant the importer evaluates (on constants); activations are bounded tighter, by
the number of thresholds their levels need."""


def quantizer_of(node: onnx.NodeProto, args: Sequence[np.ndarray]) -> IntQuantizer:
    attrs = node_attributes(node)
    _, scale, zeropt, bit_width = args
    scale = np.asarray(scale, np.float32)
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise node_error(f"Quant scale must be positive and finite, got {scale.reshape(-1)[:4]}")
    zeropt = np.asarray(zeropt, np.float32)
    if not np.all(np.isfinite(zeropt)):
        raise node_error("Quant zero point must be finite")
    if np.asarray(bit_width).size != 1:
        raise node_error(f"Quant bit width must be one value, got shape "
                         f"{list(np.shape(bit_width))}")
    width = float(np.asarray(bit_width).reshape(-1)[0])
    if not np.isfinite(width) or width != int(width) or not 1 <= width <= MAX_QUANT_BITS:
        raise node_error(f"Quant bit width must be an integer in 1..{MAX_QUANT_BITS}, got {width}")
    mode = as_str(attrs.get("rounding_mode", "ROUND")).upper()
    if mode not in ROUNDING_MODES:
        modes = ", ".join(ROUNDING_MODES)
        raise node_error(f"unknown rounding_mode '{mode}'; QONNX defines {modes}")
    return IntQuantizer(
        scale, zeropt, int(width), bool(attrs.get("signed", 1)), bool(attrs.get("narrow", 0)),
        mode,
    )


# ===----------------------------------------------------------------------=== #
# Folding
# ===----------------------------------------------------------------------=== #

DYNAMIC_BATCH = np.iinfo(np.int64).min
"""A dimension `Shape` cannot know at import time (the dynamic batch), in folded shape tensors."""


def activation_shape(dims: Sequence[int], dynamic: int) -> np.ndarray:
    """What `Shape` of an activation folds to: its dimensions, DYNAMIC_BATCH where `dynamic`."""
    return np.array([DYNAMIC_BATCH if d == dynamic else d for d in dims], np.int64)


def reshape_target(shape: Sequence[int], target: Sequence[int]) -> list[int]:
    """ONNX Reshape's output shape: 0 copies the input dimension, one -1 is inferred."""
    if any(t == 0 for t in target[len(shape):]):
        raise node_error(f"Reshape target {list(target)} copies (0) a dimension the input "
                         f"{list(shape)} does not have")
    if sum(1 for t in target if t == -1) > 1 or any(t < -1 for t in target):
        raise node_error(f"Reshape target {list(target)} may have at most one -1 and no other "
                         "negative values")
    out = [shape[i] if t == 0 else int(t) for i, t in enumerate(target)]
    total = int(np.prod(shape, dtype=np.int64))
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1], dtype=np.int64))
        if known == 0 or total % known:
            raise node_error(f"cannot reshape {list(shape)} to {list(target)}")
        out[out.index(-1)] = total // known
    if int(np.prod(out, dtype=np.int64)) != total:
        raise node_error(f"cannot reshape {list(shape)} to {list(target)}")
    return out


CONSTANT_OPS = frozenset({
    "Constant", "Identity", "Dropout", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
    "Gather", "Concat", "Slice", "Shape", "Mul", "Add", "Sub", "Div", "Neg", "Sign", "Cast",
    "BipolarQuant", "Quant", "Pow", "Sqrt", "Reciprocal",
})
"""The ops `fold_constant` evaluates when all their inputs are constants."""

_DATA_MOVEMENT = {"Identity", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Gather",
                  "Concat", "Slice", "Shape", "Constant"}


def fold_constant(node: onnx.NodeProto, args: list[np.ndarray | None]) -> list[np.ndarray]:
    """Evaluate a node whose inputs are all constants (weight preprocessing, shape arithmetic);
    `args` follows node.input, None for an omitted optional input."""
    op = node.op_type
    if op not in _DATA_MOVEMENT and not (op == "Cast" and _casts_to_int64(node)):
        for arg in args:
            if arg is not None and arg.dtype == np.int64 and np.any(arg == DYNAMIC_BATCH):
                raise node_error(f"{op} computes with the dynamic batch size, which bnnir does "
                                 "not know at import time")
    try:
        return _fold(node, args)
    except (ValueError, IndexError, TypeError, OverflowError) as e:
        detail = " ".join(str(e).split())
        raise node_error(f"cannot evaluate {op} on its constant inputs: {detail}") from None


def _casts_to_int64(node: onnx.NodeProto) -> bool:
    return int(node_attributes(node).get("to", 0)) == onnx.TensorProto.INT64


def _axes(node: onnx.NodeProto, args: list[np.ndarray | None], index: int) -> list[int] | None:
    """An axes input (opset >= 13) or attribute (older opsets)."""
    attrs = node_attributes(node)
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    if len(args) > index and args[index] is not None:
        return [int(a) for a in np.asarray(args[index]).reshape(-1)]
    return None


def _fold(node: onnx.NodeProto, args: list[np.ndarray | None]) -> list[np.ndarray]:
    op, attrs = node.op_type, node_attributes(node)
    x = args[0] if args else None
    if op == "Constant":
        return [constant_node_value(node)]
    assert x is not None
    match op:
        case "Identity" | "Dropout":
            return [x]
        case "Transpose":
            perm = attrs.get("perm")
            if perm is not None and sorted(perm) != list(range(x.ndim)):
                raise node_error(f"Transpose perm {list(perm)} is not a permutation of the "
                                 f"{x.ndim} axes")
            return [np.transpose(x, perm)]
        case "Reshape":
            target = [int(t) for t in np.asarray(args[1]).reshape(-1)]
            return [x.reshape(reshape_target(x.shape, target))]
        case "Flatten":
            axis = int(attrs.get("axis", 1))
            return [x.reshape(int(np.prod(x.shape[:axis], dtype=np.int64)), -1)]
        case "Squeeze":
            axes = _axes(node, args, 1)
            return [np.squeeze(x, axis=tuple(axes) if axes else None)]
        case "Unsqueeze":
            axes = _axes(node, args, 1) or []
            rank = x.ndim + len(axes)
            return [np.expand_dims(x, tuple(sorted(a % rank for a in axes)))]
        case "Gather":
            axis = int(attrs.get("axis", 0))
            return [np.take(x, np.asarray(args[1]), axis=axis)]
        case "Concat":
            axis = int(required(attrs, "axis"))
            return [np.concatenate([np.asarray(a) for a in args], axis=axis)]
        case "Slice":
            return [_slice(x, args)]
        case "Shape":
            start, end = int(attrs.get("start", 0)), attrs.get("end")
            return [np.array(x.shape[start:None if end is None else int(end)], np.int64)]
        case "Mul" | "Add" | "Sub" | "Div":
            fn = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op]
            return [np.asarray(fn(x, args[1]))]
        case "Neg":
            return [-x]
        case "Pow":  # Brevitas' TensorNorm: Pow(var + eps, 0.5)
            return [_pow(x, np.asarray(args[1]))]
        case "Sqrt":
            return [np.sqrt(x)]
        case "Reciprocal":
            return [np.reciprocal(x)]
        case "Sign":
            return [np.sign(x)]
        case "Cast":
            return [x.astype(helper.tensor_dtype_to_np_dtype(int(required(attrs, "to"))))]
        case "BipolarQuant":
            return [bipolar_quant(x, np.asarray(args[1]))]
        case "Quant":
            return [quantizer_of(node, args)(x)]
    raise node_error(f"cannot evaluate {op} on constant inputs")


def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ONNX Pow: the result has x's type. onnxruntime's float kernel computes x·x for y = 2,
    x·x·x for y = 3, else C's powf, as numpy's float32 power does (glibc's powf)."""
    if y.size == 1 and x.dtype == np.float32 and float(y.reshape(-1)[0]) in (2.0, 3.0):
        return x * x if float(y.reshape(-1)[0]) == 2.0 else x * x * x
    return np.power(x, y.astype(x.dtype)).astype(x.dtype)


def _slice(x: np.ndarray, args: list[np.ndarray | None]) -> np.ndarray:
    starts, ends = (np.asarray(a).reshape(-1) for a in args[1:3])
    axes = range(len(starts)) if len(args) < 4 or args[3] is None else np.asarray(args[3])
    steps = [1] * len(starts) if len(args) < 5 or args[4] is None else np.asarray(args[4])
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        index[int(axis)] = slice(int(start), int(end), int(step))
    return x[tuple(index)]


# ===----------------------------------------------------------------------=== #
# Binary weights
# ===----------------------------------------------------------------------=== #

_BINARY_WEIGHTS = (
    "bnnir needs ±1 weights, or ±s with one magnitude s per output channel, after any quantizer, "
    "or the integers of a 2..8-bit QONNX Quant"
)


def binary_weights(values: np.ndarray, out_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Split weights into a ±1 pattern and a positive magnitude per output channel (or one for
    all): values = pattern · scale. Raises if any weight is not ±s."""
    w = np.asarray(values, dtype=np.float32)
    if w.size == 0:
        raise node_error(f"weights are empty (shape {list(w.shape)})")
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
