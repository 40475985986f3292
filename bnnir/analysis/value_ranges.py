"""Per-channel bounds of integer and bipolar values in a bnn module.

A layer's accumulator is bounded by its fan-in and its input range: with P_c the sum of the
positive weights of row c, N_c that of the magnitudes of its negative ones (for ±1 weights, how
many of each) and inputs in [a, b], acc_c lies in [P_c·a − N_c·b, P_c·b − N_c·a]. Threshold
fusion searches this range, so thresholds outside it are constant outputs.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import SSAValue

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import dense_to_numpy, integer_range, is_bipolar

Bounds = tuple[np.ndarray, np.ndarray]
"""Inclusive (low, high) int64 vectors with one entry per channel (axis 1)."""


def channel_count(value: SSAValue) -> int:
    shape = bnn.tensor_type(value).get_shape()
    return shape[1] if len(shape) > 1 else 1


def _uniform(value: SSAValue, low: int, high: int) -> Bounds:
    channels = channel_count(value)
    return np.full(channels, low, np.int64), np.full(channels, high, np.int64)


def _type_bounds(value: SSAValue) -> Bounds:
    element = bnn.tensor_type(value).element_type
    if not isinstance(element, IntegerType):
        raise TypeError(f"no integer bounds for a value of element type {element}")
    return _uniform(value, *integer_range(element))


def integer_bounds(value: SSAValue) -> Bounds:
    """Bounds of an integer or bipolar (±1) value, per channel."""
    op = value.owner
    element = bnn.tensor_type(value).element_type
    if isinstance(op, bnn.ThresholdedOp) and op.thresholds is not None:
        if is_bipolar(element):
            return _uniform(value, -1, 1)
        steps = op.thresholds.get_shape()[1]
        return _uniform(value, op.bias_value, op.bias_value + steps)
    if isinstance(op, bnn.Conv2dOp | bnn.DenseOp):
        return _layer_bounds(op)
    if isinstance(op, bnn.MaxPoolOp):
        return integer_bounds(op.input)
    if isinstance(op, bnn.PadOp):
        low, high = integer_bounds(op.input)
        pad = op.value.value.data
        return np.minimum(low, pad), np.maximum(high, pad)
    if isinstance(op, bnn.FlattenOp | bnn.ReshapeOp):
        low, high = integer_bounds(op.input)
        return _uniform(value, int(low.min()), int(high.max()))
    if isinstance(op, bnn.ArgMaxOp):
        return _uniform(value, 0, bnn.tensor_type(op.input).get_shape()[1] - 1)
    return _type_bounds(value)


def _layer_bounds(op: bnn.Conv2dOp | bnn.DenseOp) -> Bounds:
    in_low, in_high = integer_bounds(op.input)
    low, high = int(in_low.min()), int(in_high.max())
    if isinstance(op, bnn.Conv2dOp) and any(op.pad_values):
        low, high = min(low, op.padding_value), max(high, op.padding_value)
    weights_op = op.weights.owner
    w_shape = bnn.tensor_type(op.weights).get_shape()
    fan_in = int(np.prod(w_shape[1:]))
    if isinstance(weights_op, bnn.ConstantOp):
        rows = weights_op.to_numpy().reshape(w_shape[0], fan_in).astype(np.int64)
        positive = np.maximum(rows, 0).sum(axis=1)
        negative = np.maximum(-rows, 0).sum(axis=1)
    else:  # unknown weights: any sign pattern, any magnitude of the weight type
        largest_w = max(abs(v) for v in integer_range(bnn.tensor_type(op.weights).element_type))
        positive = np.full(w_shape[0], fan_in // 2 * largest_w, np.int64)
        negative = np.full(w_shape[0], (fan_in - fan_in // 2) * largest_w, np.int64)
        low, high = -max(abs(low), abs(high)), max(abs(low), abs(high))
    acc_low = positive * low - negative * high
    acc_high = positive * high - negative * low
    if isinstance(op, bnn.Conv2dOp) and op.correction is not None:
        table = dense_to_numpy(op.correction).reshape(-1, w_shape[0]).astype(np.int64)
        acc_low, acc_high = acc_low + table.min(axis=0), acc_high + table.max(axis=0)
    return acc_low, acc_high


def real_bounds(value: SSAValue) -> Bounds | None:
    """Per-channel float32 bounds of a value computed from integers by the monotone float ops
    (affines, batch norms, max-pools, flattens), as float64 vectors that may hold ±inf, and NaN
    where an op makes NaN at an end of the range (inf · 0 after an overflow); None for a value
    that does not come from integers (a float network input).

    Each op is monotone per channel, so it maps the range's ends to the ends of its image."""
    element = bnn.tensor_type(value).element_type
    if isinstance(element, IntegerType):
        low, high = integer_bounds(value)
        return low.astype(np.float64), high.astype(np.float64)
    op = value.owner
    if isinstance(op, bnn.MaxPoolOp):
        return real_bounds(op.input)
    if isinstance(op, bnn.FlattenOp | bnn.ReshapeOp):
        bounds = real_bounds(op.input)
        if bounds is None:
            return None
        channels = channel_count(value)
        return np.full(channels, bounds[0].min()), np.full(channels, bounds[1].max())
    if isinstance(op, bnn.AffineOp | bnn.BatchNormOp):
        bounds = real_bounds(op.input)
        if bounds is None:
            return None
        with np.errstate(all="ignore"):  # overflow to ±inf is IEEE's; inf · 0 is what we look for
            ends = op.evaluate(np.stack(bounds, axis=1), axis=0).astype(np.float64)
        return np.min(ends, axis=1), np.max(ends, axis=1)
    return None
