"""bnn-to-hwstream: the streaming conversion of a folded bnn network into a hwstream design.

The hardware part of `@main` (bnnir/analysis/hardware.py: its layers from the first on: convs,
dense layers, pools, pads, integer thresholds, label select, up to the first float op, exactly
the layers bnn-fold folded) becomes one `hwstream.design`;
`@main` keeps the host side (a float input binarization before it, an output affine and what
follows it after) around a `hwstream.instance`.
Each layer becomes the kernels its folding (the `fold` attributes of bnn-fold) chose: one op per
kernel spec of the folded choice, the very specs bnn-fold costed (bnnir/analysis/lowering.py);
this pass adds the tables (weights, thresholds, offsets) a spec does not hold:

* a conv: pad (when it pads), window, a width converter when the window's SIMD differs from the
  MVTU's, and the MVTU. Its weight rows are reordered to the window's (ky, kx, c) column order;
* a dense layer after a flatten: its columns are permuted from the bnn dialect's (c, h, w)
  order to the stream's (h, w, c) order, and so are the rows of thresholds between them
  (bnnir/analysis/hardware.py keeps other readers of a flattened map on the host);
* thresholds: a channel compared with ≤ gets its weight row negated (and its thresholds
  negated), so hardware only compares with ≥; the border-class correction of exact padding is
  folded into one threshold table per class; with a bipolar input the accumulator counts
  matching bits P = (d + MW) / 2, so thresholds become ceil((t + MW) / 2), clamped to 0..MW + 1;
* a conv without thresholds keeps its border-class correction as the MVTU's per-class
  `offsets`, added to each row's dot product.

One width converter is inserted wherever a producer's lanes per word differ from its
consumer's (any two lane counts: it is a gearbox, never slower than the slower side). No stream
word is wider than cost_model.MAX_STREAM_BITS (else the pass fails naming the layer).
Afterwards the module computes exactly what it computed before (the stream interpreter runs it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from bnnir.analysis.cost_model import MAX_STREAM_BITS
from bnnir.analysis.folding import folded_choice, hardware_layers
from bnnir.analysis.hardware import (
    element_bits,
    hardware_run,
    layer_name,
    main_function,
)
from bnnir.analysis.lowering import StreamIn, converter
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_from_numpy, dense_to_numpy, is_bipolar, si32


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(int(value), hw.i64)


# ===----------------------------------------------------------------------=== #
# Matrix-vector-threshold tables
# ===----------------------------------------------------------------------=== #


def hlslib_weights(weights: np.ndarray, pe: int, simd: int, bits: int = 1) -> np.ndarray:
    """Weights [MH, MW] as finn-hlslib's memory: [PE, NF·SF, ceil(SIMD·N/8)] bytes, lane j of a
    word at bits [j·N, (j + 1)·N): ±1 as one bit (N = 1, 1 = +1), else N-bit two's complement."""
    rows, columns = weights.shape
    nf, sf = rows // pe, columns // simd
    if bits == 1:
        lanes = (weights > 0)[..., None]
    else:
        pattern = weights.astype(np.int64) & ((1 << bits) - 1)
        lanes = (pattern[..., None] >> np.arange(bits)) & 1
    words = lanes.reshape(nf, pe, sf, simd * bits).transpose(1, 0, 2, 3)
    return np.packbits(words.reshape(pe, nf * sf, simd * bits).astype(np.uint8), axis=2,
                       bitorder="little")


def hlslib_thresholds(table: np.ndarray, pe: int) -> np.ndarray:
    """Per-row thresholds [classes, MH, T] as [classes, PE, NF, T]."""
    classes, rows, steps = table.shape
    return table.reshape(classes, rows // pe, pe, steps).transpose(0, 2, 1, 3)


def bipolar_bit_thresholds(table: np.ndarray, descending: Sequence[int]) -> np.ndarray:
    """Thresholds [C, T] on bipolar values v = 2b − 1 as thresholds on their bits b:
    v >= t  <=>  b >= ceil((t + 1) / 2), and v <= t  <=>  b <= floor((t + 1) / 2)."""
    rising = np.clip(-(-(table + 1) // 2), 0, 2)
    falling = np.clip((table + 1) // 2, -1, 1)
    is_falling = np.zeros((len(table), 1), bool)
    is_falling[list(descending)] = True
    return np.where(is_falling, falling, rising)


@dataclass(frozen=True)
class MatrixTables:
    weights: np.ndarray  # ±1 or integers [MH, MW], falling rows negated
    thresholds: np.ndarray | None  # [classes, MH, T] in the accumulator's domain
    offsets: np.ndarray | None = None  # [classes, MH] added to the dot product (no thresholds)


def layer_tables(op: bnn.Conv2dOp | bnn.DenseOp, weights: np.ndarray, xnor: bool) -> MatrixTables:
    """Weights and thresholds for hardware that compares with >= only; a layer without
    thresholds keeps its border correction as per-class offsets."""
    rows, columns = weights.shape
    sign = np.ones(rows, np.int64)
    sign[list(op.descending_channels)] = -1
    weights = weights * sign[:, None].astype(weights.dtype)
    correction = None
    if isinstance(op, bnn.Conv2dOp) and op.correction is not None:
        correction = dense_to_numpy(op.correction).reshape(-1, rows).astype(np.int64)
    if op.thresholds is None:
        return MatrixTables(weights, None, correction)
    t = np.broadcast_to(dense_to_numpy(op.thresholds).astype(np.int64),
                        (rows, op.thresholds.get_shape()[1])).copy()
    falling = sign < 0
    t[falling] = -t[falling][:, ::-1]
    if correction is None:
        correction = np.zeros((1, rows), np.int64)
    table = t[None, :, :] - (correction * sign[None, :])[:, :, None]
    if xnor:  # popcount domain: 2P − MW >= t  <=>  P >= ceil((t + MW) / 2)
        table = np.clip(-((-(table + columns)) // 2), 0, columns + 1)
    return MatrixTables(weights, table)


# ===----------------------------------------------------------------------=== #
# The converter
# ===----------------------------------------------------------------------=== #


@dataclass
class Stream:
    """The current stream: its value, word layout and the shape of what it carries."""

    value: SSAValue | None
    lanes: int
    bits: int
    elements: int  # per frame
    map_shape: tuple[int, int, int] | None = None  # (H, W, C) of an NHWC feature map
    flattened_from: tuple[int, int, int] | None = None  # (C, H, W) before a flatten


@dataclass
class Converter:
    """Builds the design's block layer by layer, keeping the stream the next layer reads. Each
    layer becomes the kernels of the specs its folded choice holds (the lowering's, which
    bnn-fold costed), one op per spec."""

    block: Block
    stream: Stream
    specs: dict[Operation, tuple[hw.KernelSpec, ...]]  # each layer's kernels
    input_lanes: int | None = None
    layer: str = ""

    def add(self, op: hw.KernelOp) -> SSAValue:
        if self.layer:
            op.attributes["layer"] = StringAttr(self.layer)
        self._check_width(op.name, hw.stream_width(op.output))
        self.block.add_op(op)
        return op.output

    def _check_width(self, what: str, width: int) -> None:
        if width > MAX_STREAM_BITS:
            raise BnnirError("bnn-to-hwstream", f"layer '{self.layer}': {what} needs "
                             f"{width}-bit stream words, wider than the {MAX_STREAM_BITS} bits "
                             "Vitis HLS allows; fold it with a smaller PE or SIMD")

    def emit(self, op: hw.KernelOp, spec: hw.KernelSpec) -> None:
        """Append a kernel built from `spec`; it becomes the current stream."""
        assert op.spec == spec, f"{op.name} does not hold its spec: {op.spec} != {spec}"
        s = self.stream
        s.value, s.lanes, s.bits = self.add(op), spec.lanes_out, spec.bits_out
        s.elements = spec.words_out() * spec.lanes_out

    def ensure_lanes(self, lanes: int) -> SSAValue:
        """The current stream at `lanes` per word: the design's input stream for the first
        kernel, else through one width converter when the lanes differ."""
        s = self.stream
        if s.value is None:
            self._check_width("the design's input port", lanes * s.bits)
            self.input_lanes = lanes
            s.value = self.block.insert_arg(hw.StreamType(lanes * s.bits), 0)
            s.lanes = lanes
            return s.value
        dwc = converter(s.lanes, lanes, StreamIn(s.bits, s.elements))
        if dwc is not None:
            self.emit(hw.DwcOp(s.value, dwc), dwc)
        assert s.value is not None
        return s.value

    def kernels(self, op: Operation, weights: np.ndarray | None = None,
                border: tuple[int, ...] | None = None) -> None:
        """The layer's kernels, one per spec: a matrix-vector or threshold unit with the tables
        of `op`, the others from their spec alone."""
        for spec in self.specs[op]:
            source = self.ensure_lanes(spec.lanes_in)
            match spec:
                case hw.MvtuSpec():
                    assert isinstance(op, bnn.Conv2dOp | bnn.DenseOp) and weights is not None
                    kernel: hw.KernelOp = self.mvtu(op, spec, source, weights, border)
                case hw.ThresholdSpec():
                    assert isinstance(op, bnn.ThresholdOp)
                    kernel = self.threshold(op, spec, source)
                case _:
                    kernel = spec.op(source, spec)  # type: ignore[call-arg]
            self.emit(kernel, spec)

    # -- layers ---------------------------------------------------------------

    def conv(self, op: bnn.Conv2dOp) -> None:
        o, oh, ow = bnn.tensor_type(op.output).get_shape()[1:]
        element = bnn.tensor_type(op.input).element_type
        if is_bipolar(element) and any(op.pad_values) and op.pad_value is None:
            raise BnnirError("bnn-to-hwstream", f"layer '{self.layer}': a bipolar map padded "
                             "with zeros has no 1-bit stream encoding (zero is not bipolar); run "
                             "bnn-legalize-padding first")
        weights_op = op.weights.owner
        assert isinstance(weights_op, bnn.ConstantOp)
        weights = weights_op.to_numpy().transpose(0, 2, 3, 1).reshape(o, -1)  # (ky, kx, c)
        border = None
        if op.correction is not None:
            in_h, in_w = bnn.tensor_type(op.input).get_shape()[2:]
            border = (in_h, in_w, *op.kernel_size, *op.stride_values, *op.pad_values)
        self.kernels(op, weights, border)
        self.stream.map_shape = (oh, ow, o)

    def dense(self, op: bnn.DenseOp) -> None:
        weights_op = op.weights.owner
        assert isinstance(weights_op, bnn.ConstantOp)
        weights = weights_op.to_numpy()
        self.kernels(op, weights[:, self.feature_order(weights.shape[1])])
        self.stream.map_shape = None
        self.stream.flattened_from = None

    def feature_order(self, features: int) -> np.ndarray:
        """Which of the `features` of the [N, F] tensor each stream position holds: a flattened
        map streams (h, w, c) where the tensor is (c, h, w); otherwise the identity."""
        if self.stream.flattened_from is None:
            return np.arange(features)
        c, h, w = self.stream.flattened_from
        return np.arange(features).reshape(c, h, w).transpose(1, 2, 0).reshape(-1)

    def mvtu(self, op: bnn.Conv2dOp | bnn.DenseOp, spec: hw.MvtuSpec, source: SSAValue,
             weights: np.ndarray, border: tuple[int, ...] | None) -> hw.MvtuOp:
        pe, simd = spec.pe, spec.simd
        if simd * spec.weight_bits > MAX_STREAM_BITS:
            raise BnnirError("bnn-to-hwstream", f"layer '{self.layer}': its weight words of "
                             f"SIMD {simd} x {spec.weight_bits} bits are wider than the "
                             f"{MAX_STREAM_BITS} bits Vitis HLS allows; fold it with a smaller "
                             "SIMD")
        tables = layer_tables(op, weights, spec.xnor)
        thresholds = offsets = None
        if tables.thresholds is not None:
            table = hlslib_thresholds(tables.thresholds, pe)
            thresholds = dense_from_numpy(table.astype(np.int32), si32)
        elif tables.offsets is not None:
            table = hlslib_thresholds(tables.offsets[:, :, None], pe)[..., 0]
            offsets = dense_from_numpy(table.astype(np.int32), si32)
        return hw.MvtuOp(
            source, spec,
            weights=dense_from_numpy(hlslib_weights(tables.weights, pe, simd,
                                                    spec.weight_bits), IntegerType(8)),
            thresholds=thresholds, offsets=offsets,
            bias=op.bias_value if thresholds is not None else 0, border=border)

    def pool(self, op: bnn.MaxPoolOp) -> None:
        oh, ow = bnn.tensor_type(op.output).get_shape()[2:]
        self.kernels(op)
        self.stream.map_shape = (oh, ow, bnn.tensor_type(op.input).get_shape()[1])

    def pad(self, op: bnn.PadOp) -> None:
        _, c, h, w = bnn.tensor_type(op.output).get_shape()
        self.kernels(op)
        self.stream.map_shape = (h, w, c)

    def threshold(self, op: bnn.ThresholdOp, spec: hw.ThresholdSpec,
                  source: SSAValue) -> hw.ThresholdOp:
        shape = bnn.tensor_type(op.input).get_shape()
        assert op.thresholds is not None
        table = np.broadcast_to(dense_to_numpy(op.thresholds).astype(np.int64),
                                (spec.channels, op.thresholds.get_shape()[1]))
        descending = op.descending_channels
        if len(shape) == 2:  # per feature of a vector, in the stream's order
            order = self.feature_order(spec.channels)
            table = table[order]
            descending = tuple(np.nonzero(np.isin(order, descending))[0].tolist())
        if is_bipolar(bnn.tensor_type(op.input).element_type):
            table = bipolar_bit_thresholds(table, descending)
        thresholds = hlslib_thresholds(table[None].astype(np.int64), spec.pe)[0]
        return hw.ThresholdOp(source, spec,
                              thresholds=dense_from_numpy(thresholds.astype(np.int32),
                                                              si32),
                              bias=op.bias_value, descending=descending)

    def flatten(self, op: bnn.FlattenOp | bnn.ReshapeOp) -> None:
        out_shape = bnn.tensor_type(op.output).get_shape()
        if len(out_shape) != 2:
            raise BnnirError("bnn-to-hwstream", f"{op.name} to {bnn.shape_str(out_shape)}: only "
                             "flattening to [N, features] streams")
        if self.stream.map_shape is not None:
            h, w, c = self.stream.map_shape
            self.stream.flattened_from = (c, h, w)
            self.stream.map_shape = None

    def convert(self, op: Operation, index: int) -> None:
        self.layer = layer_name(op, index)
        match op:
            case bnn.Conv2dOp():
                self.conv(op)
            case bnn.DenseOp():
                self.dense(op)
            case bnn.MaxPoolOp():
                self.pool(op)
            case bnn.PadOp():
                self.pad(op)
            case bnn.ThresholdOp() | bnn.ArgMaxOp():
                self.kernels(op)
            case bnn.FlattenOp() | bnn.ReshapeOp():
                self.flatten(op)
            case bnn.ConstantOp():
                pass
            case _:
                raise BnnirError("bnn-to-hwstream", f"{op.name} between hardware layers has no "
                                 "streaming kernel")


def _start_stream(first: Operation) -> Stream:
    tensor = bnn.tensor_type(first.operands[0])
    shape = tensor.get_shape()
    elements = math.prod(shape[1:])
    map_shape = (shape[2], shape[3], shape[1]) if len(shape) == 4 else None
    return Stream(None, 0, element_bits(tensor.element_type), elements, map_shape)


@dataclass(frozen=True)
class BnnToHwstream(ModulePass):
    """Convert the folded hardware part of @main into a hwstream design (module docstring).

    Arguments:
      design: the design's symbol name (default "accel").
    """

    name = "bnn-to-hwstream"

    design: str = "accel"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not self.design:
            raise BnnirError(self.name, "design must be a symbol name, got an empty one")
        main = main_function(op)
        if main is None:
            raise BnnirError(self.name, "the module has no function to convert")
        part = hardware_run(list(main.body.block.ops))
        if not part:
            raise BnnirError(self.name, "the module has no hardware layers")
        specs = {layer.op: tuple(k.spec for k in folded_choice(layer, self.name).kernels)
                 for layer in hardware_layers(op)}
        first, last = part[0], part[-1]
        block = Block()
        builder = Converter(block, _start_stream(first), specs)
        for index, layer in enumerate(part):
            builder.convert(layer, index)
        block.add_op(hw.YieldOp(builder.stream.value))
        design = hw.DesignOp(self.design, Region(block), self._interface(first, last, builder))
        instance = hw.InstanceOp(self.design, first.operands[0], last.results[0].type)
        main.body.block.insert_op_after(instance, last)
        last.results[0].replace_all_uses_with(instance.output)
        instance.output.name_hint = last.results[0].name_hint
        for dead in reversed(part):
            if all(not r.uses for r in dead.results):
                dead.detach()
                dead.erase()
        _erase_dead_constants(main)
        op.body.block.add_op(design)

    @staticmethod
    def _interface(first: Operation, last: Operation, conv: Converter) -> dict[str, Attribute]:
        in_type = bnn.tensor_type(first.operands[0])
        out_type = bnn.tensor_type(last.results[0])
        assert conv.input_lanes is not None
        return {
            "input_type": TensorType(in_type.element_type, in_type.get_shape()),
            "output_type": TensorType(out_type.element_type, out_type.get_shape()),
            "input_lanes": _int(conv.input_lanes),
            "output_lanes": _int(conv.stream.lanes),
        }


def _erase_dead_constants(main: func.FuncOp) -> None:
    for op in list(main.body.block.ops):
        if isinstance(op, bnn.ConstantOp) and not op.result.uses:
            op.detach()
            op.erase()
