"""Spatial windows: MaxPool, Pad, and the pads of Conv and MaxPool (`pads`, `auto_pad`,
`ceil_mode`).

A zero Pad of a bipolar map has no bipolar encoding: the importer keeps it aside (`zero_pads`)
until the Conv that reads it, which pads with zero itself (bnn-legalize-padding makes that exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import SSAValue

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import (
    dense_from_numpy,
    dense_to_numpy,
    integer_range,
    is_bipolar,
    si32,
)
from bnnir.frontend.onnx.constants import (
    as_str,
    int_attribute_list,
    node_attributes,
    node_error,
)
from bnnir.frontend.onnx.levels import trace_levels
from bnnir.frontend.onnx.values import Value, integer_type, require_rank

if TYPE_CHECKING:
    from bnnir.frontend.onnx.importer import Handler, OnnxImporter


def max_pool(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    attrs = node_attributes(node)
    value = imp.value(node.input[0])
    require_rank(value, 4)
    kernel = int_attribute_list(attrs, "kernel_shape", 2, 1)
    strides = int_attribute_list(attrs, "strides", 2, 1, [1, 1])
    if any(d != 1 for d in int_attribute_list(attrs, "dilations", 2, 1, [1, 1])):
        raise node_error("dilated MaxPool is not supported")
    if len(node.output) > 1 and node.output[1]:
        raise node_error("MaxPool indices output is not supported")
    pads = window_pads(attrs, value.shape[2:], kernel, strides)
    if int(attrs.get("ceil_mode", 0)):
        pads = _ceil_mode_pads(value.shape[2:], kernel, strides, pads)
    levels = trace_levels(value.ssa)
    if levels is not None and all(_rising(step) for step in levels.steps):
        # max commutes with a rising function of the levels: pool the integers, so that a
        # following layer still reads levels (Brevitas' Quant → MaxPool → Conv)
        pooled = imp.insert(bnn.MaxPoolOp(levels.levels, kernel, strides, pads))
        imp.bind(node.output[0], applied(imp, levels.steps, pooled))
        return
    op = bnn.MaxPoolOp(value.ssa, kernel, strides, pads)
    imp.bind(node.output[0], imp.insert(op), value.binary)


def applied(imp: OnnxImporter, steps: Sequence[bnn.AffineOp], value: SSAValue) -> SSAValue:
    """`value` through copies of the scalar affine `steps`."""
    for step in steps:
        value = imp.insert(bnn.AffineOp(
            value,
            None if step.scale is None else dense_to_numpy(step.scale),
            None if step.offset is None else dense_to_numpy(step.offset),
            divide=step.divide is not None,
            fused=step.fused is not None,
        ))
    return value


def _rising(step: bnn.AffineOp) -> bool:
    """Whether a float32 affine step never decreases: its scale (or divisor) is positive."""
    return step.scale is None or bool(np.all(dense_to_numpy(step.scale) > 0))


def pad(imp: OnnxImporter, node: onnx.NodeProto) -> None:
    attrs = node_attributes(node)
    value = imp.value(node.input[0])
    if as_str(attrs.get("mode", "constant")) != "constant":
        raise node_error(f"only constant padding is supported, got mode "
                         f"'{as_str(attrs['mode'])}'")
    require_rank(value, 4)
    pads, fill = _pad_operands(imp, node, 4)
    if any(pads[i] for i in (0, 1, 4, 5)):
        raise node_error("only padding of the spatial dimensions of an NCHW tensor is "
                         "supported")
    if any(p < 0 for p in pads):
        raise node_error("negative pads (cropping) are not supported")
    spatial = (pads[2], pads[3], pads[6], pads[7])
    element = value.element_type
    if not isinstance(element, IntegerType):
        _pad_levels(imp, node, value, spatial, fill)
        return
    if not np.isfinite(fill) or fill != int(fill):
        raise node_error(f"pad value {fill} is not an integer")
    fill = int(fill)
    if is_bipolar(element):
        bipolar_fill = 2 * fill - 1 if value.binary else fill
        if bipolar_fill == 0:
            imp.zero_pads[node.output[0]] = (value, spatial)
            return
        if bipolar_fill in (-1, 1):
            op = bnn.PadOp(value.ssa, spatial, bipolar_fill)
            imp.bind(node.output[0], imp.insert(op), value.binary)
            return
        value = Value(_bipolar_as_integers(imp, value, fill))
        element = value.element_type
    assert isinstance(element, IntegerType)
    low, high = integer_range(element)
    if not low <= fill <= high:
        raise node_error(f"pad value {fill} is not representable in {element}")
    imp.bind(node.output[0], imp.insert(bnn.PadOp(value.ssa, spatial, fill)))


def _pad_levels(
    imp: OnnxImporter, node: onnx.NodeProto, value: Value, spatial: tuple[int, ...], fill: float
) -> None:
    """Padding of a float map made of integer or bipolar levels by scalar steps (a (Sign + 1) / 2
    map, a Brevitas scale): the levels are padded with the level the steps take to `fill`."""
    levels = trace_levels(value.ssa)
    level = None if levels is None else _level_of(levels.levels, levels.steps, fill)
    if levels is None or level is None:
        raise node_error("padding of real-valued tensors is supported only where the pad value "
                         "is a scale and offset of one of their integer or bipolar levels")
    padded = imp.insert(bnn.PadOp(levels.levels, spatial, level))
    imp.bind(node.output[0], applied(imp, levels.steps, padded))


def _level_of(levels: SSAValue, steps: Sequence[bnn.AffineOp], fill: float) -> int | None:
    """The level the float32 `steps` take exactly to `fill`, if the levels' type holds it
    (bipolar: ±1)."""
    element = bnn.tensor_type(levels).element_type
    assert isinstance(element, IntegerType)
    low, high = (-1, 1) if is_bipolar(element) else integer_range(element)
    scale, offset = 1.0, 0.0
    for step in steps:  # the float64 map, to find the candidate; the float32 steps decide
        s = 1.0 if step.scale is None else float(dense_to_numpy(step.scale)[0])
        o = 0.0 if step.offset is None else float(dense_to_numpy(step.offset)[0])
        scale, offset = (scale / s, offset / s) if step.divide is not None else (scale * s,
                                                                                 offset * s)
        offset += o
    if scale == 0 or not np.isfinite(fill):
        return None
    level = round((fill - offset) / scale)
    if not low <= level <= high or (is_bipolar(element) and level == 0):
        return None
    x: np.ndarray = np.array([[level]], np.float32)
    for step in steps:
        x = step.evaluate(x)
    return level if float(x.reshape(-1)[0]) == fill else None


def _bipolar_as_integers(imp: OnnxImporter, value: Value, fill: int) -> SSAValue:
    """A bipolar tensor as the integers it means (−1/+1, or 0/1 for BINARY) in a type that
    also holds `fill`: two equal thresholds at 0 count 0 or 2, minus 1."""
    low, high = (0, 1) if value.binary else (-1, 1)
    element = integer_type(min(low, fill), max(high, fill))
    steps = 1 if value.binary else 2
    thresholds = dense_from_numpy(np.zeros((1, steps), np.int32), si32)
    return imp.insert(bnn.ThresholdOp(value.ssa, thresholds, element, low))


def _pad_operands(imp: OnnxImporter, node: onnx.NodeProto, rank: int) -> tuple[list[int], float]:
    attrs = node_attributes(node)
    pads_name = imp.optional(node, 1)
    if pads_name is not None:
        pads = [int(p) for p in imp.constant(pads_name, "pads").reshape(-1)]
        fill_name = imp.optional(node, 2)
        fill = 0.0
        if fill_name is not None:
            fill_value = imp.constant(fill_name, "constant_value").reshape(-1)
            fill = float(fill_value[0]) if fill_value.size else 0.0
        axes_name = imp.optional(node, 3)
        if axes_name is not None:
            axes = [int(a) for a in imp.constant(axes_name, "axes").reshape(-1)]
            if len(pads) != 2 * len(axes) or any(not -rank <= a < rank for a in axes):
                raise node_error(f"pads {pads} do not match axes {axes} of a rank-{rank} "
                                 "tensor")
            full = [0] * (2 * rank)
            for i, axis in enumerate(a % rank for a in axes):
                full[axis], full[axis + rank] = pads[i], pads[i + len(axes)]
            pads = full
    else:
        pads = [int(p) for p in attrs.get("pads", [])]
        fill = float(attrs.get("value", 0.0))
    if len(pads) != 2 * rank:
        raise node_error(f"expected {2 * rank} pads, got {len(pads)}")
    return pads, fill


def window_pads(
    attrs: dict[str, Any], spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int]
) -> list[int]:
    """A Conv's or MaxPool's pads (top, left, bottom, right) from `pads` or `auto_pad`."""
    auto_pad = as_str(attrs.get("auto_pad", "NOTSET"))
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return _same_pads(spatial, kernel, strides, auto_pad == "SAME_UPPER")
    if auto_pad == "NOTSET":
        return int_attribute_list(attrs, "pads", 4, 0, [0, 0, 0, 0])
    if auto_pad == "VALID":
        return [0, 0, 0, 0]
    raise node_error(f"unknown auto_pad '{auto_pad}'")


def _same_pads(
    spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int], upper: bool
) -> list[int]:
    before, after = [], []
    for size, k, s in zip(spatial, kernel, strides, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        small, large = total // 2, total - total // 2
        before.append(small if upper else large)
        after.append(large if upper else small)
    return [before[0], before[1], after[0], after[1]]


def _ceil_mode_pads(
    spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int], pads: Sequence[int]
) -> list[int]:
    """Pads that make floor-mode pooling equal ONNX's ceil_mode=1: extra bottom/right padding
    for the last, partial window, which must start inside the input or the top/left padding
    (ONNX and PyTorch drop a window that would start in the bottom/right padding). Padded taps
    never win a max, so the extra padding changes nothing else."""
    extended = list(pads)
    for axis, (size, k, s) in enumerate(zip(spatial, kernel, strides, strict=True)):
        before, after = pads[axis], pads[axis + 2]
        out = -(-(size + before + after - k) // s) + 1
        if (out - 1) * s >= size + before:
            out -= 1
        extended[axis + 2] = max(after, (out - 1) * s + k - size - before)
    return extended


HANDLERS: dict[str, Handler] = {
    "MaxPool": max_pool,
    "Pad": pad,
}
