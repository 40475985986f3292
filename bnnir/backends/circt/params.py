"""The one place the CIRCT backend reads hwstream ops: each kernel op becomes a frozen dataclass
of plain parameters (widths, loop counts, tables as numpy arrays); the kernel generators work on
these only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.ir import SSAValue

from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_to_numpy
from bnnir.interp.hwstream import border_classes

WHERE = "--emit-circt"


@dataclass(frozen=True, eq=False)
class MapParams:
    """An H × W × C map streamed `simd` channels per word, `bits` per lane."""

    height: int
    width: int
    channels: int
    simd: int
    bits: int

    @property
    def folds(self) -> int:
        return self.channels // self.simd

    @property
    def word_bits(self) -> int:
        return self.simd * self.bits


@dataclass(frozen=True, eq=False)
class PadParams:
    map: MapParams
    pads: tuple[int, int, int, int]  # top, left, bottom, right
    value: int


@dataclass(frozen=True, eq=False)
class WindowParams:
    map: MapParams
    kernel: tuple[int, int]
    strides: tuple[int, int]
    output: tuple[int, int]


@dataclass(frozen=True, eq=False)
class PoolParams:
    map: MapParams
    kernel: tuple[int, int]
    strides: tuple[int, int]
    pads: tuple[int, int, int, int]
    output: tuple[int, int]
    signed: bool


@dataclass(frozen=True, eq=False)
class DwcParams:
    in_lanes: int
    out_lanes: int
    bits: int
    words: int


@dataclass(frozen=True, eq=False)
class MvtuParams:
    rows: int
    columns: int
    vectors: int
    pe: int
    simd: int
    input_bits: int
    output_bits: int
    xnor: bool
    signed_input: bool
    weights: np.ndarray  # [PE, NF·SF] SIMD·weight_bits-bit words as Python ints (object array)
    thresholds: np.ndarray | None  # [classes, PE, NF, T] int64
    bias: int
    offsets: np.ndarray | None  # [classes, PE, NF] int64
    classes: np.ndarray  # the border class of each vector, int64 [OH, OW] (a dense: [1, V])
    weight_bits: int = 1  # 1: bipolar; else signed two's complement lanes
    bipolar_input: bool = False  # integer weights on bipolar input bits

    @property
    def word_bits(self) -> int:
        """Bits of a weight word: SIMD lanes of weight_bits."""
        return self.simd * self.weight_bits

    @property
    def nf(self) -> int:
        return self.rows // self.pe

    @property
    def sf(self) -> int:
        return self.columns // self.simd


@dataclass(frozen=True, eq=False)
class ThresholdParams:
    channels: int
    pixels: int
    pe: int
    input_bits: int
    output_bits: int
    signed_input: bool
    thresholds: np.ndarray  # [PE, NF, T] int64
    bias: int
    falling: np.ndarray  # [PE, NF] bool

    @property
    def nf(self) -> int:
        return self.channels // self.pe


@dataclass(frozen=True, eq=False)
class LabelSelectParams:
    labels: int
    pe: int
    bits: int
    index_bits: int
    signed: bool


@dataclass(frozen=True, eq=False)
class FifoParams:
    depth: int
    word_bits: int


KernelParams = (PadParams | WindowParams | PoolParams | DwcParams | MvtuParams | ThresholdParams
                | LabelSelectParams | FifoParams)


def _map(spec: hw.PadSpec | hw.WindowSpec | hw.PoolSpec) -> MapParams:
    return MapParams(spec.height, spec.width, spec.channels, spec.simd, spec.bits)


def _weight_words(op: hw.MvtuOp) -> np.ndarray:
    """Each PE's SIMD·weight_bits-bit memory words as integers, lane 0 least significant."""
    packed = dense_to_numpy(op.weights).view(np.uint8)  # [PE, WMEM, bytes]
    mask = (1 << op.spec.simd * op.spec.weight_bits) - 1
    words = np.empty(packed.shape[:2], dtype=object)
    for p, a in np.ndindex(*packed.shape[:2]):
        words[p, a] = int.from_bytes(packed[p, a].tobytes(), "little") & mask
    return words


def _border_classes(op: hw.MvtuOp) -> np.ndarray:
    """The border class of each vector as [output rows, output columns] ([1, vectors] without
    `border`): the stream interpreter's classes, by output pixel."""
    classes = border_classes(op)
    if op.border is None:
        return classes.reshape(1, -1)
    in_h, _, kh, _, sh, _, top, _, bottom, _ = hw.int_values(op.border)
    return classes.reshape((in_h + top + bottom - kh) // sh + 1, -1)


def mvtu_params(op: hw.MvtuOp, signed: dict[SSAValue, bool]) -> MvtuParams:
    del signed  # an MVTU says whether its input is signed itself
    thresholds = None if op.thresholds is None else \
        dense_to_numpy(op.thresholds).astype(np.int64)
    offsets = None if op.offsets is None else dense_to_numpy(op.offsets).astype(np.int64)
    spec = op.spec
    return MvtuParams(
        spec.rows, spec.columns, spec.vectors, spec.pe, spec.simd, spec.input_bits,
        spec.output_bits, spec.xnor, spec.signed_input,
        _weight_words(op), thresholds, op.bias_value, offsets, _border_classes(op),
        spec.weight_bits, spec.bipolar_input)


def threshold_params(op: hw.ThresholdOp, signed: dict[SSAValue, bool]) -> ThresholdParams:
    spec = op.spec
    pe, channels = spec.pe, spec.channels
    falling = np.zeros(channels, bool)
    if op.descending is not None:
        falling[list(hw.int_values(op.descending))] = True
    return ThresholdParams(
        channels, spec.pixels, pe, spec.input_bits, spec.output_bits, signed[op.input],
        dense_to_numpy(op.thresholds).astype(np.int64),
        0 if op.bias is None else op.bias.value.data,
        falling.reshape(channels // pe, pe).T)


def _two(values: tuple[int, ...]) -> tuple[int, int]:
    first, second = values
    return first, second


def _four(values: tuple[int, ...]) -> tuple[int, int, int, int]:
    top, left, bottom, right = values
    return top, left, bottom, right


def params(op: hw.KernelOp, signed: dict[SSAValue, bool]) -> KernelParams:
    """The parameters of a kernel op (`signed`: the design's lane signedness per stream)."""
    match op:
        case hw.PadOp(spec=spec):
            return PadParams(_map(spec), _four(spec.pads), spec.value)
        case hw.WindowOp(spec=spec):
            return WindowParams(_map(spec), _two(spec.kernel), _two(spec.strides),
                                spec.output_size())
        case hw.PoolOp(spec=spec):
            return PoolParams(_map(spec), _two(spec.kernel), _two(spec.strides), _four(spec.pads),
                              spec.output_size(), signed[op.input])
        case hw.DwcOp(spec=spec):
            return DwcParams(spec.in_lanes, spec.out_lanes, spec.bits, spec.words)
        case hw.MvtuOp():
            return mvtu_params(op, signed)
        case hw.ThresholdOp():
            return threshold_params(op, signed)
        case hw.LabelSelectOp(spec=spec):
            return LabelSelectParams(spec.labels, spec.pe, spec.bits, spec.index_bits,
                                     signed[op.input])
        case hw.FifoOp(spec=spec):
            return FifoParams(spec.depth, spec.lanes * spec.bits)
    raise BnnirError(WHERE, f"no RTL kernel for '{op.name}'")
