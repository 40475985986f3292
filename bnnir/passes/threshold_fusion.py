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
pool: the order of BinaryNet and Larq); for multi-bit levels, a max or a min. A min is a max of
complements (AND_p b_p = NOT OR_p NOT b_p; min_p k_p = T − max_p (T − k_p) for levels 0..T), and
hardware has only max-pools: such a channel is thresholded complemented (its comparison
reversed), max-pooled, and complemented back. The last complement is absorbed by the consumers
where they all can, negating their weights for that input channel (or, through a flatten, for
that channel's features): bipolar values read by conv2d layers without padding or with zero
padding (zero stays zero under negation; the conv lists the channels in `complemented`, since a
later −1 padding of the network's values pads them with +1) or by dense layers, reached directly
or through flattens, whose weights are ±1 or integers other than si<N>'s −2^(N−1) (its negation
does not fit). Otherwise, and between two pools whose directions differ, a standalone
`bnn.threshold` on the pooled levels complements those channels (a NOT of some bits, in
hardware).

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
from bnnir.dialects.bnn_values import (
    dense_from_numpy,
    dense_to_numpy,
    integer_range,
    is_bipolar,
    si32,
    si64,
    weight_bits,
)

Activation = bnn.SignOp | bnn.ThresholdOp
ChainOp = bnn.AffineOp | bnn.BatchNormOp | bnn.MaxPoolOp
Flattening = bnn.FlattenOp | bnn.ReshapeOp
Layer = bnn.Conv2dOp | bnn.DenseOp


def _is_integer(value: SSAValue) -> bool:
    return isinstance(bnn.tensor_type(value).element_type, IntegerType)


def _shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(bnn.tensor_type(value).get_shape())


def activation_steps(activation: Activation) -> int:
    """T, the thresholds per channel: the activation's levels are bias + 0..T."""
    return 1 if isinstance(activation, bnn.SignOp) else activation.thresholds.get_shape()[1]


def activation_bias(activation: Activation) -> int:
    return 0 if isinstance(activation, bnn.SignOp) else activation.bias_value


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
        rows = per_channel_rows(dense_to_numpy(attr), block)
        if rows is None:
            return None
        properties[name] = dense_from_numpy(rows, attr.get_element_type())
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
    the channels computed complemented (level count T − k for k)."""

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
            levels = self.activation.apply_thresholds(values, si64, axis=0)
            counts = levels.astype(np.int64) - self.activation.bias_value
        if self.inverted is not None:
            steps = activation_steps(self.activation)
            counts = np.where(self.inverted[:, None], steps - counts, counts)
        return counts

    def values_before(self, values: np.ndarray, stop: int) -> np.ndarray:
        for op in self.ops[:stop]:
            if not isinstance(op, bnn.MaxPoolOp):
                values = op.evaluate(values, axis=0)
        return values

    @property
    def pools(self) -> list[int]:
        return [i for i, op in enumerate(self.ops) if isinstance(op, bnn.MaxPoolOp)]


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
# Pools: max where what follows rises, min (a complemented max) where it falls
# ===----------------------------------------------------------------------=== #

NegationSite = tuple[Layer, np.ndarray]
"""A layer reading a negated value, and the input channels (or columns) it negates."""


@dataclass
class Plan:
    """What to fuse: `chain` (None: nothing) and why not into a layer (None: into one).

    The chain's pools move after the activation, which the layer computes complemented on the
    channels `chain.inverted`. `complements[j]` lists the channels to complement after the j-th
    pool (None: none), so that each pool takes the max of what it must take the max or the min
    of; the last entry restores the activation unless the consumers in `negations` absorb it."""

    chain: Chain | None
    negations: list[NegationSite] = field(default_factory=list)
    complements: list[np.ndarray | None] = field(default_factory=list)
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
    """The chain with its pools made max-pools of the activation: a pool followed by a falling
    function is a min-pool, computed as the max of complemented levels (an OR of negated bits).
    The complement of the last pool's channels is absorbed by the consumers' weights when they
    can (bipolar values read by constant-weight layers without ±1 padding), else undone by a
    standalone complementing threshold; complements between pools are always such thresholds."""
    pools = chain.pools
    if not pools:
        return Plan(chain)
    falling = np.stack([direction_after(chain, i) < 0 for i in pools])  # [pools, C]
    if not falling.any():
        return Plan(chain)
    complements = [_channels(falling[j] ^ falling[j + 1]) for j in range(len(pools) - 1)]
    last, negations = falling[-1], []
    if last.any() and is_bipolar(bnn.tensor_type(chain.activation.output).element_type):
        sites = negation_sites(chain.activation.output, last)
        if sites is not None:
            last, negations = np.zeros_like(last), sites
    complements.append(_channels(last))
    return Plan(dataclasses.replace(chain, inverted=falling[0]), negations, complements)


def _channels(mask: np.ndarray) -> np.ndarray | None:
    return mask if mask.any() else None


def complement(value: SSAValue, channels: np.ndarray, activation: Activation) -> bnn.ThresholdOp:
    """A threshold that complements the levels of `activation` on `channels` of `value` (±1
    bits are negated; bias + k becomes bias + T − k for T levels) and keeps the others."""
    steps, bias = activation_steps(activation), activation_bias(activation)
    levels = bias + np.arange(steps)[None, :]  # v ≤ bias + i (i < T) counts T − k
    table = np.where(channels[:, None], levels, levels + 1)  # v ≥ bias + i (i ≥ 1) counts k
    if np.all(table == table[:1]):
        table = table[:1]
    thresholds = dense_from_numpy(table.astype(np.int32), si32)
    element = bnn.tensor_type(activation.output).element_type
    return bnn.ThresholdOp(value, thresholds, element, bias, np.nonzero(channels)[0].tolist())


def negation_sites(value: SSAValue, negated: np.ndarray) -> list[NegationSite] | None:
    """The layers that absorb a negation of `value`'s `negated` channels (axis 1) in their
    weights, or None if some consumer cannot: only constant-weight layers without ±1 padding,
    reached directly or through flattens, read a negated bit as a negated weight."""
    sites: list[NegationSite] = []
    for use in value.uses:
        user = use.operation
        if isinstance(user, Flattening) and (block := flatten_block(user)) is not None:
            inner = negation_sites(user.output, np.repeat(negated, block))
            if inner is None:
                return None
            sites += inner
        elif (isinstance(user, Layer) and use.index == 0
              and isinstance(user.weights.owner, bnn.ConstantOp)
              and _negatable(user.weights.owner)
              and not (isinstance(user, bnn.Conv2dOp) and any(user.pad_values)
                       and user.padding_value)):
            sites.append((user, negated))
        else:
            return None
    return sites


def _negatable(weights: bnn.ConstantOp) -> bool:
    """Whether every weight's negation fits the weight type: not so for si<N>'s −2^(N−1)."""
    element = bnn.tensor_type(weights.result).element_type
    if is_bipolar(element):
        return True
    assert isinstance(element, IntegerType)
    return not np.any(weights.to_numpy() == integer_range(element)[0])


def negate_inputs(rewriter: PatternRewriter, layer: Layer, negated: np.ndarray) -> None:
    """Negate the weights of `layer` for its negated input channels (columns): the layer's
    accumulator is unchanged when those inputs arrive negated."""
    old = layer.weights.owner
    assert isinstance(old, bnn.ConstantOp)
    weights = old.to_numpy().copy()
    weights[:, negated] *= -1
    bits = weight_bits(bnn.tensor_type(old.result).element_type)
    new = rewriter.insert(bnn.ConstantOp.from_integers(weights, bits), InsertPoint.before(layer))
    new.attributes.update(old.attributes)
    new.result.name_hint = old.result.name_hint
    layer.operands = [layer.input, new.result]
    if isinstance(layer, bnn.Conv2dOp) and any(layer.pad_values):
        # Zero padding is its own negation, but a later -1 padding of the network's values
        # is a +1 padding of these channels' complements: the conv says which they are.
        listed = np.zeros(negated.shape, dtype=bool)
        listed[list(layer.complemented_channels)] = True
        channels = np.nonzero(listed ^ negated)[0].tolist()
        layer.complemented = bnn.i64_array(channels) if channels else None
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
    thresholds, descending = search_thresholds(chain, activation_steps(activation))
    low, high = integer_bounds(chain.source)
    value_range = (int(low.min()), int(high.max()))
    if np.all(thresholds == thresholds[:1]):
        thresholds = thresholds[:1]  # one row shared by all channels
    attr = dense_from_numpy(thresholds.astype(np.int32), si32)
    bias = activation_bias(activation)
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
    if _fusable_layer(traced.source):
        return plan
    if not traced.ops and isinstance(activation, bnn.ThresholdOp):
        # already an integer comparison, with no layer to fuse it into
        return Plan(None, reason=_standalone_reason(traced))
    return dataclasses.replace(plan, reason=_standalone_reason(traced))


@dataclass
class FuseActivation(RewritePattern):
    """Replace an activation and the chain feeding it by integer thresholds.

    `decided` holds the activations not to look at again: those left as they are, standalone
    thresholds made here, and the complements between moved pools. `remarks` says, per
    activation left as it is or made a standalone threshold, how diagnostics name the original
    and why it is not fused into a layer.
    """

    decided: set[Operation] = field(default_factory=set)
    remarks: dict[Operation, tuple[str, str]] = field(default_factory=dict)

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, Activation) or op in self.decided:
            return
        if isinstance(op, bnn.SignOp) and is_bipolar(bnn.tensor_type(op.input).element_type):
            rewriter.replace(op, [], [op.input])  # sign(±1) = ±1
            return
        subject = describe(op)
        plan = plan_activation(op)
        new_ops: list[Operation] = [op]
        if plan.chain is not None:
            new_ops = self.rewrite(op, plan, rewriter)
            for layer, negated in plan.negations:
                negate_inputs(rewriter, layer, negated)
        self.decided.update(o for o in new_ops if isinstance(o, Activation))
        if plan.reason is not None:
            self.remarks[new_ops[0]] = (subject, plan.reason)

    @staticmethod
    def rewrite(op: Activation, plan: Plan, rewriter: PatternRewriter) -> list[Operation]:
        """Replace `op` and its chain by the thresholded layer (or threshold) followed by the
        chain's pools and the complements after them; returns the new ops in order."""
        chain = plan.chain
        assert chain is not None
        thresholded = _thresholded(chain)
        new_ops: list[Operation] = [thresholded]
        names = [chain.source.name_hint]
        if isinstance(thresholded, bnn.ThresholdOp):
            thresholded.attributes.update(op.attributes)
            names = [(chain.ops[0] if chain.ops else op).results[0].name_hint]
        pools = [o for o in chain.ops if isinstance(o, bnn.MaxPoolOp)]
        for pool, channels in zip(pools, plan.complements or [None] * len(pools), strict=True):
            moved = bnn.MaxPoolOp(new_ops[-1].results[0], pool.kernel_values,
                                  pool.stride_values, pool.pad_values)
            moved.attributes.update(pool.attributes)
            new_ops.append(moved)
            names.append(pool.output.name_hint)
            if channels is not None:
                new_ops.append(complement(moved.output, channels, chain.activation))
                names.append(pool.output.name_hint)
        names[-1] = op.output.name_hint
        layer = chain.source.owner
        rewriter.replace(op, new_ops)
        for old in reversed(chain.ops):
            rewriter.erase(old)
        if isinstance(thresholded, Layer) and isinstance(layer, Operation):
            rewriter.erase(layer)
        for new_op, name in zip(new_ops, names, strict=True):
            new_op.results[0].name_hint = name
        return new_ops


@dataclass(frozen=True)
class ThresholdFusion(ModulePass):
    """Fuse activations into integer thresholds (see the module docstring).

    Afterwards every `bnn.sign` and `bnn.threshold` whose input depends on the accumulator of a
    conv2d/dense through batch norms, affines, max-pools and flattens is an integer threshold
    fused into that layer (followed, after a min-pool whose consumers cannot absorb its
    complement, by a standalone threshold that complements the pooled levels), or a remark on
    stderr says why not. A network whose activations all
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
