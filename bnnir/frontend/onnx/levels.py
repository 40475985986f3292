"""Layer inputs that are scalar affine functions of integer levels, and when onnxruntime's float32
sums over them are exact.

A compute layer (Conv, MatMul, Gemm) reads an integer or bipolar tensor in hardware. In ONNX its
input is often a float tensor x computed elementwise from integer levels q by scalar steps: a
Brevitas input scale (x = s·q), a QONNX Quant (x = s·(q − z)), a FINN MultiThreshold
(x = out_scale·q + out_bias), FINN's BINARY encoding (x = (v + 1)/2 of a bipolar v). With
x = a·q + b,

    Σ_k w_k · x_k = a · Σ_k w_k · q_k + b · Σ_k w_k,

so the layer runs on q and an affine a·acc + b·rowsum(w) follows it (threshold fusion absorbs it
into integer thresholds). Zero padding of x is padding of q with the level −b/a.

onnxruntime sums the float32 products x_k·w_k in an unspecified order. That sum is exact, and so
equals ours, when every product is a multiple of a common power of two 2^e and every partial sum
stays below 2^24·2^e (integers below 2^24; power-of-two scales). Otherwise the two can differ in
the last bit, and `exact_float_sums` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import Float32Type, IntegerType
from xdsl.ir import Attribute, SSAValue

from bnnir.analysis.value_ranges import integer_bounds
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import dense_to_numpy, integer_range, is_bipolar

MAX_LEVELS = 1 << 16
"""Levels of an integer type checked one by one (wider types are accumulators, not inputs)."""


@dataclass(frozen=True)
class Levels:
    """A float tensor equal to a·q + b (in float64 arithmetic, up to the float32 roundings of
    the ops in between) for the integer or bipolar tensor q."""

    levels: SSAValue
    scale: float
    offset: float
    steps: tuple[bnn.AffineOp, ...]

    def values(self) -> np.ndarray | None:
        """The float32 values x takes, one per level of q (None if q has too many levels)."""
        level_set = level_values(bnn.tensor_type(self.levels).element_type)
        if level_set is None:
            return None
        x = level_set.reshape(1, -1)
        for step in self.steps:
            x = step.evaluate(x)
        return x.reshape(-1).astype(np.float32)

    def is_exact(self) -> bool:
        """Whether x equals a·q + b exactly for every level q."""
        level_set = level_values(bnn.tensor_type(self.levels).element_type)
        values = self.values()
        if level_set is None or values is None:
            return False
        expected = self.scale * level_set.astype(np.float64) + self.offset
        return bool(np.array_equal(values.astype(np.float64), expected))

    def zero_level(self) -> int | None:
        """The level q with a·q + b = 0 exactly, if q can take it."""
        if self.offset == 0:
            return 0
        if self.scale == 0:
            return None
        level = -self.offset / self.scale
        element = bnn.tensor_type(self.levels).element_type
        assert isinstance(element, IntegerType)
        low, high = integer_range(element)
        if level != int(level) or not low <= level <= high or self.scale * level + self.offset:
            return None
        if is_bipolar(element) and level == 0:
            return None
        return int(level)


def level_values(element: Attribute) -> np.ndarray | None:
    """Every value of an integer or bipolar element type, or None if there are too many."""
    if not isinstance(element, IntegerType):
        return None
    if is_bipolar(element):
        return np.array([-1, 1], np.int64)
    low, high = integer_range(element)
    if high - low + 1 > MAX_LEVELS:
        return None
    return np.arange(low, high + 1, dtype=np.int64)


def trace_levels(value: SSAValue) -> Levels | None:
    """The integer levels behind a float tensor made by scalar `bnn.affine` steps, or None."""
    steps: list[bnn.AffineOp] = []
    while isinstance(bnn.tensor_type(value).element_type, Float32Type):
        op = value.owner
        if not isinstance(op, bnn.AffineOp) or not _is_scalar(op):
            return None
        steps.insert(0, op)
        value = op.input
    if not steps:
        return None
    scale, offset = 1.0, 0.0
    for step in steps:
        s = 1.0 if step.scale is None else float(dense_to_numpy(step.scale)[0])
        o = 0.0 if step.offset is None else float(dense_to_numpy(step.offset)[0])
        if step.divide is not None:
            scale, offset = scale / s, offset / s
        else:
            scale, offset = scale * s, offset * s
        offset += o
    return Levels(value, scale, offset, tuple(steps))


MAX_ZERO_SEARCH = 1 << 22
"""The most accumulator values (channels × levels) `zero_channels` evaluates one by one."""


def zero_channels(value: SSAValue) -> np.ndarray | None:
    """The channels (axis 1) where `value` can be exactly ±0, or None if that is not known (a
    float graph input, too many levels): float32 batch norms and affines of an integer value are
    evaluated on every integer its channel can hold, as the interpreter computes them."""
    steps: list[bnn.AffineOp | bnn.BatchNormOp] = []
    while isinstance(bnn.tensor_type(value).element_type, Float32Type):
        op = value.owner
        if not isinstance(op, bnn.AffineOp | bnn.BatchNormOp):
            return None
        steps.insert(0, op)
        value = op.input
    element = bnn.tensor_type(value).element_type
    if is_bipolar(element):
        lows = highs = None
        grid = np.array([[-1], [1]], np.int64)
    else:
        lows, highs = integer_bounds(value)
        span = int((highs - lows).max()) + 1
        if span * lows.size > MAX_ZERO_SEARCH:
            return None
        grid = np.minimum(lows + np.arange(span, dtype=np.int64)[:, None], highs)
    values: np.ndarray = grid
    with np.errstate(all="ignore"):
        for step in steps:
            values = step.evaluate(values)
    zero = np.any(values == 0, axis=0)
    if lows is None and zero.size == 1:
        zero = np.repeat(zero, bnn.tensor_type(value).get_shape()[1])
    return np.nonzero(zero)[0]


def _is_scalar(op: bnn.AffineOp) -> bool:
    return all(attr is None or attr.get_shape() == (1,) for attr in (op.scale, op.offset))


def exact_float_sums(terms: np.ndarray, fan_in: int) -> bool:
    """Whether every float32 sum of `fan_in` values drawn from ±`terms` is exact, whatever the
    order: all terms are float32 multiples of one power of two 2^e, and fan_in · max|term| is at
    most 2^24 · 2^e (so every partial sum is a float32)."""
    terms = np.unique(np.abs(np.asarray(terms, np.float64)))
    terms = terms[terms != 0]
    if not terms.size:
        return True
    with np.errstate(over="ignore"):  # a term past float32's range is not exact either
        if not np.all(np.isfinite(terms)) or np.any(terms.astype(np.float32) != terms):
            return False
    mantissas, exponents = np.frexp(terms)
    units = (mantissas * (1 << 24)).astype(np.int64)  # exact: float32 has 24 significant bits
    lowest_bit = np.log2(units & -units).astype(np.int64)
    step = int((exponents - 24 + lowest_bit).min())
    return bool(fan_in * terms.max() <= np.ldexp(1.0, 24 + step))
