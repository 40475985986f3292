"""The one lowering from bnn layers to streaming kernels: what each layer becomes for a folding.

One function per layer kind turns a layer (its bnn op and the stream entering it) and a folding
of it (its parameters) into the specs of the kernels it becomes, in stream order (a conv: pad
when it pads, window, a width converter when the window's SIMD differs from the MVTU's, MVTU).
It reads the op once and returns the function of the folding, which the folding search calls
per choice; `folding_space` lists a layer's legal parameters. Everything else reads these specs:
bnn-fold costs them (bnnir/analysis/kernel_costs.py) and searches over them, bnn-to-hwstream
builds one op per spec (with the tables a spec does not hold), and the report lists them
before conversion. After conversion each op gives its spec back (`op.spec`), so the numbers
before and after conversion are one computation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from xdsl.dialects.builtin import IntegerType, Signedness
from xdsl.ir import Operation

from bnnir.analysis.cost_model import divisors
from bnnir.analysis.hardware import element_bits, index_bits, matrix_output_bits
from bnnir.diagnostics import BnnirError, describe
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import MAX_WEIGHT_BITS, is_bipolar


@dataclass(frozen=True)
class StreamIn:
    """The stream entering a layer: bits per lane and lanes (elements) per frame."""

    bits: int
    elements: int


Specs = tuple[hw.KernelSpec, ...]
Lowering = Callable[[Mapping[str, int]], Specs]
"""A layer's lowering: its kernels, in stream order, for a folding (its parameters)."""


def lane_value(value: int, bits: int) -> int:
    """A pad value as a lane holds it: bipolar ±1 as its bit."""
    return (1 if value > 0 else 0) if bits == 1 else value


def converter(lanes_from: int, lanes_to: int, stream: StreamIn) -> hw.DwcSpec | None:
    """The width converter between a stream of `lanes_from` lanes per word and a reader of
    `lanes_to` (None when they agree)."""
    if lanes_from == lanes_to:
        return None
    return hw.DwcSpec(lanes_from, lanes_to, stream.bits, stream.elements // lanes_from)


# ===----------------------------------------------------------------------=== #
# One lowering per layer kind
# ===----------------------------------------------------------------------=== #


def _signed(element: object) -> bool:
    return isinstance(element, IntegerType) and element.signedness.data == Signedness.SIGNED


def _steps(op: bnn.ThresholdedOp | bnn.ThresholdOp) -> int:
    return 0 if op.thresholds is None else op.thresholds.get_shape()[1]


def weight_bits(op: bnn.Conv2dOp | bnn.DenseOp) -> int:
    """The bits of a layer's weights in hardware: 1 for bipolar weights, N for si<N>. Hardware
    compares with ≥ only, so streaming conversion negates the weight row of a channel compared
    with ≤; where such a row holds −2^(N−1), whose negation needs N + 1 bits, the layer's
    weights are N + 1 bits wide (at most MAX_WEIGHT_BITS)."""
    element = bnn.tensor_type(op.weights).element_type
    if is_bipolar(element):
        return 1
    assert isinstance(element, IntegerType)
    bits, falling = element.width.data, list(op.descending_channels)
    if not falling:
        return bits
    weights = op.weights.owner
    assert isinstance(weights, bnn.ConstantOp)
    if not np.any(weights.to_numpy()[falling] == -(1 << (bits - 1))):
        return bits
    if bits == MAX_WEIGHT_BITS:
        raise BnnirError(describe(op), f"a channel compared with <= (negative scale) holds the "
                         f"weight {-(1 << (bits - 1))}, whose negation does not fit "
                         f"{MAX_WEIGHT_BITS} bits; quantize its weights narrow (symmetric)")
    return bits + 1


def _mvtu(op: bnn.Conv2dOp | bnn.DenseOp, vectors: int,
          stream: StreamIn) -> Callable[[Mapping[str, int]], hw.MvtuSpec]:
    w_shape = bnn.tensor_type(op.weights).get_shape()
    classes = 1
    if isinstance(op, bnn.Conv2dOp) and op.correction is not None:
        classes = math.prod(op.correction.get_shape()[:4])
    element = bnn.tensor_type(op.input).element_type
    rows, columns, output_bits = w_shape[0], math.prod(w_shape[1:]), matrix_output_bits(op)
    bits = weight_bits(op)
    # bipolar weights on bipolar input bits count matches (XNOR); integer weights read them ±1
    xnor, bipolar_input = is_bipolar(element) and bits == 1, is_bipolar(element) and bits > 1
    signed, steps = _signed(element), _steps(op)
    return lambda fold: hw.MvtuSpec(
        rows, columns, vectors, fold["pe"], fold["simd"], stream.bits, output_bits, xnor, signed,
        steps, classes, bits, bipolar_input)


def lower_conv(op: bnn.Conv2dOp, stream: StreamIn) -> Lowering:
    _, c, h, w = bnn.tensor_type(op.input).get_shape()
    oh, ow = bnn.tensor_type(op.output).get_shape()[2:]
    pads, kernel, strides, bits = op.pad_values, op.kernel_size, op.stride_values, stream.bits
    value = lane_value(op.padding_value, bits)
    padded = (h + pads[0] + pads[2], w + pads[1] + pads[3])
    mvtu = _mvtu(op, oh * ow, stream)

    # The folding search asks for every (pe, simd, window_simd): each part is made once.
    @cache
    def front(window_simd: int) -> Specs:
        window = hw.WindowSpec(c, *padded, window_simd, bits, kernel, strides)
        if not any(pads):
            return (window,)
        return hw.PadSpec(c, h, w, window_simd, bits, pads, value), window

    @cache
    def unit(pe: int, simd: int) -> hw.MvtuSpec:
        return mvtu({"pe": pe, "simd": simd})

    @cache
    def gearbox(window_simd: int, simd: int) -> Specs:
        words = front(window_simd)[-1].words_out() * window_simd
        dwc = converter(window_simd, simd, StreamIn(bits, words))
        return () if dwc is None else (dwc,)

    def lowering(fold: Mapping[str, int]) -> Specs:
        window_simd, pe, simd = fold["window_simd"], fold["pe"], fold["simd"]
        return *front(window_simd), *gearbox(window_simd, simd), unit(pe, simd)

    return lowering


def lower_dense(op: bnn.DenseOp, stream: StreamIn) -> Lowering:
    mvtu = _mvtu(op, 1, stream)
    return lambda fold: (mvtu(fold),)


def lower_pool(op: bnn.MaxPoolOp, stream: StreamIn) -> Lowering:
    _, c, h, w = bnn.tensor_type(op.input).get_shape()
    pool = hw.PoolSpec(c, h, w, c, stream.bits, op.kernel_values, op.stride_values,
                       op.pad_values)
    return lambda fold: (pool,)


def lower_pad(op: bnn.PadOp, stream: StreamIn) -> Lowering:
    _, c, h, w = bnn.tensor_type(op.input).get_shape()
    pads, value = op.pad_values, lane_value(op.value.value.data, stream.bits)
    return lambda fold: (hw.PadSpec(c, h, w, fold["simd"], stream.bits, pads, value),)


def lower_threshold(op: bnn.ThresholdOp, stream: StreamIn) -> Lowering:
    shape = bnn.tensor_type(op.input).get_shape()
    out_bits = element_bits(bnn.tensor_type(op.output).element_type)
    channels, pixels, steps = shape[1], math.prod(shape[2:]), _steps(op)
    return lambda fold: (hw.ThresholdSpec(channels, pixels, fold["pe"], stream.bits, out_bits,
                                          steps),)


def lower_arg_max(op: bnn.ArgMaxOp, stream: StreamIn) -> Lowering:
    labels = bnn.tensor_type(op.input).get_shape()[1]
    return lambda fold: (hw.LabelSelectSpec(labels, fold["pe"], stream.bits,
                                            index_bits(labels)),)


LOWERINGS: dict[type[Operation], Callable[..., Lowering]] = {
    bnn.Conv2dOp: lower_conv,
    bnn.DenseOp: lower_dense,
    bnn.MaxPoolOp: lower_pool,
    bnn.PadOp: lower_pad,
    bnn.ThresholdOp: lower_threshold,
    bnn.ArgMaxOp: lower_arg_max,
}
"""The lowering of each layer kind (bnnir/analysis/hardware.py LAYER_OPS)."""


def lowering(op: Operation, stream: StreamIn) -> Lowering:
    """The lowering of a layer reading `stream`: from a folding to its kernels."""
    return LOWERINGS[type(op)](op, stream)


# ===----------------------------------------------------------------------=== #
# Foldings and streams
# ===----------------------------------------------------------------------=== #


def folding_space(op: Operation) -> list[dict[str, int]]:
    """Every folding of a layer whose parameters divide what they fold (PE the output channels,
    SIMD the columns, window SIMD the input channels), in a fixed order."""
    match op:
        case bnn.Conv2dOp():
            w_shape = bnn.tensor_type(op.weights).get_shape()
            matrix = itertools.product(divisors(w_shape[0]), divisors(math.prod(w_shape[1:])))
            pairs = list(matrix)
            return [{"pe": pe, "simd": simd, "window_simd": ws}
                    for ws in divisors(w_shape[1]) for pe, simd in pairs]
        case bnn.DenseOp():
            w_shape = bnn.tensor_type(op.weights).get_shape()
            return [{"pe": pe, "simd": simd} for pe, simd in
                    itertools.product(divisors(w_shape[0]), divisors(w_shape[1]))]
        case bnn.MaxPoolOp():
            return [{}]
        case bnn.PadOp():
            return [{"simd": s} for s in divisors(bnn.tensor_type(op.output).get_shape()[1])]
        case bnn.ThresholdOp():
            return [{"pe": pe} for pe in divisors(bnn.tensor_type(op.input).get_shape()[1])]
        case bnn.ArgMaxOp():
            return [{"pe": pe} for pe in divisors(bnn.tensor_type(op.input).get_shape()[1])]
    raise TypeError(f"{op.name} is not a hardware layer")


def stream_after(op: Operation) -> StreamIn:
    """The stream a layer writes."""
    out = bnn.tensor_type(op.results[0])
    elements = math.prod(out.get_shape()[1:])
    if isinstance(op, bnn.Conv2dOp | bnn.DenseOp):
        return StreamIn(matrix_output_bits(op), elements)
    if isinstance(op, bnn.ArgMaxOp):
        return StreamIn(index_bits(bnn.tensor_type(op.input).get_shape()[1]), elements)
    return StreamIn(element_bits(out.element_type), elements)
