"""bnn-threshold-fusion: binarizing and quantizing activations become integer thresholds.

Each activation (`bnn.sign`, or `bnn.threshold` on a real value) is traced back through the
float32 arithmetic between it and the integer value it depends on (`bnn.affine`, `bnn.batch_norm`
and `bnn.max_pool`). Those ops compute a monotone step function of the integer (every float32
step, x·s, x/s and x + b, is monotone), so it equals a per-channel integer threshold comparison.
The thresholds are found by bisection over the integer range the value can take (its fan-in
bound), evaluating the float32 ops exactly as the interpreter and onnxruntime do: the switching
points are searched, never derived with real-number algebra.

When the integer is the accumulator of a `bnn.conv2d` / `bnn.dense` used only here, the
thresholds are fused into that layer (the matrix-vector-threshold form); otherwise a standalone
integer `bnn.threshold` replaces the chain.

Max-pools in the chain are re-created after the activation, on its output. With g the part of
the chain after a pool, g(max_p v_p) = max_p g(v_p) where g rises and min_p g(v_p) where it falls,
whatever comes before the pool. So a pool of thresholded bits is an OR (a max-pool) for the
channels where g rises, and an AND for those where it falls (a negative batch-norm scale after the
pool: the order of BinaryNet and Larq). AND_p b_p = NOT OR_p NOT b_p: such a channel is
thresholded negated (its comparison complemented), max-pooled, and its final negation is absorbed
by every consumer, whose weights for that input channel (or, through a flatten, for that channel's
features) are negated. That needs consumers that are a conv2d without padding or with zero
padding (zero stays zero under negation) or a dense layer, reached directly or through flattens;
a network output, a −1/+1 pad or another pool cannot absorb it.

Flattens and reshapes to [N, C·H·W] move below elementwise ops whose parameters are the same for
all H·W features of a channel (a scalar, or a 1-D batch norm after a 1×1 map), so the chain
reaches the layer: conv → batch norm → flatten → sign (Larq) fuses as conv → sign → flatten.

Channels whose comparison is reversed are listed in `descending`. A threshold equal to the range's
low end is always met and one above its high end never: constant channels (a scale of exactly 0)
are thresholds at those ends.

What cannot be fused is not silent: a remark on stderr names the activation and says why
(`remark: bnn.sign 'sign7': ...`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerType, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint

from bnnir.analysis.value_ranges import integer_bounds
from bnnir.diagnostics import describe, remark
from bnnir.dialects import bnn

Activation = bnn.SignOp | bnn.ThresholdOp
ChainOp = bnn.AffineOp | bnn.BatchNormOp | bnn.MaxPoolOp
Flattening = bnn.FlattenOp | bnn.ReshapeOp
Layer = bnn.Conv2dOp | bnn.DenseOp


def _is_integer(value: SSAValue) -> bool:
    return isinstance(bnn.tensor_type(value).element_type, IntegerType)


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(bnn.tensor_type(value).get_shape())


# ===----------------------------------------------------------------------=== #
# Flattens move below per-channel elementwise ops
# ===----------------------------------------------------------------------=== #

PER_FEATURE: dict[type[Operation], tuple[str, ...]] = {
    bnn.BatchNormOp: ("gamma", "beta", "mean", "var"),
    bnn.AffineOp: ("scale", "offset"),
    bnn.ThresholdOp: ("thresholds",),
    bnn.SignOp: (),
}
"""The elementwise ops a flatten can move below, and their per-feature (axis 0) parameters."""


def flatten_block(op: Flattening) -> int | None:
    """H·W, the features per channel, when `op` flattens [N, C, H, W] to [N, C·H·W] (1 for a
    flatten of [N, C]); None for a reshape to any other rank."""
    if len(_shape(op.output)) != 2:
        return None
    return int(np.prod(_shape(op.input)[2:]))


def per_channel_rows(values: np.ndarray, block: int) -> np.ndarray | None:
    """One row per channel of per-feature rows [C·block, ...] (or a shared row [1, ...]) when
    every channel's `block` rows are identical bit for bit, else None."""
    if values.shape[0] == 1:
        return values
    blocks = values.reshape(-1, block, *values.shape[1:])
    bits = blocks.view(np.dtype(f"u{blocks.itemsize}"))
    return blocks[:, 0] if np.all(bits == bits[:, :1]) else None


def per_channel_properties(op: Operation, block: int) -> dict[str, Attribute] | None:
    """The properties of `op` moved before a flatten of `block` features per channel, or None
    when some parameter differs within a channel."""
    properties = dict(op.properties)
    for name in PER_FEATURE[type(op)]:
        attr = properties.get(name)
        if attr is None:
            continue
        assert isinstance(attr, DenseIntOrFPElementsAttr)
        rows = per_channel_rows(bnn.dense_to_numpy(attr), block)
        if rows is None:
            return None
        properties[name] = bnn.dense_from_numpy(rows, attr.get_element_type())
    if isinstance(op, bnn.ThresholdOp) and op.descending_channels:
        falling = np.zeros(_shape(op.input)[1], bool)
        falling[list(op.descending_channels)] = True
        channels = per_channel_rows(falling, block)
        if channels is None:
            return None
        properties["descending"] = bnn.i64_array(np.nonzero(channels)[0].tolist())
    return properties


class SinkFlatten(RewritePattern):
    """flatten → per-channel elementwise op  ⇒  elementwise op → flatten."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, Flattening) or isinstance(op.input.owner, Block):
            return  # a flatten of the network input stays where the host expects it
        block = flatten_block(op)
        if block is None or not op.output.has_one_use():
            return
        user = next(iter(op.output.uses)).operation
        if type(user) not in PER_FEATURE:
            return
        properties = per_channel_properties(user, block)
        if properties is None:
            return
        element = bnn.tensor_type(user.results[0]).element_type
        moved = type(user).create(
            operands=[op.input], properties=properties, attributes=dict(user.attributes),
            result_types=[TensorType(element, _shape(op.input))])
        flat = type(op).create(
            operands=[moved.results[0]], attributes=dict(op.attributes),
            result_types=[TensorType(element, _shape(op.output))])
        name = user.results[0].name_hint
        rewriter.replace(user, [moved, flat])
        rewriter.erase(op)
        moved.results[0].name_hint = flat.results[0].name_hint = name


def _flatten_obstacle(flat: Flattening) -> str:
    if not flat.output.has_one_use():
        return f"{describe(flat)} stands between it and the layer, and its result has other uses"
    return (f"{describe(flat)} stands between it and the layer, and the parameters after it "
            "differ within a channel's features")


# ===----------------------------------------------------------------------=== #
# Chains and their thresholds
# ===----------------------------------------------------------------------=== #


@dataclass
class Chain:
    """The ops from an integer `source` to an activation, in execution order. `inverted` marks
    the channels computed negated (their level count complemented)."""

    source: SSAValue
    ops: list[ChainOp]
    activation: Activation
    inverted: np.ndarray | None = None

    def counts(self, values: np.ndarray, start: int = 0) -> np.ndarray:
        """The activation's level count for `values` [C, M] entering ops[start:] (pools are
        elementwise here: a pool of one value)."""
        for op in self.ops[start:]:
            if not isinstance(op, bnn.MaxPoolOp):
                values = op.evaluate(values, axis=0)
        if isinstance(self.activation, bnn.SignOp):
            counts = (values >= 0).astype(np.int64)
        else:
            levels = self.activation.apply_thresholds(values, bnn.si64, axis=0)
            counts = levels.astype(np.int64) - self.activation.bias_value
        if self.inverted is not None:
            counts = np.where(self.inverted[:, None], 1 - counts, counts)
        return counts

    def values_before(self, values: np.ndarray, stop: int) -> np.ndarray:
        for op in self.ops[:stop]:
            if not isinstance(op, bnn.MaxPoolOp):
                values = op.evaluate(values, axis=0)
        return values

    @property
    def pools(self) -> list[int]:
        return [i for i, op in enumerate(self.ops) if isinstance(op, bnn.MaxPoolOp)]

    @property
    def layer(self) -> str:
        """The layer the chain reads, as diagnostics name it."""
        owner = self.source.owner
        return describe(owner) if isinstance(owner, Operation) else "the network input"


def trace_chain(activation: Activation) -> Chain | str | None:
    """The longest chain ending at `activation`; else why it has none (None: an activation of a
    float network input, which is the host's)."""
    ops: list[ChainOp] = []
    value = activation.input
    while not _is_integer(value) or isinstance(value.owner, bnn.MaxPoolOp):
        producer = value.owner
        if isinstance(producer, Block):
            return None
        if isinstance(producer, Flattening):
            return _flatten_obstacle(producer)
        if not isinstance(producer, ChainOp):
            return f"its input comes from {describe(producer)}, which fusion cannot look through"
        if not value.has_one_use():
            return f"the result of {describe(producer)} has other uses"
        ops.insert(0, producer)
        value = producer.input
    return Chain(value, ops, activation)


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


# ===----------------------------------------------------------------------=== #
# Pools: OR where what follows rises, AND (a negated OR) where it falls
# ===----------------------------------------------------------------------=== #

NegationSite = tuple[Layer, np.ndarray]
"""A layer reading a negated value, and the input channels (or columns) it negates."""


@dataclass
class Plan:
    """What to fuse: `chain` (None: nothing), the consumers that absorb its negated channels,
    and why less than the whole chain is fused (None: all of it)."""

    chain: Chain | None
    negations: list[NegationSite] = field(default_factory=list)
    reason: str | None = None


def direction_after(chain: Chain, index: int) -> np.ndarray:
    """Per channel, how the part of the chain after ops[index] moves over the values that reach
    it: +1 rising, −1 falling, 0 constant (it is monotone)."""
    low, high = integer_bounds(chain.source)
    at_op = chain.values_before(np.stack([low, high], axis=1), index)
    ends = np.stack([at_op.min(axis=1), at_op.max(axis=1)], axis=1)
    counts = chain.counts(ends, index + 1)
    return np.sign(counts[:, 1] - counts[:, 0])


def plan_pools(chain: Chain) -> Plan:
    """The chain with its pools made OR-pools of bits, or what is left when that is illegal."""
    pools = chain.pools
    if not pools:
        return Plan(chain)
    directions = np.stack([direction_after(chain, i) for i in pools])  # [pools, C]
    falling = directions < 0
    if not falling.any():
        return Plan(chain)
    negated = falling.any(axis=0)
    row = int(np.nonzero(falling.any(axis=1))[0][-1])
    last = pools[row]
    pool = f"{describe(chain.ops[last])} is a min-pool for channels {_listed(falling[row])}"
    mixed = negated & (directions > 0).any(axis=0)
    if mixed.any():
        problem = (f"{pool}, while another pool in the chain is a max-pool for channels "
                   f"{_listed(mixed)}")
    elif not bnn.is_bipolar(bnn.tensor_type(chain.activation.output).element_type):
        problem = f"{pool} (what follows it falls) of multi-bit activations"
    else:
        sites = negation_sites(chain.activation.output, negated)
        if not isinstance(sites, str):
            return Plan(dataclasses.replace(chain, inverted=negated), sites)
        problem = (f"{pool} (what follows it falls); an OR of negated bits needs the consumers "
                   f"to absorb the negation, but {sites}")
    return _fuse_after(chain, last, problem)


def _listed(channels: np.ndarray) -> str:
    return str(np.nonzero(channels)[0].tolist())


def _fuse_after(chain: Chain, index: int, problem: str) -> Plan:
    """Give up the chain up to ops[index] (a pool): threshold the pooled integer, if it is one."""
    pooled = chain.ops[index].results[0]
    if not _is_integer(pooled):
        return Plan(None, reason=f"not fused into {chain.layer}, stays float: {problem}")
    rest = Chain(pooled, chain.ops[index + 1 :], chain.activation)
    return Plan(rest, reason=f"thresholds the pooled accumulator, not fused into {chain.layer}: "
                f"{problem}")


def negation_sites(value: SSAValue, negated: np.ndarray) -> list[NegationSite] | str:
    """The layers that can absorb a negation of `value`'s `negated` channels (axis 1), or why
    some consumer cannot."""
    sites: list[NegationSite] = []
    for use in value.uses:
        user = use.operation
        if isinstance(user, Flattening) and (block := flatten_block(user)) is not None:
            inner = negation_sites(user.output, np.repeat(negated, block))
            if isinstance(inner, str):
                return inner
            sites += inner
        elif isinstance(user, Layer) and use.index == 0:
            if isinstance(user, bnn.Conv2dOp) and any(user.pad_values) and user.padding_value:
                return f"{describe(user)} pads it with {user.padding_value}"
            if not isinstance(user.weights.owner, bnn.ConstantOp):
                return f"the weights of {describe(user)} are not constant"
            sites.append((user, negated))
        elif isinstance(user, func.ReturnOp):
            return "it is a network output"
        else:
            return f"it feeds {describe(user)}"
    return sites


def negate_inputs(rewriter: PatternRewriter, layer: Layer, negated: np.ndarray) -> None:
    """Negate the weights of `layer` for its negated input channels (columns): the layer's
    accumulator is unchanged when those inputs arrive negated."""
    old = layer.weights.owner
    assert isinstance(old, bnn.ConstantOp)
    weights = old.to_numpy().copy()
    weights[:, negated] *= -1
    new = rewriter.insert(bnn.ConstantOp.from_bipolar(weights), InsertPoint.before(layer))
    new.attributes.update(old.attributes)
    new.result.name_hint = old.result.name_hint
    layer.operands = [layer.input, new.result]
    rewriter.notify_op_modified(layer)
    if not old.result.uses:
        rewriter.erase(old)


# ===----------------------------------------------------------------------=== #
# The rewrite
# ===----------------------------------------------------------------------=== #


def _fusable_layer(value: SSAValue) -> bool:
    layer = value.owner
    return isinstance(layer, Layer) and layer.thresholds is None and value.has_one_use()


def _standalone_reason(chain: Chain) -> str | None:
    """Why the chain becomes a standalone threshold, when a layer lies behind its source."""
    value, between = chain.source, []
    while isinstance(value.owner, Flattening | bnn.MaxPoolOp | bnn.PadOp):
        between.append(value.owner)
        value = value.owner.input
    layer = value.owner
    if not isinstance(layer, Layer):
        return None  # the network input: there is no layer to fuse into
    if between and isinstance(between[0], Flattening):
        return (f"stays a standalone threshold, not fused into {describe(layer)}: the parameters "
                f"after {describe(between[0])} differ within a channel's features")
    if between:
        return (f"stays a standalone threshold, not fused into {describe(layer)}: "
                f"{describe(between[0])} stands between them")
    if layer.thresholds is not None:
        return f"stays a standalone threshold: {describe(layer)} is thresholded already"
    return f"stays a standalone threshold: the accumulator of {describe(layer)} has other uses"


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
    element = bnn.tensor_type(activation.output).element_type
    layer = chain.source.owner
    if isinstance(layer, Layer) and _fusable_layer(chain.source):
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


def plan_activation(activation: Activation) -> Plan:
    """What to fuse for `activation` and, if not all of its chain into a layer, why."""
    traced = trace_chain(activation)
    if not isinstance(traced, Chain):
        return Plan(None, reason=None if traced is None else f"not fused: {traced}")
    plan = plan_pools(traced)
    chain = plan.chain
    if chain is None or _fusable_layer(chain.source):
        return plan
    reason = plan.reason or _standalone_reason(chain)
    if not chain.ops:  # already an integer comparison, with no layer to fuse it into
        return Plan(None, reason=reason)
    return Plan(chain, plan.negations, reason)


@dataclass
class FuseActivation(RewritePattern):
    """Replace an activation and the chain feeding it by integer thresholds.

    `remarks` collects, per activation left as it is or made a standalone threshold, the
    original activation as diagnostics name it and why it is not fused; such an activation is
    decided and not looked at again.
    """

    remarks: dict[Operation, tuple[str, str]] = field(default_factory=dict)

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, Activation) or op in self.remarks:
            return
        subject = describe(op)
        plan = plan_activation(op)
        decided: Operation = op
        if plan.chain is not None:
            decided = self.rewrite(op, plan.chain, rewriter)[0]
            for layer, negated in plan.negations:
                negate_inputs(rewriter, layer, negated)
        if plan.reason is not None:
            self.remarks[decided] = (subject, plan.reason)

    @staticmethod
    def rewrite(op: Activation, chain: Chain, rewriter: PatternRewriter) -> list[Operation]:
        new_ops = [_thresholded(chain)]
        names = [chain.source.name_hint]
        if isinstance(new_ops[0], bnn.ThresholdOp):
            new_ops[0].attributes.update(op.attributes)
            names = [(chain.ops[0] if chain.ops else op).results[0].name_hint]
        for pool in (o for o in chain.ops if isinstance(o, bnn.MaxPoolOp)):
            moved = bnn.MaxPoolOp(new_ops[-1].results[0], pool.kernel_values,
                                  pool.stride_values, pool.pad_values)
            moved.attributes.update(pool.attributes)
            new_ops.append(moved)
            names.append(pool.output.name_hint)
        names[-1] = op.output.name_hint
        layer = chain.source.owner
        rewriter.replace(op, new_ops)
        for old in reversed(chain.ops):
            rewriter.erase(old)
        if isinstance(new_ops[0], Layer) and isinstance(layer, Operation):
            rewriter.erase(layer)
        for new_op, name in zip(new_ops, names, strict=True):
            new_op.results[0].name_hint = name
        return new_ops


@dataclass(frozen=True)
class ThresholdFusion(ModulePass):
    """Fuse activations into integer thresholds (see the module docstring).

    Afterwards every `bnn.sign` and `bnn.threshold` whose input depends on the accumulator of a
    conv2d/dense through batch norms, affines, max-pools and flattens is an integer threshold
    fused into that layer, or a remark on stderr says why not. A network whose activations all
    fuse has no f32 value between its first layer's input and its last layer's output. Outputs
    are unchanged bit for bit.
    """

    name = "bnn-threshold-fusion"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(SinkFlatten(), apply_recursively=True).rewrite_module(op)
        fuse = FuseActivation()
        PatternRewriteWalker(fuse, apply_recursively=True).rewrite_module(op)
        for decided in op.walk():
            if decided in fuse.remarks:
                remark(*fuse.remarks[decided])
