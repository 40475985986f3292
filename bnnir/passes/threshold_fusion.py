"""bnn-threshold-fusion: binarizing and quantizing activations become integer thresholds.

Each activation (`bnn.sign`, or `bnn.threshold` on a real value) is traced back through the
float32 arithmetic between it and the integer value it depends on (`bnn.affine`, `bnn.batch_norm`,
and `bnn.max_pool` where the pool can move behind the activation). Those ops compute a monotone
step function of the integer (every float32 step, x·s, x/s and x + b, is monotone), so it equals a
per-channel integer threshold comparison. The thresholds are found by bisection over the integer
range the value can take (its fan-in bound), evaluating the float32 ops exactly as the interpreter
and onnxruntime do: the switching points are searched, never derived with real-number algebra.

When the integer is the accumulator of a `bnn.conv2d` / `bnn.dense` used only here, the
thresholds are fused into that layer (the matrix-vector-threshold form); otherwise a standalone
integer `bnn.threshold` replaces the chain. Max-pools in the chain are re-created after the
activation: a max-pool commutes with what follows it when that is non-decreasing per channel
(then the pool of thresholded bipolar values is an OR), and the fusion stops at a pool where some
channel is decreasing (a negative batch-norm scale after the pool).

Channels whose comparison is reversed (negative scale) are listed in `descending`. A threshold
equal to the range's low end is always met and one above its high end never: constant channels
(a scale of exactly 0) are thresholds at those ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from bnnir.analysis.value_ranges import integer_bounds
from bnnir.dialects import bnn

Activation = bnn.SignOp | bnn.ThresholdOp
ChainOp = bnn.AffineOp | bnn.BatchNormOp | bnn.MaxPoolOp


@dataclass
class Chain:
    """The ops from an integer `source` to an activation, in execution order."""

    source: SSAValue
    ops: list[ChainOp]
    activation: Activation

    def counts(self, values: np.ndarray, start: int = 0) -> np.ndarray:
        """The activation's level count for `values` [C, M] entering ops[start:] (pools are
        elementwise here: a pool of one value)."""
        for op in self.ops[start:]:
            if not isinstance(op, bnn.MaxPoolOp):
                values = op.evaluate(values, axis=0)
        if isinstance(self.activation, bnn.SignOp):
            return (values >= 0).astype(np.int64)
        levels = self.activation.apply_thresholds(values, bnn.si64, axis=0)
        return levels.astype(np.int64) - self.activation.bias_value

    def values_before(self, values: np.ndarray, stop: int) -> np.ndarray:
        for op in self.ops[:stop]:
            if not isinstance(op, bnn.MaxPoolOp):
                values = op.evaluate(values, axis=0)
        return values


def _single_use(value: SSAValue) -> bool:
    return value.has_one_use()


def _is_integer(value: SSAValue) -> bool:
    return isinstance(bnn.tensor_type(value).element_type, IntegerType)


def trace_chain(activation: Activation) -> Chain | None:
    """The longest fusable chain ending at `activation`, or None."""
    ops: list[ChainOp] = []
    value = activation.input
    while True:
        producer = value.owner
        if _is_integer(value) and not isinstance(producer, bnn.MaxPoolOp):
            break
        if not isinstance(producer, ChainOp) or not _single_use(value):
            return None
        ops.insert(0, producer)
        value = producer.input
    chain = _drop_illegal_pools(Chain(value, ops, activation))
    if chain is None or (not chain.ops and not _fusable_layer(chain.source)):
        return None  # already an integer comparison, and no layer to fuse it into
    return chain


def _drop_illegal_pools(chain: Chain) -> Chain | None:
    """Start the chain after the last pool that cannot move behind the activation."""
    low, high = integer_bounds(chain.source)
    ends = np.stack([low, high], axis=1)
    for index in range(len(chain.ops) - 1, -1, -1):
        if not isinstance(chain.ops[index], bnn.MaxPoolOp):
            continue
        at_pool = chain.values_before(ends, index)
        smallest, largest = at_pool.min(axis=1, keepdims=True), at_pool.max(axis=1, keepdims=True)
        after = chain.counts(np.concatenate([smallest, largest], axis=1), index + 1)
        if np.any(after[:, 0] > after[:, 1]):
            source = chain.ops[index].output
            if not _is_integer(source):
                return None
            return Chain(source, chain.ops[index + 1 :], chain.activation)
    return chain


def search_thresholds(chain: Chain, steps: int) -> tuple[np.ndarray, list[int]]:
    """Integer thresholds [C, steps] (sorted, within [low, high + 1] of each channel) and the
    descending channels equal to the chain."""
    low, high = integer_bounds(chain.source)
    channels = low.size
    levels = np.arange(1, steps + 1)[None, :]
    end_counts = chain.counts(np.stack([low, high], axis=1))
    descending = end_counts[:, 0] > end_counts[:, 1]
    # ascending: smallest x with count >= level (high + 1 if none)
    up = _bisect(chain, low[:, None] - 1, high[:, None] + 1, levels, rising=True)
    # descending: largest x with count >= level (low - 1 if none)
    down = _bisect(chain, low[:, None] - 1, high[:, None] + 1, levels, rising=False)
    thresholds = np.where(descending[:, None], down[:, ::-1], up)
    assert thresholds.shape == (channels, steps)
    return thresholds, [int(c) for c in np.nonzero(descending)[0]]


def _bisect(
    chain: Chain, below: np.ndarray, above: np.ndarray, levels: np.ndarray, rising: bool
) -> np.ndarray:
    """Per (channel, level), the boundary of {x : count(x) >= level} in (below, above): its least
    element when counts rise with x (above if empty), its greatest when they fall (below)."""
    shape = np.broadcast_shapes(below.shape, levels.shape)
    lo, hi = np.broadcast_to(below, shape).copy(), np.broadcast_to(above, shape).copy()
    while np.any(open_ := hi - lo > 1):
        mid = lo + (hi - lo) // 2
        reached = chain.counts(mid) >= levels
        move_hi = open_ & (reached if rising else ~reached)
        hi, lo = np.where(move_hi, mid, hi), np.where(open_ & ~move_hi, mid, lo)
    return hi if rising else lo


def _output_element(activation: Activation) -> Attribute:
    return bnn.tensor_type(activation.output).element_type


def _thresholded(chain: Chain) -> Operation:
    """The fused layer or the integer bnn.threshold that replaces the chain."""
    activation = chain.activation
    steps = 1 if isinstance(activation, bnn.SignOp) else activation.thresholds.get_shape()[1]
    thresholds, descending = search_thresholds(chain, steps)
    low, high = integer_bounds(chain.source)
    value_range = (int(low.min()), int(high.max()))
    if np.all(thresholds == thresholds[:1]):
        thresholds = thresholds[:1]  # one row shared by all channels
    attr = bnn.dense_from_numpy(thresholds.astype(np.int32), bnn.si32)
    bias = 0 if isinstance(activation, bnn.SignOp) else activation.bias_value
    element = _output_element(activation)
    layer = chain.source.owner
    if isinstance(layer, bnn.Conv2dOp | bnn.DenseOp) and layer.thresholds is None \
            and _single_use(chain.source):
        properties = dict(layer.properties)
        properties.update(bnn.threshold_properties(attr, descending, bias, value_range))
        result_type = TensorType(element, bnn.tensor_type(layer.output).get_shape())
        return type(layer).create(
            operands=list(layer.operands),
            properties=properties,
            attributes=dict(layer.attributes),
            result_types=[result_type],
        )
    return bnn.ThresholdOp(chain.source, attr, element, bias, descending, value_range)


class FuseActivation(RewritePattern):
    """Replace an activation and the float chain feeding it by integer thresholds."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, Activation):
            return
        chain = trace_chain(op)
        if chain is None:
            return
        new_ops = [_thresholded(chain)]
        if isinstance(new_ops[0], bnn.ThresholdOp):
            new_ops[0].attributes.update(op.attributes)
        for pool in (o for o in chain.ops if isinstance(o, bnn.MaxPoolOp)):
            moved = bnn.MaxPoolOp(new_ops[-1].results[0], pool.kernel_values,
                                  pool.stride_values, pool.pad_values)
            moved.attributes.update(pool.attributes)
            new_ops.append(moved)
        layer = chain.source.owner
        source_name = chain.source.name_hint
        rewriter.replace(op, new_ops)
        for old in reversed(chain.ops):
            rewriter.erase(old)
        if isinstance(new_ops[0], bnn.Conv2dOp | bnn.DenseOp) and isinstance(layer, Operation):
            rewriter.erase(layer)
        if len(new_ops) > 1:
            new_ops[0].results[0].name_hint = source_name
        new_ops[-1].results[0].name_hint = op.output.name_hint


def _fusable_layer(value: SSAValue) -> bool:
    layer = value.owner
    return (
        isinstance(layer, bnn.Conv2dOp | bnn.DenseOp)
        and layer.thresholds is None
        and _single_use(value)
    )


@dataclass(frozen=True)
class ThresholdFusion(ModulePass):
    """Fuse activations into integer thresholds (see the module docstring).

    Afterwards every `bnn.sign` and `bnn.threshold` whose input depends on an integer value
    through batch norms, affines and legal max-pools is an integer threshold, fused into the
    producing conv2d/dense when that layer has no other use. Outputs are unchanged bit for bit.
    """

    name = "bnn-threshold-fusion"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FuseActivation()]), apply_recursively=True
        ).rewrite_module(op)
