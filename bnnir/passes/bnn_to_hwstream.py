"""bnn-to-hwstream: the streaming conversion of a folded bnn network into a hwstream design.

The hardware part of `@main` (bnnir/analysis/hardware.py: its layers from the first on: convs,
dense layers, pools, pads, integer thresholds, label select, up to the first float op, exactly
the layers bnn-fold folded) becomes one `hwstream.design`;
`@main` keeps the host side (a float input binarization before it, an output affine and what
follows it after) around a `hwstream.instance`.
Each layer becomes the kernels its folding (the `fold` attributes of bnn-fold) chose:

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
    Signedness,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from bnnir.analysis.cost_model import ACCUMULATOR_BITS, MAX_STREAM_BITS
from bnnir.analysis.folding import folded_choice, hardware_layers
from bnnir.analysis.hardware import (
    element_bits,
    hardware_run,
    index_bits,
    layer_name,
    main_function,
)
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(int(value), hw.i64)


def _lane_value(value: int, bits: int) -> int:
    """A pad value as a lane holds it: bipolar ±1 as its bit."""
    return (1 if value > 0 else 0) if bits == 1 else value


# ===----------------------------------------------------------------------=== #
# Matrix-vector-threshold tables
# ===----------------------------------------------------------------------=== #


def hlslib_weights(weights: np.ndarray, pe: int, simd: int) -> np.ndarray:
    """±1 weights [MH, MW] as finn-hlslib's memory: [PE, NF·SF, ceil(SIMD/8)] bytes."""
    rows, columns = weights.shape
    nf, sf = rows // pe, columns // simd
    bits = (weights > 0).reshape(nf, pe, sf, simd).transpose(1, 0, 2, 3)
    return np.packbits(bits.reshape(pe, nf * sf, simd), axis=2, bitorder="little")


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
    weights: np.ndarray  # ±1 [MH, MW], falling rows negated
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
        correction = bnn.dense_to_numpy(op.correction).reshape(-1, rows).astype(np.int64)
    if op.thresholds is None:
        return MatrixTables(weights, None, correction)
    t = np.broadcast_to(bnn.dense_to_numpy(op.thresholds).astype(np.int64),
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
    """Builds the design's block layer by layer, keeping the stream the next layer reads."""

    block: Block
    stream: Stream
    folds: dict[Operation, dict[str, int]]  # each layer's folding parameters
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
        if lanes != s.lanes:
            dwc = hw.DwcOp.create(
                operands=[s.value], result_types=[hw.StreamType(lanes * s.bits)],
                properties={"in_lanes": _int(s.lanes), "out_lanes": _int(lanes),
                            "bits": _int(s.bits), "words": _int(s.elements // s.lanes)})
            s.value, s.lanes = self.add(dwc), lanes
        return s.value

    def kernel(self, cls: type[hw.KernelOp], lanes_in: int, lanes_out: int, bits_out: int,
               **props: Attribute) -> SSAValue:
        source = self.ensure_lanes(lanes_in)
        op = cls.create(operands=[source], result_types=[hw.StreamType(lanes_out * bits_out)],
                        properties=props)
        self.stream.value, self.stream.lanes, self.stream.bits = self.add(op), lanes_out, bits_out
        return op.output

    # -- layers ---------------------------------------------------------------

    def conv(self, op: bnn.Conv2dOp) -> None:
        fold = self.folds[op]
        _, c, h, w = bnn.tensor_type(op.input).get_shape()
        o, oh, ow = bnn.tensor_type(op.output).get_shape()[1:]
        (kh, kw), pads = op.kernel_size, op.pad_values
        bits, ws = self.stream.bits, fold["window_simd"]
        if any(pads):
            self.kernel(hw.PadOp, ws, ws, bits, channels=_int(c), height=_int(h),
                        width=_int(w), simd=_int(ws), bits=_int(bits), pads=hw.i64_array(pads),
                        value=_int(_lane_value(op.padding_value, bits)))
            h, w = h + pads[0] + pads[2], w + pads[1] + pads[3]
            self.stream.elements = h * w * c
        self.kernel(hw.WindowOp, ws, ws, bits, channels=_int(c), height=_int(h), width=_int(w),
                    simd=_int(ws), bits=_int(bits), kernel=hw.i64_array((kh, kw)),
                    strides=hw.i64_array(op.stride_values))
        self.stream.elements = oh * ow * kh * kw * c
        weights_op = op.weights.owner
        assert isinstance(weights_op, bnn.ConstantOp)
        weights = weights_op.to_numpy().transpose(0, 2, 3, 1).reshape(o, -1)  # (ky, kx, c)
        border = None
        if op.correction is not None:
            in_h, in_w = bnn.tensor_type(op.input).get_shape()[2:]
            border = (in_h, in_w, kh, kw, *op.stride_values, *pads)
        self.matrix(op, weights, fold, oh * ow, border)
        self.stream.map_shape = (oh, ow, o)

    def dense(self, op: bnn.DenseOp) -> None:
        fold = self.folds[op]
        weights_op = op.weights.owner
        assert isinstance(weights_op, bnn.ConstantOp)
        weights = weights_op.to_numpy()
        weights = weights[:, self.feature_order(weights.shape[1])]
        self.matrix(op, weights, fold, 1, None)
        self.stream.map_shape = None
        self.stream.flattened_from = None

    def feature_order(self, features: int) -> np.ndarray:
        """Which of the `features` of the [N, F] tensor each stream position holds: a flattened
        map streams (h, w, c) where the tensor is (c, h, w); otherwise the identity."""
        if self.stream.flattened_from is None:
            return np.arange(features)
        c, h, w = self.stream.flattened_from
        return np.arange(features).reshape(c, h, w).transpose(1, 2, 0).reshape(-1)

    def matrix(self, op: bnn.Conv2dOp | bnn.DenseOp, weights: np.ndarray, fold: dict[str, int],
               vectors: int, border: tuple[int, ...] | None) -> None:
        pe, simd = fold["pe"], fold["simd"]
        in_element = bnn.tensor_type(op.input).element_type
        xnor = bnn.is_bipolar(in_element)
        tables = layer_tables(op, weights, xnor)
        out_element = bnn.tensor_type(op.output).element_type
        rows, columns = tables.weights.shape
        props: dict[str, Attribute] = {
            "rows": _int(rows), "columns": _int(columns), "vectors": _int(vectors),
            "pe": _int(pe), "simd": _int(simd), "input_bits": _int(self.stream.bits),
            "weights": bnn.dense_from_numpy(hlslib_weights(tables.weights, pe, simd),
                                            IntegerType(8)),
        }
        if xnor:
            props["xnor"] = _int(1)
        if isinstance(in_element, IntegerType) and in_element.signedness.data == \
                Signedness.SIGNED:
            props["signed_input"] = _int(1)
        if tables.thresholds is None:
            out_bits = ACCUMULATOR_BITS
            if tables.offsets is not None:
                table = hlslib_thresholds(tables.offsets[:, :, None], pe)[..., 0]
                props["offsets"] = bnn.dense_from_numpy(table.astype(np.int32), bnn.si32)
        else:
            out_bits = element_bits(out_element)
            table = hlslib_thresholds(tables.thresholds, pe)
            props["thresholds"] = bnn.dense_from_numpy(table.astype(np.int32), bnn.si32)
            if op.bias_value:
                props["bias"] = _int(op.bias_value)
        if border is not None:
            props["border"] = hw.i64_array(border)
        props["output_bits"] = _int(out_bits)
        self.kernel(hw.MvtuOp, simd, pe, out_bits, **props)
        self.stream.elements = vectors * rows

    def pool(self, op: bnn.MaxPoolOp) -> None:
        _, c, h, w = bnn.tensor_type(op.input).get_shape()
        oh, ow = bnn.tensor_type(op.output).get_shape()[2:]
        bits = self.stream.bits
        self.kernel(hw.PoolOp, c, c, bits, channels=_int(c), height=_int(h), width=_int(w),
                    simd=_int(c), bits=_int(bits), kernel=hw.i64_array(op.kernel_values),
                    strides=hw.i64_array(op.stride_values), pads=hw.i64_array(op.pad_values))
        self.stream.elements, self.stream.map_shape = oh * ow * c, (oh, ow, c)

    def pad(self, op: bnn.PadOp) -> None:
        simd = self.folds[op]["simd"]
        _, c, h, w = bnn.tensor_type(op.input).get_shape()
        bits, pads = self.stream.bits, op.pad_values
        self.kernel(hw.PadOp, simd, simd, bits, channels=_int(c), height=_int(h), width=_int(w),
                    simd=_int(simd), bits=_int(bits), pads=hw.i64_array(pads),
                    value=_int(_lane_value(op.value.value.data, bits)))
        h, w = h + pads[0] + pads[2], w + pads[1] + pads[3]
        self.stream.elements, self.stream.map_shape = h * w * c, (h, w, c)

    def threshold(self, op: bnn.ThresholdOp) -> None:
        pe = self.folds[op]["pe"]
        shape = bnn.tensor_type(op.input).get_shape()
        channels, pixels = shape[1], math.prod(shape[2:])
        assert op.thresholds is not None
        table = np.broadcast_to(bnn.dense_to_numpy(op.thresholds).astype(np.int64),
                                (channels, op.thresholds.get_shape()[1]))
        descending = op.descending_channels
        if len(shape) == 2:  # per feature of a vector, in the stream's order
            order = self.feature_order(channels)
            table = table[order]
            descending = tuple(np.nonzero(np.isin(order, descending))[0].tolist())
        if bnn.is_bipolar(bnn.tensor_type(op.input).element_type):
            table = bipolar_bit_thresholds(table, descending)
        props: dict[str, Attribute] = {
            "channels": _int(channels), "pixels": _int(pixels), "pe": _int(pe),
            "input_bits": _int(self.stream.bits),
            "thresholds": bnn.dense_from_numpy(
                hlslib_thresholds(table[None].astype(np.int64), pe)[0].astype(np.int32),
                bnn.si32),
        }
        out_bits = element_bits(bnn.tensor_type(op.output).element_type)
        props["output_bits"] = _int(out_bits)
        if op.bias_value:
            props["bias"] = _int(op.bias_value)
        if descending:
            props["descending"] = hw.i64_array(descending)
        self.kernel(hw.ThresholdOp, pe, pe, out_bits, **props)

    def label_select(self, op: bnn.ArgMaxOp) -> None:
        pe = self.folds[op]["pe"]
        labels = bnn.tensor_type(op.input).get_shape()[1]
        bits = index_bits(labels)
        self.kernel(hw.LabelSelectOp, pe, 1, bits, labels=_int(labels), pe=_int(pe),
                    bits=_int(self.stream.bits), index_bits=_int(bits))
        self.stream.elements = 1

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
            case bnn.ThresholdOp():
                self.threshold(op)
            case bnn.ArgMaxOp():
                self.label_select(op)
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
        folds = {layer.op: folded_choice(layer, self.name).params
                 for layer in hardware_layers(op)}
        first, last = part[0], part[-1]
        block = Block()
        converter = Converter(block, _start_stream(first), folds)
        for index, layer in enumerate(part):
            converter.convert(layer, index)
        block.add_op(hw.YieldOp(converter.stream.value))
        design = hw.DesignOp(self.design, Region(block), self._interface(first, last, converter))
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
