"""The stream interpreter: runs a hwstream design word by word, each kernel vectorized per frame.

A stream is an array [N, words, lanes] of lane values (bipolar lanes are bits): exactly the words
the hardware moves, frame by frame. Each kernel implements its op's docstring; `hwstream.instance`
converts the host tensor into the design's input stream and its output stream back.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.traits import SymbolTable

from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.interp.bnn import integer_dot, xnor_popcount_dot

Words = np.ndarray


def _as_map(words: Words, op: hw.KernelOp) -> np.ndarray:
    """[N, H·W·C/S, S] -> [N, H, W, C] (channels fastest)."""
    n = words.shape[0]
    return words.reshape(n, op.prop_int("height"), op.prop_int("width"), op.prop_int("channels"))


def _as_words(values: np.ndarray, lanes: int) -> Words:
    return values.reshape(values.shape[0], -1, lanes)


def run_pad(op: hw.PadOp, words: Words) -> Words:
    top, left, bottom, right = op.prop_ints("pads")
    padded = np.pad(
        _as_map(words, op),
        ((0, 0), (top, bottom), (left, right), (0, 0)),
        constant_values=op.prop_int("value"),
    )
    return _as_words(padded, op.lanes_out)


def run_window(op: hw.WindowOp, words: Words) -> Words:
    (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
    windows = np.lib.stride_tricks.sliding_window_view(_as_map(words, op), (kh, kw), axis=(1, 2))
    windows = windows[:, ::sh, ::sw]  # [N, OH, OW, C, KH, KW]
    return _as_words(np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)), op.lanes_out)


def run_pool(op: hw.PoolOp, words: Words) -> Words:
    (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
    top, left, bottom, right = op.prop_ints("pads")
    lowest = np.iinfo(np.int64).min
    padded = np.pad(
        _as_map(words, op), ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=lowest
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))
    return _as_words(windows[:, ::sh, ::sw].max(axis=(4, 5)), op.lanes_out)


def run_dwc(op: hw.DwcOp, words: Words) -> Words:
    return _as_words(words, op.lanes_out)


def decode_weights(op: hw.MvtuOp) -> np.ndarray:
    """The ±1 matrix [MH, MW] held in finn-hlslib's layout."""
    pe, simd = op.prop_int("pe"), op.prop_int("simd")
    rows, columns = op.prop_int("rows"), op.prop_int("columns")
    packed = bnn.dense_to_numpy(op.weights).view(np.uint8)
    bits = np.unpackbits(packed, axis=2, count=simd, bitorder="little")
    nf, sf = rows // pe, columns // simd
    matrix = bits.reshape(pe, nf, sf, simd).transpose(1, 0, 2, 3).reshape(rows, columns)
    return matrix.astype(np.int8) * 2 - 1


def border_classes(op: hw.MvtuOp) -> np.ndarray:
    """The border class of each of the unit's vectors (0 everywhere without `border`)."""
    vectors = op.prop_int("vectors")
    if op.border is None:
        return np.zeros(vectors, np.int64)
    in_h, in_w, kh, kw, sh, sw, top, left, bottom, right = hw.int_values(op.border)
    dims = bnn.correction_shape((kh, kw), (top, left, bottom, right), 1)[:4]
    out_h = (in_h + top + bottom - kh) // sh + 1
    out_w = vectors // out_h
    th, bh = bnn.border_hits(in_h, out_h, kh, sh, top)
    lh, rh = bnn.border_hits(in_w, out_w, kw, sw, left)
    rows = th * dims[1] + bh
    cols = lh * dims[3] + rh
    return (rows[:, None] * dims[2] * dims[3] + cols[None, :]).reshape(-1)


def run_mvtu(op: hw.MvtuOp, words: Words, cache: dict[object, object]) -> Words:
    n = words.shape[0]
    rows, columns, vectors = op.prop_int("rows"), op.prop_int("columns"), op.prop_int("vectors")
    if op not in cache:
        cache[op] = decode_weights(op)
    weights = cache[op]
    assert isinstance(weights, np.ndarray)
    inputs = words.reshape(n * vectors, columns)
    if op.is_xnor:
        dot = xnor_popcount_dot(inputs * 2 - 1, weights)
        acc = (dot + columns) // 2  # matching bits P
    else:
        acc = integer_dot(inputs, weights)
        dot = acc
    index = np.tile(border_classes(op), n)
    if op.thresholds is None:
        if op.offsets is not None:
            offsets = bnn.dense_to_numpy(op.offsets).astype(np.int64)  # [classes, PE, NF]
            dot = dot + offsets.transpose(0, 2, 1).reshape(len(offsets), rows)[index]
        return _as_words(dot.reshape(n, vectors * rows), op.lanes_out)
    table = bnn.dense_to_numpy(op.thresholds).astype(np.int64)  # [classes, PE, NF, T]
    classes, _, _, steps = table.shape
    per_row = table.transpose(0, 2, 1, 3).reshape(classes, rows, steps)
    counts = (acc[:, :, None] >= per_row[index]).sum(axis=2)
    return _as_words((counts + op.bias_value).reshape(n, vectors * rows), op.lanes_out)


def run_threshold(op: hw.ThresholdOp, words: Words) -> Words:
    n, channels, pe = words.shape[0], op.prop_int("channels"), op.prop_int("pe")
    values = words.reshape(n, -1, channels)
    table = bnn.dense_to_numpy(op.thresholds).astype(np.int64)  # [PE, NF, T]
    per_channel = table.transpose(1, 0, 2).reshape(channels, -1)
    falling = np.zeros((channels, 1), bool)
    if op.descending is not None:
        falling[list(hw.int_values(op.descending))] = True
    v = values[..., None]
    counts = np.where(falling, v <= per_channel, v >= per_channel).sum(axis=3)
    bias = 0 if op.bias is None else op.bias.value.data
    return _as_words(counts + bias, pe)


def run_label_select(op: hw.LabelSelectOp, words: Words) -> Words:
    values = words.reshape(words.shape[0], -1)
    return np.argmax(values, axis=1).reshape(-1, 1, 1)


def run_fifo(op: hw.FifoOp, words: Words) -> Words:
    return words


# ===----------------------------------------------------------------------=== #
# Designs
# ===----------------------------------------------------------------------=== #


def to_stream(design: hw.DesignOp, x: np.ndarray) -> Words:
    """The host's input adapter: NCHW (or NC) tensor values -> NHWC words."""
    values = x.transpose(0, 2, 3, 1) if x.ndim == 4 else x
    values = values.reshape(x.shape[0], -1).astype(np.int64)
    if bnn.is_bipolar(design.input_type.element_type):
        values = (values > 0).astype(np.int64)
    return _as_words(values, design.input_lanes.value.data)


def from_stream(design: hw.DesignOp, words: Words) -> np.ndarray:
    """The host's output adapter: NHWC words -> a tensor of the design's output type."""
    out_type = design.output_type
    shape = [words.shape[0], *out_type.get_shape()[1:]]
    values = words.reshape(words.shape[0], -1)
    if len(shape) == 4:
        values = values.reshape(shape[0], shape[2], shape[3], shape[1]).transpose(0, 3, 1, 2)
    values = values.reshape(shape)
    if bnn.is_bipolar(out_type.element_type):
        return np.where(values > 0, 1, -1).astype(np.int8)
    return values.astype(bnn.numpy_dtype(out_type.element_type))


def run_design(design: hw.DesignOp, x: np.ndarray, cache: dict[object, object]) -> np.ndarray:
    streams: dict[object, Words] = {design.body.block.args[0]: to_stream(design, x)}
    for op in design.body.block.ops:
        if isinstance(op, hw.YieldOp):
            return from_stream(design, streams[op.stream])
        assert isinstance(op, hw.KernelOp)
        words = streams.pop(op.input)
        if isinstance(op, hw.MvtuOp):
            streams[op.output] = run_mvtu(op, words, cache)
        else:
            streams[op.output] = _KERNELS[type(op)](op, words)
        expected = op.words_out()
        assert streams[op.output].shape[1:] == (expected, op.lanes_out), (op.name, expected)
    raise AssertionError("a design ends with hwstream.yield")


_KERNELS: dict[type, Callable[..., Words]] = {
    hw.PadOp: run_pad,
    hw.WindowOp: run_window,
    hw.PoolOp: run_pool,
    hw.DwcOp: run_dwc,
    hw.ThresholdOp: run_threshold,
    hw.LabelSelectOp: run_label_select,
    hw.FifoOp: run_fifo,
}


@register_impls
class HwstreamFunctions(InterpreterFunctions):
    """Runs `hwstream.instance` with the stream interpreter."""

    def __init__(self) -> None:
        self._cache: dict[object, object] = {}

    @impl(hw.InstanceOp)
    def run_instance(
        self, interp: Interpreter, op: hw.InstanceOp, args: PythonValues
    ) -> PythonValues:
        module = op.get_toplevel_object()
        design = SymbolTable.lookup_symbol(module, op.design.root_reference.data)
        if not isinstance(design, hw.DesignOp) or not isinstance(module, ModuleOp):
            raise ValueError(f"no hwstream.design @{op.design.root_reference.data}")
        return (self.execute(module, design, args[0]),)

    def execute(self, module: ModuleOp, design: hw.DesignOp, x: np.ndarray) -> np.ndarray:
        """The design's output for the batch `x` (the stream interpreter; engines override)."""
        return run_design(design, x, self._cache)
