"""The stream interpreter: runs a hwstream design kernel by kernel, each on whole arrays.

A stream is an array [N, words, lanes] of lane values (bipolar lanes are bits 0/1): exactly the
words the hardware moves, frame by frame. Each kernel computes its op's docstring on the whole
batch at once: a kernel's semantics are the bnn layer's plus a layout, so the matrix unit runs
the bnn interpreter's XNOR-popcount and BLAS kernels (bnnir/interp/bnn.py) on its input vectors.
Streams keep their values' dtype (bits in int8), so a sliding window copies bytes, not int64s.
`hwstream.instance` converts the host tensor into the design's input stream, runs the design's
body with one `@impl` per kernel, and converts its output stream back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.traits import SymbolTable

from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_to_numpy, is_bipolar, numpy_dtype
from bnnir.dialects.sliding_window import border_hits, correction_shape
from bnnir.interp.bnn import (
    count_thresholds,
    integer_dot,
    multibit_dot,
    pack_rows,
    pack_taps,
    window_columns,
    xnor_popcount_columns,
)

Words = np.ndarray


def _as_words(values: np.ndarray, lanes: int) -> Words:
    return values.reshape(values.shape[0], -1, lanes)


def _lane_dtype(bits: int) -> type[np.signedinteger]:
    """The smallest signed dtype holding `bits`-bit lanes, signed or unsigned."""
    for dtype in (np.int8, np.int16, np.int32):
        if bits < np.iinfo(dtype).bits:
            return dtype
    return np.int64


# ===----------------------------------------------------------------------=== #
# Kernels: each reads its op's parameters first, then computes on whole arrays
# ===----------------------------------------------------------------------=== #


def run_pad(op: hw.PadOp, words: Words) -> Words:
    spec = op.spec
    height, width, channels = spec.height, spec.width, spec.channels
    top, left, bottom, right = spec.pads
    value, lanes = spec.value, op.lanes_out
    fmap = words.reshape(len(words), height, width, channels)
    padded = np.pad(fmap, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)
    return _as_words(padded, lanes)


def run_window(op: hw.WindowOp, words: Words) -> Words:
    spec = op.spec
    height, width, channels = spec.height, spec.width, spec.channels
    (kh, kw), (sh, sw) = spec.kernel, spec.strides
    lanes = op.lanes_out
    fmap = words.reshape(len(words), height, width, channels)
    windows = np.lib.stride_tricks.sliding_window_view(fmap, (kh, kw), axis=(1, 2))
    windows = windows[:, ::sh, ::sw]  # [N, OH, OW, C, KH, KW]
    return _as_words(np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)), lanes)


@dataclass(frozen=True)
class PackedWindows:
    """A bit window's output on its way to an XNOR matrix unit, not spelled out lane by lane:
    each pixel's channels packed in 64-bit words once, the windows gathered over words
    (`window_columns`, as the bnn level's convs): columns [KH·KW·words, N·OH·OW]. The same
    vectors as `run_window`'s words, without its KH·KW-fold expansion of bytes; the stream
    interpreter passes it only from a window through FIFOs and width converters to an XNOR
    unit (`feeds_xnor_unit`)."""

    columns: np.ndarray
    frames: int
    channels: int


def run_window_packed(op: hw.WindowOp, words: Words) -> PackedWindows:
    spec = op.spec
    frames, height, width, channels = len(words), spec.height, spec.width, spec.channels
    bits = words.reshape(frames * height * width, channels)
    pixels = pack_rows(bits).T.reshape(-1, frames, height, width)  # [words, N, H, W], a view
    columns, _ = window_columns(pixels, spec.kernel, spec.strides)
    return PackedWindows(columns, frames, channels)


def feeds_xnor_unit(op: hw.WindowOp) -> bool:
    """Whether a 1-bit window's only consumer, through FIFOs and width converters (which
    regroup lanes, the vectors' values unchanged), is an XNOR matrix unit."""
    if op.spec.bits != 1:
        return False
    value = op.results[0]
    while len(uses := list(value.uses)) == 1:
        user = uses[0].operation
        if not isinstance(user, hw.FifoOp | hw.DwcOp):
            return isinstance(user, hw.MvtuOp) and user.is_xnor
        value = user.results[0]
    return False


def run_pool(op: hw.PoolOp, words: Words) -> Words:
    spec = op.spec
    height, width, channels = spec.height, spec.width, spec.channels
    (kh, kw), (sh, sw) = spec.kernel, spec.strides
    top, left, bottom, right = spec.pads
    lanes = op.lanes_out
    fmap = words.reshape(len(words), height, width, channels)
    lowest = np.iinfo(words.dtype).min  # padded taps never win
    padded = np.pad(fmap, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=lowest)
    oh, ow = (padded.shape[1] - kh) // sh + 1, (padded.shape[2] - kw) // sw + 1
    result = None
    for ky in range(kh):
        for kx in range(kw):
            tap = padded[:, ky : ky + sh * (oh - 1) + 1 : sh, kx : kx + sw * (ow - 1) + 1 : sw]
            result = tap.copy() if result is None else np.maximum(result, tap, out=result)
    assert result is not None
    return _as_words(result, lanes)


def run_dwc(op: hw.DwcOp, words: Words) -> Words:
    return _as_words(words, op.lanes_out)


def decode_weights(op: hw.MvtuOp) -> np.ndarray:
    """The weight matrix [MH, MW] (int8: ±1, or N-bit integers) held in finn-hlslib's layout,
    lane j of a word at bits [j·N, (j + 1)·N)."""
    spec = op.spec
    pe, simd, rows, columns, n = spec.pe, spec.simd, spec.rows, spec.columns, spec.weight_bits
    packed = dense_to_numpy(op.weights).view(np.uint8)
    bits = np.unpackbits(packed, axis=2, count=simd * n, bitorder="little")
    nf, sf = rows // pe, columns // simd
    lanes = bits.reshape(pe, nf, sf, simd, n).transpose(1, 0, 2, 3, 4).reshape(rows, columns, n)
    if n == 1:
        return lanes[..., 0].astype(np.int8) * 2 - 1
    place = np.left_shift(1, np.arange(n, dtype=np.int16))
    place[-1] = -place[-1]  # two's complement: the top bit weighs −2^(N−1)
    return (lanes.astype(np.int16) @ place).astype(np.int8)


def border_classes(op: hw.MvtuOp) -> np.ndarray:
    """The border class of each of the unit's vectors (0 everywhere without `border`)."""
    vectors = op.spec.vectors
    if op.border is None:
        return np.zeros(vectors, np.int64)
    in_h, in_w, kh, kw, sh, sw, top, left, bottom, right = hw.int_values(op.border)
    dims = correction_shape((kh, kw), (top, left, bottom, right), 1)[:4]
    out_h = (in_h + top + bottom - kh) // sh + 1
    out_w = vectors // out_h
    th, bh = border_hits(in_h, out_h, kh, sh, top)
    lh, rh = border_hits(in_w, out_w, kw, sw, left)
    rows = th * dims[1] + bh
    cols = lh * dims[3] + rh
    return (rows[:, None] * dims[2] * dims[3] + cols[None, :]).reshape(-1)


class MvtuTables:
    """What an MVTU reads from its properties, decoded once per run: the weights (±1, and
    packed for XNOR-popcount), the border class per vector, and the threshold or offset table
    of each vector (by its border class; one for all vectors without classes), rows in row
    order. An XNOR unit's thresholds t on the popcount P are stored as thresholds 2t − MW on the
    dot product 2P − MW (P ≥ t ⇔ 2P − MW ≥ 2t − MW)."""

    def __init__(self, op: hw.MvtuOp) -> None:
        spec = op.spec
        rows, columns = spec.rows, spec.columns
        self.weights = decode_weights(op)
        self.packed = pack_rows(self.weights > 0)
        self._per_tap: dict[int, np.ndarray] = {}
        self._outputs_first: np.ndarray | None = None
        classes = border_classes(op)
        self.thresholds = self.offsets = None
        if op.thresholds is not None:
            table = dense_to_numpy(op.thresholds).astype(np.int64)  # [classes, PE, NF, T]
            table = table.transpose(0, 2, 1, 3).reshape(len(table), rows, -1)
            table = 2 * table - columns if op.is_xnor else table
            self.thresholds = table[classes] if len(table) > 1 else table[0]  # [(V,) MH, T]
        elif op.offsets is not None:
            table = dense_to_numpy(op.offsets).astype(np.int64)  # [classes, PE, NF]
            table = table.transpose(0, 2, 1).reshape(len(table), rows)
            self.offsets = table[classes] if len(table) > 1 else table[0]  # [(V,) MH]


    def thresholds_for(self, dot: np.ndarray) -> np.ndarray:
        """The threshold table in the memory order of the dot products [N, vectors, MH]: a
        per-vector table [V, MH, T] with the vectors innermost when the dot products come
        outputs first, so each comparison pass runs along both."""
        assert self.thresholds is not None
        if self.thresholds.ndim < 3 or dot.strides[2] <= dot.strides[1]:
            return self.thresholds
        if self._outputs_first is None:
            self._outputs_first = np.ascontiguousarray(self.thresholds.transpose(2, 1, 0)
                                                       ).transpose(2, 1, 0)
        return self._outputs_first

    def per_tap(self, channels: int) -> np.ndarray:
        """The weights packed as `PackedWindows` columns of `channels` channels a tap."""
        if channels not in self._per_tap:
            self._per_tap[channels] = pack_taps(self.weights.reshape(len(self.weights), -1,
                                                                     channels))
        return self._per_tap[channels]


def run_mvtu(op: hw.MvtuOp, words: Words | PackedWindows, tables: MvtuTables) -> Words:
    spec = op.spec
    rows, columns, vectors = spec.rows, spec.columns, spec.vectors
    if isinstance(words, PackedWindows):
        n = words.frames
        dot = xnor_popcount_columns(words.columns, tables.per_tap(words.channels), columns)
        return _mvtu_output(op, dot.T.reshape(n, vectors, rows), tables)
    n = len(words)
    inputs = words.reshape(n * vectors, columns)
    if op.is_xnor:  # bits 0/1: packbits packs them as they are; outputs first, as bnn's convs
        packed = np.ascontiguousarray(pack_rows(inputs).T)
        dot = xnor_popcount_columns(packed, tables.packed, columns).T.reshape(n, vectors, rows)
    else:
        if spec.bipolar_input:  # bits 0/1 as −1/+1
            inputs = inputs.astype(np.int8) * 2 - 1
        dot = multibit_dot(inputs, tables.weights) if spec.weight_bits > 1 else \
            integer_dot(inputs, tables.weights)
        dot = dot.reshape(n, vectors, rows)
    return _mvtu_output(op, dot, tables)


def _mvtu_output(op: hw.MvtuOp, dot: np.ndarray, tables: MvtuTables) -> Words:
    """The unit's output words from its dot products [N, vectors, MH]."""
    n, vectors, rows = dot.shape
    bias, lanes, output_bits = op.bias_value, op.lanes_out, op.bits_out
    if tables.thresholds is None:
        if tables.offsets is not None:
            dot = dot + tables.offsets  # in int64: si32 offsets on an int32 dot may not fit int32
        return _as_words(dot, lanes)
    counts = count_thresholds(dot, tables.thresholds_for(dot), None)
    lane = _lane_dtype(output_bits)
    if bias:
        values = (counts.astype(np.int64) + bias).astype(lane)
    elif counts.dtype == np.uint8 and lane == np.int8:  # counts below 2^7: the same bytes
        values = counts.view(np.int8)
    else:
        values = counts.astype(lane)
    return _as_words(values.reshape(n, vectors * rows), lanes)


def run_threshold(op: hw.ThresholdOp, words: Words) -> Words:
    channels, pe, output_bits = op.spec.channels, op.spec.pe, op.bits_out
    table = dense_to_numpy(op.thresholds).astype(np.int64)  # [PE, NF, T]
    falling = np.zeros(channels, bool)
    falling[list(() if op.descending is None else hw.int_values(op.descending))] = True
    bias = 0 if op.bias is None else op.bias.value.data
    values = words.reshape(len(words), -1, channels)
    per_channel = table.transpose(1, 0, 2).reshape(channels, -1)
    counts = count_thresholds(values, per_channel, falling)
    return _as_words((counts.astype(np.int64) + bias).astype(_lane_dtype(output_bits)), pe)


def run_label_select(op: hw.LabelSelectOp, words: Words) -> Words:
    values = words.reshape(len(words), -1)
    return np.argmax(values, axis=1).reshape(-1, 1, 1)


def run_fifo(op: hw.FifoOp, words: Words) -> Words:
    return words


# ===----------------------------------------------------------------------=== #
# Designs
# ===----------------------------------------------------------------------=== #


def to_stream(design: hw.DesignOp, x: np.ndarray) -> Words:
    """The host's input adapter: NCHW (or NC) tensor values -> NHWC words."""
    values = x.transpose(0, 2, 3, 1) if x.ndim == 4 else x
    values = values.reshape(x.shape[0], -1)
    if is_bipolar(design.input_type.element_type):
        values = (values > 0).astype(np.int8)
    else:  # room for any pad value of the lanes, signed or unsigned
        values = values.astype(_lane_dtype(8 * values.dtype.itemsize))
    return _as_words(values, design.input_lanes.value.data)


def from_stream(design: hw.DesignOp, words: Words) -> np.ndarray:
    """The host's output adapter: NHWC words -> a tensor of the design's output type."""
    out_type = design.output_type
    shape = [words.shape[0], *out_type.get_shape()[1:]]
    values = words.reshape(words.shape[0], -1)
    if len(shape) == 4:
        values = values.reshape(shape[0], shape[2], shape[3], shape[1]).transpose(0, 3, 1, 2)
    values = values.reshape(shape)
    if is_bipolar(out_type.element_type):
        return np.where(values > 0, 1, -1).astype(np.int8)
    return values.astype(numpy_dtype(out_type.element_type))


def run_design(design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
    """The design's output for the batch `x` by the stream interpreter."""
    module = design.get_toplevel_object()
    assert isinstance(module, ModuleOp)
    interpreter = Interpreter(module)
    functions = HwstreamFunctions()
    interpreter.register_implementations(functions)
    return functions.execute(interpreter, design, x)


@register_impls
class HwstreamFunctions(InterpreterFunctions):
    """One implementation per hwstream kernel; `hwstream.instance` runs its design's body."""

    def __init__(self) -> None:
        self._tables: dict[hw.MvtuOp, MvtuTables] = {}

    @impl(hw.InstanceOp)
    def run_instance(
        self, interp: Interpreter, op: hw.InstanceOp, args: PythonValues
    ) -> PythonValues:
        module = op.get_toplevel_object()
        design = SymbolTable.lookup_symbol(module, op.design.root_reference.data)
        if not isinstance(design, hw.DesignOp) or not isinstance(module, ModuleOp):
            raise ValueError(f"no hwstream.design @{op.design.root_reference.data}")
        return (self.execute(interp, design, args[0]),)

    def execute(self, interp: Interpreter, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
        """The design's output for the batch `x` (the stream interpreter; engines override)."""
        (words,) = interp.run_ssacfg_region(design.body, (to_stream(design, x),), "design")
        return from_stream(design, words)

    @impl_terminator(hw.YieldOp)
    def run_yield(
        self, interp: Interpreter, op: hw.YieldOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(args), ()

    @impl(hw.PadOp)
    def run_pad(self, interp: Interpreter, op: hw.PadOp, args: PythonValues) -> PythonValues:
        return (run_pad(op, args[0]),)

    @impl(hw.WindowOp)
    def run_window(
        self, interp: Interpreter, op: hw.WindowOp, args: PythonValues
    ) -> PythonValues:
        if feeds_xnor_unit(op):
            return (run_window_packed(op, args[0]),)
        return (run_window(op, args[0]),)

    @impl(hw.PoolOp)
    def run_pool(self, interp: Interpreter, op: hw.PoolOp, args: PythonValues) -> PythonValues:
        return (run_pool(op, args[0]),)

    @impl(hw.DwcOp)
    def run_dwc(self, interp: Interpreter, op: hw.DwcOp, args: PythonValues) -> PythonValues:
        if isinstance(args[0], PackedWindows):  # lanes regrouped: the same vectors
            return (args[0],)
        return (run_dwc(op, args[0]),)

    @impl(hw.MvtuOp)
    def run_mvtu(self, interp: Interpreter, op: hw.MvtuOp, args: PythonValues) -> PythonValues:
        if op not in self._tables:
            self._tables[op] = MvtuTables(op)
        return (run_mvtu(op, args[0], self._tables[op]),)

    @impl(hw.ThresholdOp)
    def run_threshold(
        self, interp: Interpreter, op: hw.ThresholdOp, args: PythonValues
    ) -> PythonValues:
        return (run_threshold(op, args[0]),)

    @impl(hw.LabelSelectOp)
    def run_label_select(
        self, interp: Interpreter, op: hw.LabelSelectOp, args: PythonValues
    ) -> PythonValues:
        return (run_label_select(op, args[0]),)

    @impl(hw.FifoOp)
    def run_fifo(self, interp: Interpreter, op: hw.FifoOp, args: PythonValues) -> PythonValues:
        return (run_fifo(op, args[0]),)
