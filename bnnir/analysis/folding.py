"""Folding: the parallelism (PE, SIMD) of every streaming unit, optimal under the cost model.

A network becomes a pipeline of layers; each layer expands into streaming kernels (a conv into
padding, sliding window, width converter and matrix-vector-threshold unit). A folding choice of a
layer fixes every kernel's parallelism; the pipeline's throughput is the clock over its slowest
kernel's cycles per frame. For a cycle bound B the layers are independent, so the cheapest
network meeting B takes, per layer, the cheapest choice whose kernels all meet B: that is exact
under the cost model, with every legal choice enumerated (PE | MH, SIMD | MW, window SIMD' | C,
SIMD' and SIMD one a multiple of the other). For a LUT budget, the cheapest LUT count is
non-increasing in B, so a binary search over the achievable bounds finds the smallest B that fits.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, StringAttr
from xdsl.ir import Operation

from bnnir.analysis import cost_model as cm
from bnnir.dialects import bnn


@dataclass(frozen=True)
class Kernel:
    """One streaming kernel of a layer, with its folding and cost."""

    kind: str  # the hwstream kernel: pad, window, dwc, mvtu, pool, threshold, label_select
    pe: int
    simd: int
    cost: cm.Cost


@dataclass(frozen=True)
class Choice:
    """A legal folding of one layer: its parameters and the kernels they give."""

    params: dict[str, int]
    kernels: tuple[Kernel, ...]

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


@dataclass
class Layer:
    """A bnn op that becomes hardware, and every legal folding of it."""

    name: str
    op: Operation
    choices: list[Choice]
    macs: int = 0
    _by_cycles: list[Choice] = field(default_factory=list, repr=False)
    _cheapest_prefix: list[Choice] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._by_cycles = sorted(self.choices, key=lambda c: (c.cycles, c.key))
        best: Choice | None = None
        for choice in self._by_cycles:
            if best is None or choice.key < best.key:
                best = choice
            self._cheapest_prefix.append(best)

    @property
    def fastest(self) -> int:
        return self._by_cycles[0].cycles

    def cheapest_within(self, bound: int) -> Choice | None:
        """The cheapest choice whose every kernel takes at most `bound` cycles per frame."""
        index = bisect.bisect_right([c.cycles for c in self._by_cycles], bound)
        return self._cheapest_prefix[index - 1] if index else None

    def achievable_cycles(self) -> set[int]:
        return {c.cycles for c in self.choices}


# ===----------------------------------------------------------------------=== #
# From bnn ops to layers
# ===----------------------------------------------------------------------=== #


def layer_name(op: Operation, index: int) -> str:
    node = op.attributes.get("onnx_node")
    if isinstance(node, StringAttr):
        return node.data
    hint = op.results[0].name_hint if op.results else None
    return hint or f"{op.name.split('.')[-1]}{index}"


def _bits(element: object) -> tuple[int, bool]:
    if bnn.is_bipolar(element) or not isinstance(element, IntegerType):
        return 1, False
    return element.width.data, element.signedness.data == Signedness.SIGNED


def _threshold_steps(op: bnn.ThresholdedOp) -> int:
    return 0 if op.thresholds is None else op.thresholds.get_shape()[1]


def _mvtu(op: bnn.Conv2dOp | bnn.DenseOp, vectors: int) -> cm.MatrixVectorUnit:
    w_shape = bnn.tensor_type(op.weights).get_shape()
    bits, signed = _bits(bnn.tensor_type(op.input).element_type)
    classes = 1
    if isinstance(op, bnn.Conv2dOp) and op.correction is not None:
        shape = op.correction.get_shape()
        classes = shape[0] * shape[1] * shape[2] * shape[3]
    columns = 1
    for d in w_shape[1:]:
        columns *= d
    return cm.MatrixVectorUnit(w_shape[0], columns, vectors, bits, signed,
                               _threshold_steps(op), classes)


def _mvtu_choices(unit: cm.MatrixVectorUnit) -> Iterable[tuple[int, int, cm.Cost]]:
    for pe, simd in itertools.product(cm.divisors(unit.rows), cm.divisors(unit.columns)):
        yield pe, simd, unit.cost(pe, simd)


def conv_layer(name: str, op: bnn.Conv2dOp) -> Layer:
    _, c, h, w = bnn.tensor_type(op.input).get_shape()
    oh, ow = bnn.tensor_type(op.output).get_shape()[2:]
    top, left, bottom, right = op.pad_values
    bits, _ = _bits(bnn.tensor_type(op.input).element_type)
    padded = (h + top + bottom, w + left + right)
    window = cm.SlidingWindow(c, padded, (oh, ow), op.kernel_size, op.stride_values[1], bits)
    padding = cm.Padding(c, padded, bits) if any(op.pad_values) else None
    unit = _mvtu(op, oh * ow)
    choices = []
    for window_simd in cm.divisors(c):
        front = [Kernel("window", 1, window_simd, window.cost(window_simd))]
        if padding is not None:
            front.insert(0, Kernel("pad", 1, window_simd, padding.cost(window_simd)))
        for pe, simd, cost in _mvtu_choices(unit):
            if simd % window_simd and window_simd % simd:
                continue  # a width converter needs one width a multiple of the other
            kernels = list(front)
            if simd != window_simd:
                words = oh * ow * unit.columns // window_simd
                dwc = cm.WidthConverter(window_simd * bits, simd * bits, words)
                kernels.append(Kernel("dwc", 1, 1, dwc.cost()))
            kernels.append(Kernel("mvtu", pe, simd, cost))
            params = {"pe": pe, "simd": simd, "window_simd": window_simd}
            choices.append(Choice(params, tuple(kernels)))
    return Layer(name, op, choices, unit.macs)


def dense_layer(name: str, op: bnn.DenseOp) -> Layer:
    unit = _mvtu(op, 1)
    choices = [
        Choice({"pe": pe, "simd": simd}, (Kernel("mvtu", pe, simd, cost),))
        for pe, simd, cost in _mvtu_choices(unit)
    ]
    return Layer(name, op, choices, unit.macs)


def pool_layer(name: str, op: bnn.MaxPoolOp) -> Layer:
    _, c, h, w = bnn.tensor_type(op.input).get_shape()
    kernel = op.kernel_values
    if kernel == op.stride_values and kernel[0] == kernel[1] and not any(op.pad_values):
        cost = cm.BinaryMaxPool(c, h, kernel[0]).cost()
    else:  # a general window: every input pixel read once (ours)
        cost = cm.Cost(h * w, 50 + 2 * c, 0)
    return Layer(name, op, [Choice({}, (Kernel("pool", 1, c, cost),))])


def pad_layer(name: str, op: bnn.PadOp) -> Layer:
    _, c, h, w = bnn.tensor_type(op.output).get_shape()
    bits, _ = _bits(bnn.tensor_type(op.input).element_type)
    padding = cm.Padding(c, (h, w), bits)
    choices = [Choice({"simd": s}, (Kernel("pad", 1, s, padding.cost(s)),))
               for s in cm.divisors(c)]
    return Layer(name, op, choices)


def threshold_layer(name: str, op: bnn.ThresholdOp) -> Layer:
    shape = bnn.tensor_type(op.input).get_shape()
    pixels = 1
    for d in shape[2:]:
        pixels *= d
    bits, _ = _bits(bnn.tensor_type(op.input).element_type)
    unit = cm.Thresholding(shape[1], pixels, bits, _threshold_steps(op))
    choices = [Choice({"pe": pe}, (Kernel("threshold", pe, 1, unit.cost(pe)),))
               for pe in cm.divisors(shape[1])]
    return Layer(name, op, choices)


def label_select_layer(name: str, op: bnn.ArgMaxOp) -> Layer:
    labels = bnn.tensor_type(op.input).get_shape()[1]
    bits, _ = _bits(bnn.tensor_type(op.input).element_type)
    unit = cm.LabelSelect(labels, max(bits, 1))
    choices = [Choice({"pe": pe}, (Kernel("label_select", pe, 1, unit.cost(pe)),))
               for pe in cm.divisors(labels)]
    return Layer(name, op, choices)


def hardware_layers(module: ModuleOp) -> list[Layer]:
    """The layers of the module's dataflow pipeline, in stream order."""
    layers: list[Layer] = []
    for index, op in enumerate(module.walk()):
        name = layer_name(op, index)
        if isinstance(op, bnn.Conv2dOp):
            layers.append(conv_layer(name, op))
        elif isinstance(op, bnn.DenseOp):
            layers.append(dense_layer(name, op))
        elif isinstance(op, bnn.MaxPoolOp):
            layers.append(pool_layer(name, op))
        elif isinstance(op, bnn.PadOp):
            layers.append(pad_layer(name, op))
        elif isinstance(op, bnn.ThresholdOp) and not _is_float(op):
            layers.append(threshold_layer(name, op))
        elif isinstance(op, bnn.ArgMaxOp):
            layers.append(label_select_layer(name, op))
    return layers


def _is_float(op: bnn.ThresholdOp) -> bool:
    return not isinstance(bnn.tensor_type(op.input).element_type, IntegerType)


# ===----------------------------------------------------------------------=== #
# Optimization
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Folding:
    """A choice per layer, and the pipeline it gives."""

    choices: tuple[tuple[Layer, Choice], ...]

    @property
    def max_cycles(self) -> int:
        return max(c.cycles for _, c in self.choices)

    @property
    def luts(self) -> int:
        return sum(c.luts for _, c in self.choices)

    @property
    def brams(self) -> int:
        return sum(c.brams for _, c in self.choices)

    @property
    def bottleneck(self) -> str:
        return max(self.choices, key=lambda lc: lc[1].cycles)[0].name

    @property
    def ideal_cycles(self) -> float:
        """Total MACs over the MACs per cycle of all matrix-vector units."""
        macs = sum(layer.macs for layer, _ in self.choices)
        lanes = sum(k.pe * k.simd for _, c in self.choices for k in c.kernels if k.kind == "mvtu")
        return macs / lanes if lanes else 0.0


def fastest_bound(layers: list[Layer]) -> int:
    """The fewest cycles per frame any folding reaches: the slowest layer at its fastest."""
    return max(layer.fastest for layer in layers)


def fold_for_cycles(layers: list[Layer], bound: int,
                    fixed: dict[str, Choice] | None = None) -> Folding | None:
    """Per layer the cheapest choice within `bound` (or the fixed one); None if impossible."""
    fixed = fixed or {}
    picked = []
    for layer in layers:
        choice = fixed.get(layer.name) or layer.cheapest_within(bound)
        if choice is None:
            return None
        picked.append((layer, choice))
    return Folding(tuple(picked))


def fold_for_budget(layers: list[Layer], max_luts: int, max_brams: int | None = None,
                    fixed: dict[str, Choice] | None = None) -> Folding | None:
    """The folding with the smallest cycle bound whose cheapest choices fit the budget."""
    bounds = sorted(set().union(*(layer.achievable_cycles() for layer in layers)))
    bounds = [b for b in bounds if b >= fastest_bound(layers)]

    def fits(bound: int) -> Folding | None:
        folding = fold_for_cycles(layers, bound, fixed)
        if folding is None or folding.luts > max_luts:
            return None
        if max_brams is not None and folding.brams > max_brams:
            return None
        return folding

    low, high, best = 0, len(bounds) - 1, None
    while low <= high:
        mid = (low + high) // 2
        folding = fits(bounds[mid])
        if folding is not None:
            best, high = folding, mid - 1
        else:
            low = mid + 1
    return best
