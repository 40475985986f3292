"""The one place the CIRCT backend reads hwstream ops: each kernel op becomes a frozen dataclass
of plain parameters (widths, loop counts, tables as numpy arrays); the kernel generators work on
these only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.ir import SSAValue

from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw

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
    weights: np.ndarray  # [PE, NF·SF] SIMD-bit words as Python ints (object array)
    thresholds: np.ndarray | None  # [classes, PE, NF, T] int64
    bias: int
    offsets: np.ndarray | None  # [classes, PE, NF] int64
    classes: np.ndarray  # the border class of each vector, int64 [OH, OW] (a dense: [1, V])

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


def _map(op: hw.KernelOp) -> MapParams:
    return MapParams(op.prop_int("height"), op.prop_int("width"), op.prop_int("channels"),
                     op.prop_int("simd"), op.prop_int("bits"))


def _weight_words(op: hw.MvtuOp) -> np.ndarray:
    """Each PE's SIMD-bit memory words as integers, lane 0 least significant."""
    packed = bnn.dense_to_numpy(op.weights).view(np.uint8)  # [PE, WMEM, bytes]
    mask = (1 << op.prop_int("simd")) - 1
    words = np.empty(packed.shape[:2], dtype=object)
    for p, a in np.ndindex(*packed.shape[:2]):
        words[p, a] = int.from_bytes(packed[p, a].tobytes(), "little") & mask
    return words


def _border_classes(op: hw.MvtuOp) -> np.ndarray:
    vectors = op.prop_int("vectors")
    if op.border is None:
        return np.zeros((1, vectors), np.int64)
    in_h, in_w, kh, kw, sh, sw, top, left, bottom, right = hw.int_values(op.border)
    dims = bnn.correction_shape((kh, kw), (top, left, bottom, right), 1)[:4]
    out_h = (in_h + top + bottom - kh) // sh + 1
    out_w = vectors // out_h
    th, bh = bnn.border_hits(in_h, out_h, kh, sh, top)
    lh, rh = bnn.border_hits(in_w, out_w, kw, sw, left)
    rows = th * dims[1] + bh
    cols = lh * dims[3] + rh
    return (rows[:, None] * dims[2] * dims[3] + cols[None, :]).astype(np.int64)


def mvtu_params(op: hw.MvtuOp, signed: dict[SSAValue, bool]) -> MvtuParams:
    del signed  # an MVTU says whether its input is signed itself
    thresholds = None if op.thresholds is None else \
        bnn.dense_to_numpy(op.thresholds).astype(np.int64)
    offsets = None if op.offsets is None else bnn.dense_to_numpy(op.offsets).astype(np.int64)
    return MvtuParams(
        op.prop_int("rows"), op.prop_int("columns"), op.prop_int("vectors"), op.prop_int("pe"),
        op.prop_int("simd"), op.bits_in, op.bits_out, op.is_xnor, op.signed_input is not None,
        _weight_words(op), thresholds, op.bias_value, offsets, _border_classes(op))


def threshold_params(op: hw.ThresholdOp, signed: dict[SSAValue, bool]) -> ThresholdParams:
    pe, channels = op.prop_int("pe"), op.prop_int("channels")
    falling = np.zeros(channels, bool)
    if op.descending is not None:
        falling[list(hw.int_values(op.descending))] = True
    return ThresholdParams(
        channels, op.prop_int("pixels"), pe, op.bits_in, op.bits_out, signed[op.input],
        bnn.dense_to_numpy(op.thresholds).astype(np.int64),
        0 if op.bias is None else op.bias.value.data,
        falling.reshape(channels // pe, pe).T)


def params(op: hw.KernelOp, signed: dict[SSAValue, bool]) -> KernelParams:
    """The parameters of a kernel op (`signed`: the design's lane signedness per stream)."""
    match op:
        case hw.PadOp():
            top, left, bottom, right = op.prop_ints("pads")
            return PadParams(_map(op), (top, left, bottom, right), op.prop_int("value"))
        case hw.WindowOp():
            kh, kw = op.prop_ints("kernel")
            sh, sw = op.prop_ints("strides")
            return WindowParams(_map(op), (kh, kw), (sh, sw), op.output_size())
        case hw.PoolOp():
            kh, kw = op.prop_ints("kernel")
            sh, sw = op.prop_ints("strides")
            top, left, bottom, right = op.prop_ints("pads")
            return PoolParams(_map(op), (kh, kw), (sh, sw), (top, left, bottom, right),
                              op.output_size(), signed[op.input])
        case hw.DwcOp():
            return DwcParams(op.lanes_in, op.lanes_out, op.prop_int("bits"), op.words_in())
        case hw.MvtuOp():
            return mvtu_params(op, signed)
        case hw.ThresholdOp():
            return threshold_params(op, signed)
        case hw.LabelSelectOp():
            return LabelSelectParams(op.prop_int("labels"), op.prop_int("pe"),
                                     op.prop_int("bits"), op.prop_int("index_bits"),
                                     signed[op.input])
        case hw.FifoOp():
            return FifoParams(op.prop_int("depth"), op.lanes_in * op.bits_in)
    raise BnnirError(WHERE, f"no RTL kernel for '{op.name}'")
