"""Folding: the parallelism (PE, SIMD) of every streaming unit, optimal under the cost model.

The hardware run of a network (bnnir/analysis/hardware.py) is a chain of layers, and each layer
becomes streaming kernels (a conv: padding, sliding window, width converter and matrix-vector-
threshold unit). A folding choice of a layer fixes its kernels' parallelism, hence the lanes per
word of the stream it reads and of the one it writes. Where a layer writes other lanes than the
next one reads, streaming conversion joins them with a width converter whose LUTs depend on both
choices. The pipeline's throughput is the clock over its slowest kernel's cycles per frame. A
converter is never slower than the slower of the layers it joins (cost_model.WidthConverter), so
a cycle bound B constrains each layer on its own, while the converters' LUTs couple neighbours.

The cheapest folding within B is therefore a shortest path along the chain whose state is the
lanes at each layer boundary: of a layer's choices within B only the cheapest of each (lanes in,
lanes out) pair matters, and a dynamic program over the layers keeps, per lanes out, the cheapest
way there, converters included. With a BRAM18 cap the state also counts the BRAM18s used, keeping
the fewest LUTs per count. Every legal choice is enumerated (PE | MH, SIMD | MW, window SIMD' | C,
no stream word wider than cost_model.MAX_STREAM_BITS), so the result is exact under the cost
model: FINN's formulas by default, or the measured model (kernel_costs.COST_MODELS). For a
budget, the foldings within B only grow with B: a binary search over the layers' achievable
cycle counts finds the smallest B within the budget, and the folding is the cheapest at that B.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, ModuleOp
from xdsl.ir import Attribute, Operation

from bnnir.analysis import cost_model as cm
from bnnir.analysis.hardware import element_bits, is_layer, layer_name, module_hardware_run
from bnnir.analysis.kernel_costs import FINN, kernel_cost
from bnnir.analysis.lowering import StreamIn, converter, folding_space, lowering, stream_after
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw


@dataclass(frozen=True)
class Kernel:
    """One streaming kernel of a layer: its spec (the lowering's) and its cost."""

    spec: hw.KernelSpec
    cost: cm.Cost

    @staticmethod
    def of(spec: hw.KernelSpec, model: str = FINN) -> Kernel:
        """The kernel of `spec`, costed under a cost model (kernel_costs.COST_MODELS)."""
        return Kernel(spec, kernel_cost(spec, model))


@dataclass(frozen=True)
class Choice:
    """A legal folding of one layer: its parameters, the kernels they give, the lanes per word
    of the stream it reads and of the one it writes, and its widest stream word in bits."""

    params: dict[str, int]
    kernels: tuple[Kernel, ...]
    lanes: tuple[int, int]
    widest: int

    @property
    def cycles(self) -> int:
        return max(k.cost.cycles for k in self.kernels)

    @property
    def luts(self) -> int:
        return sum(k.cost.luts for k in self.kernels)

    @property
    def brams(self) -> int:
        return sum(k.cost.brams for k in self.kernels)

    @property
    def key(self) -> tuple[int, int, int]:
        """Cheaper first: LUTs, then BRAM18s, then cycles."""
        return self.luts, self.brams, self.cycles

    def matches(self, params: dict[str, int]) -> bool:
        return all(self.params.get(k) == v for k, v in params.items())


@dataclass
class Layer:
    """A bnn op that becomes hardware, every legal folding of it, and the stream it reads.
    `too_wide` holds the foldings that divide evenly but need a stream word wider than
    cost_model.MAX_STREAM_BITS; `model` is the cost model its kernels are costed under."""

    name: str
    op: Operation = field(repr=False)
    choices: list[Choice] = field(repr=False)
    stream: StreamIn
    too_wide: list[Choice] = field(default_factory=list, repr=False)
    model: str = FINN
    _converters: dict[tuple[int, int], Kernel | None] = field(default_factory=dict, repr=False)

    @property
    def fastest(self) -> int:
        return min(c.cycles for c in self.choices)

    def achievable_cycles(self) -> set[int]:
        return {c.cycles for c in self.choices}

    def restricted(self, params: dict[str, int]) -> Layer:
        """The layer with only the choices that have these parameters."""
        return Layer(self.name, self.op, [c for c in self.choices if c.matches(params)],
                     self.stream, [c for c in self.too_wide if c.matches(params)], self.model)

    def converter(self, lanes_from: int | None, lanes_to: int) -> Kernel | None:
        """The width converter streaming conversion puts before this layer when its input stream
        has `lanes_from` lanes per word (None: the design's input) and it reads `lanes_to`."""
        if lanes_from is None:
            return None
        key = (lanes_from, lanes_to)
        if key not in self._converters:
            spec = converter(lanes_from, lanes_to, self.stream)
            self._converters[key] = None if spec is None else Kernel.of(spec, self.model)
        return self._converters[key]


LEGALITY = ("PE must divide the output channels, SIMD the columns and window SIMD the input "
            "channels")
"""What makes a folding legal, as messages say it."""


def folded_choice(layer: Layer, where: str) -> Choice:
    """The choice the layer's `fold` attribute names (bnn-fold writes it; a hand-written module
    may too): every folding parameter of the layer as an integer, legal (a choice with too wide
    streams is returned: streaming conversion says which stream)."""
    fold = layer.op.attributes.get("fold")
    if isinstance(fold, bnn.FoldAttr):
        given: dict[str, Attribute] = dict(fold.entries.data)
    elif isinstance(fold, DictionaryAttr):  # a hand-written folding may be a plain dictionary
        given = dict(fold.data)
    else:
        raise BnnirError(where, f"layer '{layer.name}' has no folding; run bnn-fold first")
    names = list((layer.choices or layer.too_wide)[0].params)
    params = {}
    for name in names:
        value = given.get(name)
        if not isinstance(value, IntegerAttr):
            raise BnnirError(where, f"layer '{layer.name}': its fold must give "
                             f"{', '.join(names)} as integers; {name} is missing or not one")
        params[name] = value.value.data
    choice = next((c for c in layer.choices + layer.too_wide if c.params == params), None)
    if choice is None:
        raise BnnirError(where, f"layer '{layer.name}': folding {json.dumps(params)} is not "
                         f"legal ({LEGALITY})")
    return choice


# ===----------------------------------------------------------------------=== #
# From bnn ops to layers
# ===----------------------------------------------------------------------=== #


def _layer(name: str, op: Operation, stream: StreamIn, model: str) -> Layer:
    """The layer of `op` with every folding the lowering gives it, costed under `model`."""
    lower = lowering(op, stream)
    costed: dict[int, Kernel] = {}  # by spec identity: the lowering reuses its specs

    def kernel(spec: hw.KernelSpec) -> Kernel:
        if id(spec) not in costed:
            costed[id(spec)] = Kernel.of(spec, model)
        return costed[id(spec)]

    choices = []
    for params in folding_space(op):
        specs = lower(params)
        choices.append(Choice(params, tuple(kernel(s) for s in specs),
                              (specs[0].lanes_in, specs[-1].lanes_out),
                              max(s.widest for s in specs)))
    legal = [c for c in choices if c.widest <= cm.MAX_STREAM_BITS]
    too_wide = [c for c in choices if c.widest > cm.MAX_STREAM_BITS]
    return Layer(name, op, legal, stream, too_wide, model)


def hardware_layers(module: ModuleOp, model: str = FINN) -> list[Layer]:
    """The layers of the module's dataflow pipeline (its hardware run), in stream order, their
    kernels costed under a cost model (kernel_costs.COST_MODELS)."""
    run = module_hardware_run(module)
    if not run:
        return []
    entering = bnn.tensor_type(run[0].operands[0])
    stream = StreamIn(element_bits(entering.element_type), math.prod(entering.get_shape()[1:]))
    layers = []
    for index, op in enumerate(run):
        if is_layer(op):
            layers.append(_layer(layer_name(op, index), op, stream, model))
            stream = stream_after(op)
    return layers


# ===----------------------------------------------------------------------=== #
# Foldings
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Folding:
    """A choice per layer, and the pipeline it gives."""

    choices: tuple[tuple[Layer, Choice], ...]

    @cached_property
    def kernels(self) -> tuple[tuple[Layer, Kernel], ...]:
        """Every kernel in stream order, with the layer it belongs to: the width converters
        between layers included (a converter belongs to the layer it feeds)."""
        kernels: list[tuple[Layer, Kernel]] = []
        lanes: int | None = None
        for layer, choice in self.choices:
            dwc = layer.converter(lanes, choice.lanes[0])
            if dwc is not None:
                kernels.append((layer, dwc))
            kernels += [(layer, kernel) for kernel in choice.kernels]
            lanes = choice.lanes[1]
        return tuple(kernels)

    @property
    def max_cycles(self) -> int:
        return max(k.cost.cycles for _, k in self.kernels)

    @property
    def luts(self) -> int:
        return sum(k.cost.luts for _, k in self.kernels)

    @property
    def brams(self) -> int:
        return sum(k.cost.brams for _, k in self.kernels)

    @property
    def bottleneck(self) -> str:
        """The layer of the first slowest kernel."""
        return max(self.kernels, key=lambda lk: lk[1].cost.cycles)[0].name

    @property
    def specs(self) -> list[hw.KernelSpec]:
        """Every kernel's spec in stream order (`kernels`)."""
        return [kernel.spec for _, kernel in self.kernels]


def fastest_bound(layers: list[Layer]) -> int:
    """The fewest cycles per frame any folding reaches: the slowest layer at its fastest."""
    return max(layer.fastest for layer in layers)


def fold_for_cycles(layers: list[Layer], bound: int,
                    max_brams: int | None = None) -> Folding | None:
    """The folding with the fewest LUTs (then BRAM18s) whose every kernel takes at most `bound`
    cycles per frame, using at most `max_brams` BRAM18s; None if there is none."""
    if max_brams is None:
        picks = _cheapest_chain(layers, bound)
    else:
        picks = _cheapest_chain_within_brams(layers, bound, max_brams)
    return None if picks is None else Folding(tuple(zip(layers, picks, strict=True)))


def fold_for_budget(layers: list[Layer], max_luts: int,
                    max_brams: int | None = None) -> Folding | None:
    """The fastest folding within the budget: the smallest cycle bound with a folding within
    it, and at that bound the cheapest folding; None if nothing fits."""
    bounds = sorted(set().union(*(layer.achievable_cycles() for layer in layers)))
    bounds = bounds[bisect.bisect_left(bounds, fastest_bound(layers)):]

    def fits(bound: int) -> Folding | None:
        folding = fold_for_cycles(layers, bound, max_brams)
        return folding if folding is not None and folding.luts <= max_luts else None

    low, high, best = 0, len(bounds) - 1, None
    while low <= high:
        mid = (low + high) // 2
        folding = fits(bounds[mid])
        if folding is not None:
            best, high = folding, mid - 1
        else:
            low = mid + 1
    return best


# ===----------------------------------------------------------------------=== #
# The dynamic program along the chain
# ===----------------------------------------------------------------------=== #


def _choices_within(layer: Layer, bound: int) -> dict[tuple[int, int], list[Choice]]:
    """The layer's choices within the bound, by (lanes in, lanes out), cheapest first."""
    groups: dict[tuple[int, int], list[Choice]] = {}
    for choice in layer.choices:
        if choice.cycles <= bound:
            groups.setdefault(choice.lanes, []).append(choice)
    for group in groups.values():
        group.sort(key=lambda c: c.key)
    return dict(sorted(groups.items()))


_LutsBrams = tuple[int, int]
"""(LUTs, BRAM18s), compared in that order."""


def _converter_cost(layer: Layer, lanes_from: int | None, lanes_to: int) -> _LutsBrams:
    dwc = layer.converter(lanes_from, lanes_to)
    return (0, 0) if dwc is None else (dwc.cost.luts, dwc.cost.brams)


def _cheapest_chain(layers: list[Layer], bound: int) -> list[Choice] | None:
    """Per layer the choice of the folding with the fewest (LUTs, BRAM18s) within the bound."""
    reach: dict[int | None, _LutsBrams] = {None: (0, 0)}  # lanes out of the prefix -> cheapest cost
    steps: list[tuple[dict[int, int | None], dict[int, tuple[int, Choice]]]] = []
    for layer in layers:
        groups = _choices_within(layer, bound)
        if not groups:
            return None
        arrive: dict[int, _LutsBrams] = {}
        came_from: dict[int, int | None] = {}
        for lanes_in in sorted({lanes_in for lanes_in, _ in groups}):
            for lanes, cost in reach.items():
                luts, brams = _converter_cost(layer, lanes, lanes_in)
                total = (cost[0] + luts, cost[1] + brams)
                if lanes_in not in arrive or total < arrive[lanes_in]:
                    arrive[lanes_in], came_from[lanes_in] = total, lanes
        new_reach: dict[int | None, _LutsBrams] = {}
        picked: dict[int, tuple[int, Choice]] = {}
        for (lanes_in, lanes_out), group in groups.items():
            choice = group[0]
            total = (arrive[lanes_in][0] + choice.luts, arrive[lanes_in][1] + choice.brams)
            if lanes_out not in new_reach or total < new_reach[lanes_out]:
                new_reach[lanes_out], picked[lanes_out] = total, (lanes_in, choice)
        steps.append((came_from, picked))
        reach = new_reach
    lanes: int | None = min(reach, key=lambda lanes_out: reach[lanes_out])
    picks: list[Choice] = []
    for came_from, picked in reversed(steps):
        assert lanes is not None
        lanes_in, choice = picked[lanes]
        picks.append(choice)
        lanes = came_from[lanes_in]
    return picks[::-1]


_NONE = np.iinfo(np.int64).max // 4
"""No folding reaches this (lanes, BRAM18s) state."""


def _plus(table: np.ndarray, luts: int, brams: int) -> np.ndarray:
    """A table of fewest LUTs per BRAM18 count after adding a part of `luts` and `brams`."""
    out = np.full_like(table, _NONE)
    if brams < len(table):
        out[brams:] = np.minimum(table[: len(table) - brams] + luts, _NONE)
    return out


def _pareto(group: list[Choice], max_brams: int) -> list[Choice]:
    """The choices no other choice beats on both BRAM18s and LUTs."""
    front: list[Choice] = []
    for choice in sorted(group, key=lambda c: (c.brams, c.key)):
        if choice.brams <= max_brams and (not front or choice.luts < front[-1].luts):
            front.append(choice)
    return front


@dataclass
class _BramStep:
    """One layer of the BRAM-capped program: the tables it started from and reached."""

    reach: dict[int | None, np.ndarray]  # lanes out of the prefix before it -> LUTs per BRAM18s
    arrive: dict[int, np.ndarray]  # lanes into it (converter included) -> LUTs per BRAM18s
    fronts: dict[tuple[int, int], list[Choice]]


def _cheapest_chain_within_brams(layers: list[Layer], bound: int,
                                 max_brams: int) -> list[Choice] | None:
    """Per layer the choice of the folding with the fewest LUTs (then BRAM18s) within the
    bound and at most `max_brams` BRAM18s: the state is (lanes out, BRAM18s used so far)."""
    start = np.full(max_brams + 1, _NONE, np.int64)
    start[0] = 0
    reach: dict[int | None, np.ndarray] = {None: start}
    steps: list[_BramStep] = []
    for layer in layers:
        fronts = {lanes: _pareto(group, max_brams)
                  for lanes, group in _choices_within(layer, bound).items()}
        fronts = {lanes: front for lanes, front in fronts.items() if front}
        if not fronts:
            return None
        arrive = {
            lanes_in: np.minimum.reduce([
                _plus(table, *_converter_cost(layer, lanes, lanes_in))
                for lanes, table in reach.items()])
            for lanes_in in sorted({lanes_in for lanes_in, _ in fronts})
        }
        new_reach: dict[int | None, np.ndarray] = {}
        for (lanes_in, lanes_out), front in fronts.items():
            for choice in front:
                table = _plus(arrive[lanes_in], choice.luts, choice.brams)
                old = new_reach.get(lanes_out)
                new_reach[lanes_out] = table if old is None else np.minimum(old, table)
        steps.append(_BramStep(reach, arrive, fronts))
        reach = new_reach
    luts, brams, lanes = min((int(table.min()), int(table.argmin()), lanes)
                             for lanes, table in reach.items())
    return None if luts >= _NONE else _backtrack(layers, steps, lanes, brams, luts)


def _backtrack(layers: list[Layer], steps: list[_BramStep], lanes: int | None, brams: int,
               luts: int) -> list[Choice]:
    """The choices of a folding reaching `luts` LUTs and `brams` BRAM18s at lanes out `lanes`."""
    picks: list[Choice] = []
    for layer, step in zip(reversed(layers), reversed(steps), strict=True):
        lanes_in, choice = next(
            (lanes_in, choice)
            for (lanes_in, lanes_out), front in step.fronts.items() if lanes_out == lanes
            for choice in front
            if choice.brams <= brams
            and step.arrive[lanes_in][brams - choice.brams] + choice.luts == luts)
        picks.append(choice)
        brams, luts = brams - choice.brams, luts - choice.luts
        for before, table in step.reach.items():
            dwc_luts, dwc_brams = _converter_cost(layer, before, lanes_in)
            if dwc_brams <= brams and table[brams - dwc_brams] + dwc_luts == luts:
                lanes, brams, luts = before, brams - dwc_brams, luts - dwc_luts
                break
    return picks[::-1]
