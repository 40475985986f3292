"""Interpreter implementations of the `bnn` dialect: exact, vectorized numpy.

Runtime values are numpy arrays: bipolar (`i1`) tensors hold int8 ±1, integer tensors the
element type's numpy dtype (`numpy_dtype`), f32 tensors float32. The float32 ops call the
ops' own `evaluate` methods, which the threshold-fusion pass uses too, so both read one
definition.

Layers with a bipolar input run as XNOR-popcount over 64-bit words: the im2col patches and the
weight rows are bit-packed, XOR-ed and counted with `np.bitwise_count`. A conv runs outputs
first ([O, positions]): each output's word is XOR-ed with a long contiguous run of the
positions' words, where numpy's loops run at vector speed (a word per position broadcast
against the outputs' words, the rows-first layout, is 3x slower per element); dense layers,
with few rows, run rows first. On FINN's CNV layers (benchmarks/engines.py) XNOR-popcount
measured faster than float32 BLAS on ±1 values on a shared 2-core machine. Layers with an
integer input multiply float ±1 weights with BLAS, exact while every sum stays below 2^24
(float32) or 2^53 (float64), else in int64; the bound is checked per layer. Accumulators are
int32 while their bound allows. Conv results are computed and thresholded outputs first; the
NCHW values the ops exchange are views of that memory ([C, N, H, W]), which max-pool keeps and
the next conv packs. (bnnir/interp/run.py runs a batch in chunks, two at a time.)
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.ir import Attribute

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import dense_to_numpy, is_bipolar, numpy_dtype
from bnnir.dialects.sliding_window import border_correction, border_hits

_TILE_BYTES = 256 << 10
"""Bytes of the XOR temporary of one tile of the popcount kernel: small enough for the L2 cache,
where the three passes over it (xor, count, add) run at memory speed."""


# ===----------------------------------------------------------------------=== #
# Kernels
# ===----------------------------------------------------------------------=== #


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """Pack a boolean [M, K] matrix row-wise into uint64 words [M, ceil(K / 64)]."""
    rows, width = bits.shape
    packed = np.packbits(bits, axis=1, bitorder="little")
    words = -(-width // 64)
    padded = np.zeros((rows, words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


def xnor_popcount_dot(patches: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot products [M, O] of ±1 patches [M, K] with ±1 weights [O, K]."""
    return xnor_popcount_words(pack_rows(patches > 0), pack_rows(weights > 0), patches.shape[1])


def xnor_popcount_words(x: np.ndarray, w: np.ndarray, taps: int) -> np.ndarray:
    """Dot products [M, O] of packed bipolar rows x [M, words] and w [O, words] over `taps` bits
    (unused bits 0 in both): taps − 2·popcount(x ⊕ w), one word column at a time over tiles of
    rows, into preallocated buffers, so the intermediates stay in cache. For few rows (dense
    layers); many rows run faster as columns (`xnor_popcount_columns`)."""
    outputs = w.shape[0]
    counter = np.uint16 if taps < 1 << 16 else np.uint32
    rows = max(1, _TILE_BYTES // (8 * outputs))
    result = np.empty((x.shape[0], outputs), dtype=accumulator_dtype(taps))
    w_columns = np.ascontiguousarray(w.T)  # [words, O]
    buffers = _Buffers((rows, outputs), counter)
    for start in range(0, x.shape[0], rows):
        tile = x[start : start + rows]
        n = len(tile)
        tally = buffers.mismatches(
            ((tile[:, word, None], w_columns[word]) for word in range(x.shape[1])), (n, outputs))
        _from_mismatches(tally, taps, result[start : start + n])
    return result


class _Buffers:
    """The popcount kernels' temporaries for one tile shape, allocated once per call."""

    def __init__(self, shape: tuple[int, int], counter: type[np.unsignedinteger]) -> None:
        self.xor = np.empty(shape, np.uint64)
        self.count = np.empty(shape, np.uint8)
        self.part = np.empty(shape, np.uint8)
        self.tally = np.empty(shape, counter)

    def mismatches(self, operands: Iterable[tuple[np.ndarray, np.ndarray]],
                   shape: tuple[int, int]) -> np.ndarray:
        """Σ popcount(a ⊕ b) over the words' operand pairs (broadcasting to `shape`, at most
        the buffers'), in a view of the tally buffer. Three words' counts (at most 192) add up
        in bytes, at vector speed, before each addition to the wider tally."""
        rows, columns = shape
        xor, count = self.xor[:rows, :columns], self.count[:rows, :columns]
        part, tally = self.part[:rows, :columns], self.tally[:rows, :columns]
        word = -1
        for word, (a, b) in enumerate(operands):
            np.bitwise_xor(a, b, out=xor)
            grouped = word % _WORDS_PER_BYTE
            np.bitwise_count(xor, out=count if grouped else part)
            if grouped:
                np.add(part, count, out=part)
            if grouped == _WORDS_PER_BYTE - 1:
                _add_part(tally, part, first=word < _WORDS_PER_BYTE)
        if word < 0:  # no words
            tally[...] = 0
        elif word % _WORDS_PER_BYTE != _WORDS_PER_BYTE - 1:  # a last, incomplete group
            _add_part(tally, part, first=word < _WORDS_PER_BYTE)
        return tally


def _add_part(tally: np.ndarray, part: np.ndarray, first: bool) -> None:
    if first:
        tally[...] = part
    else:
        np.add(tally, part, out=tally)


_RUN = 16384
"""Positions per run of the column kernel: numpy's binary loops reach their vector speed only
on long contiguous operands (measured: about 4096 elements and up, 3x slower below 2048), and
long calls leave the interpreter's lock to the other chunk's thread most of the time."""

_SHORT_RUN = 1024
"""Fewer positions than this run rows first (`xnor_popcount_words`): as fast below about 2048
positions, 1.7x slower at 3136 (one 56x56 map), and faster for a dense layer's few rows."""

_COLUMN_TILE_BYTES = 512 << 10
"""Bytes of the column kernel's XOR temporary: a few outputs' runs, in the L2 cache (1 MiB a
core here) with their counts."""


def xnor_popcount_columns(x: np.ndarray, w: np.ndarray, taps: int) -> np.ndarray:
    """Dot products [O, M] of packed bipolar columns x [words, M] and rows w [O, words] over
    `taps` bits (unused bits 0 in both), outputs first: each output's word is XOR-ed with a
    long contiguous run of the positions' words, so every numpy pass is a vector loop, over
    tiles of a few outputs whose temporaries stay in the L2 cache."""
    words, positions = x.shape
    outputs = w.shape[0]
    if positions < _SHORT_RUN:
        return np.ascontiguousarray(xnor_popcount_words(np.ascontiguousarray(x.T), w, taps).T)
    counter = np.uint16 if taps < 1 << 16 else np.uint32
    run = -(-positions // -(-positions // _RUN))  # equal runs, none short
    group = max(1, min(outputs, _COLUMN_TILE_BYTES // (8 * run)))
    result = np.empty((outputs, positions), dtype=accumulator_dtype(taps))
    w_words = np.ascontiguousarray(w.T)[:, :, None]  # [words, O, 1]
    buffers = _Buffers((group, run), counter)
    for start in range(0, positions, run):
        n = min(run, positions - start)
        for first in range(0, outputs, group):
            g = min(group, outputs - first)
            tally = buffers.mismatches(
                ((w_words[word, first : first + g], x[word, None, start : start + n])
                 for word in range(words)), (g, n))
            _from_mismatches(tally, taps, result[first : first + g, start : start + n])
    return result


_WORDS_PER_BYTE = 3
"""Words whose mismatch counts (at most 64 each) a byte holds."""


def _from_mismatches(mismatches: np.ndarray, taps: int, out: np.ndarray) -> None:
    """out = taps − 2·mismatches."""
    out[...] = mismatches
    out *= -2
    out += taps


def accumulator_dtype(bound: int) -> type[np.signedinteger]:
    """The accumulator dtype of dot products whose magnitude is at most `bound`: int32 while
    the bound is below 2^30, so a border correction below 2^30 added to it still fits, else
    int64."""
    return np.int32 if bound < 1 << 30 else np.int64


def _blas_dtype(largest: int, taps: int) -> type[np.number] | None:
    """The float dtype whose BLAS dot products of `taps` terms of magnitude at most `largest`
    (an input's largest magnitude times a weight's, the input's for ±1 weights) are exact
    (every partial sum below 2^24 for float32, 2^53 for float64), or None."""
    bound = largest * taps
    if bound < 1 << 24:
        return np.float32
    if bound < 1 << 53:
        return np.float64
    return None


def _largest(values: np.ndarray) -> int:
    """The largest magnitude, in Python ints: np.abs of an int8 −128 is still −128."""
    return max(int(values.max(initial=0)), -int(values.min(initial=0)))


def integer_dot(patches: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot products [M, O] of integer patches [M, K] with ±1 weights [O, K], exactly, in BLAS."""
    largest = _largest(patches)
    dtype = _blas_dtype(largest, patches.shape[1])
    if dtype is None:
        return patches.astype(np.int64) @ weights.astype(np.int64).T
    product = patches.astype(dtype) @ weights.astype(dtype).T
    return product.astype(accumulator_dtype(largest * patches.shape[1]))


def integer_dot_columns(columns: np.ndarray, weights: np.ndarray, largest: int) -> np.ndarray:
    """Dot products [O, M] of ±1 weights [O, K] with integer columns [K, M] (already in the
    BLAS dtype `_blas_dtype(largest, K)`, or int64) whose magnitudes are at most `largest`."""
    taps = columns.shape[0]
    product = weights.astype(columns.dtype) @ columns
    return product.astype(accumulator_dtype(largest * taps), copy=False)


def multibit_dot(patches: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot products [M, O] of integer or ±1 patches [M, K] with integer (`si<N>`) weights [O, K],
    exactly: in float32 BLAS while K · max|x| · max|w| < 2^24, in float64 below 2^53 (the
    verifier keeps accumulators below 2^31), else in int64. Layers with integer weights take
    this path whatever their input (bipolar inputs too: no XNOR-popcount for them)."""
    largest_x = max(int(patches.max(initial=0)), -int(patches.min(initial=0)))
    largest_w = max(int(weights.max(initial=0)), -int(weights.min(initial=0)))
    bound = largest_x * largest_w * patches.shape[1]
    if bound >= 1 << 53:
        return patches.astype(np.int64) @ weights.astype(np.int64).T
    dtype = np.float32 if bound < 1 << 24 else np.float64
    return (patches.astype(dtype) @ weights.astype(dtype).T).astype(np.int64)


def _multibit_conv(
    op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, tuple[int, int]]:
    """A conv with integer weights on its input padded with `pad_value` as it is (0 by
    default: a zero-padded bipolar input is padded with the value 0 here, which is its meaning,
    so it needs no border correction)."""
    columns, (oh, ow) = im2col(x, op.kernel_size, op.stride_values, op.pad_values,
                               op.padding_value)
    return multibit_dot(columns.T, weights.reshape(weights.shape[0], -1)), (oh, ow)


def _has_integer_weights(op: bnn.Conv2dOp | bnn.DenseOp) -> bool:
    return not is_bipolar(bnn.tensor_type(op.weights).element_type)


def im2col(
    x: np.ndarray,
    kernel: tuple[int, int],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    pad_value: int,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Patch columns [C·KH·KW, N·OH·OW] of NCHW `x` (rows ordered c, ky, kx) and (OH, OW)."""
    top, left, bottom, right = pads
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=pad_value)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel, axis=(2, 3))
    windows = windows[:, :, :: strides[0], :: strides[1]]
    n, c, oh, ow, kh, kw = windows.shape
    columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * oh * ow)
    return columns, (oh, ow)


def conv2d(op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The exact accumulator [N, OH, OW, O] of a conv2d (before any thresholds), channels last
    as a view of outputs-first memory [O, N, OH, OW] (what the column kernels compute).

    A zero-padded bipolar input is computed as its −1-padded twin plus the border-class
    correction (Conv2dOp's `correction` semantics), so every bipolar conv is pure XNOR-popcount.
    """
    if _has_integer_weights(op):
        acc, (oh, ow) = _multibit_conv(op, x, weights)
        acc = acc.reshape(x.shape[0], oh, ow, weights.shape[0])
        if op.correction is not None:
            acc += _per_position(op, dense_to_numpy(op.correction), x.shape).transpose(1, 2, 0)
        return acc
    bipolar = is_bipolar(bnn.tensor_type(op.input).element_type)
    zero_padded = bipolar and op.padding_value == 0 and any(op.pad_values)
    fill = -1 if zero_padded else op.padding_value
    if bipolar:
        acc = _bipolar_conv(op, x, weights, fill)
    else:
        acc = _integer_conv(op, x, weights, fill)
    tables = [_zero_padding_correction(op, weights)] if zero_padded else []
    if op.correction is not None:
        tables.append(dense_to_numpy(op.correction))
    for table in tables:
        correction = _per_position(op, table, x.shape)
        if acc.dtype == np.int32 and _largest(correction) >= 1 << 30:
            acc = acc.astype(np.int64)  # an int32 accumulator is below 2^30: the sum fits
        acc += correction.astype(acc.dtype)[:, None]  # each map's positions in a row
    return acc.transpose(1, 2, 3, 0)


def _integer_conv(op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray, fill: int
                  ) -> np.ndarray:
    """BLAS conv [O, N, OH, OW] of an integer map: the map is converted to the exact BLAS dtype
    before im2col, so the patches are copied once, and the product comes outputs first."""
    taps = weights[0].size
    largest = max(_largest(x), abs(fill))
    dtype = _blas_dtype(largest, taps) or np.int64
    columns, (oh, ow) = im2col(x.astype(dtype), op.kernel_size, op.stride_values, op.pad_values,
                               fill)
    acc = integer_dot_columns(columns, weights.reshape(len(weights), -1), largest)
    return acc.reshape(len(weights), x.shape[0], oh, ow)


_CORRECTIONS: weakref.WeakKeyDictionary[bnn.Conv2dOp, np.ndarray] = weakref.WeakKeyDictionary()


def _zero_padding_correction(op: bnn.Conv2dOp, weights: np.ndarray) -> np.ndarray:
    """The border table that turns the −1-padded accumulator into the zero-padded one, computed
    once per op whose weights are a constant."""
    if not isinstance(op.weights.owner, bnn.ConstantOp):
        return border_correction(weights, op.pad_values)
    if op not in _CORRECTIONS:
        _CORRECTIONS[op] = border_correction(weights, op.pad_values)
    return _CORRECTIONS[op]


def _bipolar_conv(op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray, fill: int
                  ) -> np.ndarray:
    """XNOR-popcount conv [O, N, OH, OW]: channels are packed into words once per pixel, then
    padded with the packed fill pixel, and the windows are gathered over words (64 channels at
    a time) rather than over single values, into columns for `xnor_popcount_columns`."""
    top, left, bottom, right = op.pad_values
    n, c, h, w = x.shape
    words = pack_channels(x)
    pixels = np.empty((len(words), n, h + top + bottom, w + left + right), np.uint64)
    pixels[...] = pack_rows(np.full((1, c), fill > 0))[0][:, None, None, None]
    pixels[:, :, top : top + h, left : left + w] = words
    columns, (oh, ow) = window_columns(pixels, op.kernel_size, op.stride_values)
    acc = xnor_popcount_columns(columns, pack_taps(weights.transpose(0, 2, 3, 1)),
                                c * op.kernel_size[0] * op.kernel_size[1])
    return acc.reshape(len(weights), n, oh, ow)


def pack_channels(x: np.ndarray) -> np.ndarray:
    """The signs of an NCHW map packed per pixel as `pack_rows` packs a row of channels:
    [words, N, H, W] uint64. Bytes are assembled by shifts along the channel axis, which layer
    outputs hold outermost ([C, N, H, W] memory), so every pass runs over all pixels at once
    (transposing to channels last first is up to 7x slower: with 2^k pixels a channel, its
    strides alias in the cache)."""
    n, c, h, w = x.shape
    words, pixels = -(-c // 64), n * h * w
    bits = np.zeros((words * 64, pixels), np.uint8)
    np.greater(x.transpose(1, 0, 2, 3).reshape(c, pixels), 0, out=bits[:c].view(np.bool_))
    bits = bits.reshape(words * 8, 8, pixels)  # bit k of byte j is channel 8j + k
    packed = bits[:, 0].copy()
    shifted = np.empty_like(packed)
    for k in range(1, 8):
        np.left_shift(bits[:, k], k, out=shifted)
        packed |= shifted
    # each pixel's bytes in a row, read as words the way pack_rows reads them
    per_pixel = np.ascontiguousarray(packed.reshape(words, 8, pixels).transpose(0, 2, 1))
    return per_pixel.view(np.uint64).reshape(words, n, h, w)


def window_columns(pixels: np.ndarray, kernel: tuple[int, ...], strides: tuple[int, ...]
                   ) -> tuple[np.ndarray, tuple[int, int]]:
    """The windows of packed pixels [words, N, H, W] as columns [KH·KW·words, N·OH·OW] (rows
    ordered ky, kx, word; `pack_taps` packs weights so) and (OH, OW)."""
    windows = np.lib.stride_tricks.sliding_window_view(pixels, kernel, axis=(2, 3))
    windows = windows[:, :, :: strides[0], :: strides[1]]  # [words, N, OH, OW, KH, KW]
    _, n, oh, ow = windows.shape[:4]
    return windows.transpose(4, 5, 0, 1, 2, 3).reshape(-1, n * oh * ow), (oh, ow)


def pack_taps(weights: np.ndarray) -> np.ndarray:
    """±1 weights [O, KH, KW, C] packed per tap, each tap's channels in whole words: [O,
    KH·KW·words], the rows of `window_columns`."""
    outputs, channels = len(weights), weights.shape[-1]
    return pack_rows(weights.reshape(-1, channels) > 0).reshape(outputs, -1)


def _per_position(op: bnn.Conv2dOp, table: np.ndarray, in_shape: tuple[int, ...]) -> np.ndarray:
    """A border-class table [th, bh, lh, rh, O] gathered per output position, outputs first:
    [O, OH, OW]."""
    (kh, kw), (sh, sw) = op.kernel_size, op.stride_values
    top, left, _, _ = op.pad_values
    out_h, out_w = bnn.tensor_type(op.output).get_shape()[2:]
    th, bh = border_hits(in_shape[2], out_h, kh, sh, top)
    lh, rh = border_hits(in_shape[3], out_w, kw, sw, left)
    per_position = table.astype(np.int64)[th[:, None], bh[:, None], lh[None, :], rh[None, :]]
    return np.ascontiguousarray(per_position.transpose(2, 0, 1))


def dense(op: bnn.DenseOp, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if _has_integer_weights(op):
        return multibit_dot(x, weights)
    if is_bipolar(bnn.tensor_type(op.input).element_type):
        return xnor_popcount_dot(x, weights)
    return integer_dot(x, weights)


def layer_output(op: bnn.ThresholdedOp, acc: np.ndarray) -> np.ndarray:
    """A layer's result from its accumulator, both channels last: its thresholded activation, or
    the accumulator in the result type."""
    out_elem = bnn.tensor_type(op.results[0]).element_type
    if op.thresholds is not None:
        return threshold_last(op, acc, out_elem)
    return acc.astype(numpy_dtype(out_elem))


def threshold_last(op: bnn.ThresholdedOp, values: np.ndarray, out_elem: Attribute) -> np.ndarray:
    """`op.apply_thresholds` with the channels on the last axis."""
    assert op.thresholds is not None
    falling = np.zeros(values.shape[-1], bool)
    falling[list(op.descending_channels)] = True
    count = count_thresholds(values, dense_to_numpy(op.thresholds), falling)
    if is_bipolar(out_elem):  # 2·count − 1 in place (a count is 0 or 1 here)
        signs = count.view(np.int8) if count.dtype == np.uint8 else count.astype(np.int8)
        signs += signs
        signs -= 1
        return signs
    return (count.astype(np.int64) + op.bias_value).astype(numpy_dtype(out_elem))


def count_thresholds(values: np.ndarray, table: np.ndarray, falling: np.ndarray | None
                     ) -> np.ndarray:
    """Σ_i [v ≥ t_i] for each value v [..., C] and its channel's thresholds t (`table` [..., C or
    1, T], broadcasting), or Σ_i [v ≤ t_i] for the channels marked in `falling` [C]: one
    comparison pass per threshold step. A falling channel compares its negated value with its
    negated thresholds (v ≤ t ⇔ −v ≥ −t, exact for integers and floats)."""
    if falling is not None and falling.any():
        if values.dtype.kind in "iu":  # negated in int64: no unsigned or INT_MIN wrap-around
            values, table = values.astype(np.int64), table.astype(np.int64)
        table = np.where(falling[:, None], -table, table)
        values = np.where(falling, -values, values)
    steps = table.shape[-1]
    table = _comparable(table, values.dtype)
    shape = np.broadcast_shapes(values.shape, table.shape[:-1])
    dtype = np.uint8 if steps < 256 else np.int64
    if steps == 1:  # one pass, no tally
        return np.greater_equal(values, table[..., 0]).view(np.uint8)
    # the tally keeps the values' memory order, so every pass runs along it
    count = np.zeros_like(values, dtype) if shape == values.shape else np.zeros(shape, dtype)
    for step in range(steps):
        count += values >= table[..., step]
    return count


def _comparable(table: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Integer thresholds in the integer values' own dtype where that keeps every comparison
    (a threshold below the dtype's range is always passed, as its lowest value is), so the
    comparisons need no conversion; else the table as it is (numpy then compares widened)."""
    if table.dtype == dtype or table.dtype.kind not in "iu" or dtype.kind not in "iu":
        return table
    info = np.iinfo(dtype)
    if table.size and int(table.max()) > info.max:
        return table
    if np.can_cast(table.dtype, dtype) or table.dtype.kind == "u":  # every threshold fits
        return table.astype(dtype)
    return np.maximum(table, info.min).astype(dtype)  # info.min fits the wider table dtype


def channels_first(values: np.ndarray) -> np.ndarray:
    """[N, H, W, C] -> [N, C, H, W], as a view."""
    return values.transpose(0, 3, 1, 2)


def max_pool(op: bnn.MaxPoolOp, x: np.ndarray) -> np.ndarray:
    """Max over each window; padded taps never win (they hold the dtype's lowest value).

    Integer maps take the maximum over the KH rows of each window, then over the KW columns of
    those maxima, tap by tap (the window is a rectangle, so the maximum separates; the rows'
    maxima span whole rows, so a column tap is one long strided run where the strides tile the
    row); float maps reduce each window (the order in which NaN and signed zeros meet is then
    numpy's reduction's)."""
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    top, left, bottom, right = op.pad_values
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=lowest
                    ) if any(op.pad_values) else x
    (kh, kw), (sh, sw) = op.kernel_values, op.stride_values
    if x.dtype.kind == "f":
        windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))
        return windows[:, :, ::sh, ::sw].max(axis=(4, 5))
    oh, ow = (padded.shape[2] - kh) // sh + 1, (padded.shape[3] - kw) // sw + 1
    rows = _tap_maximum(padded[:, :, ky : ky + sh * (oh - 1) + 1 : sh] for ky in range(kh))
    return _tap_maximum(rows[..., kx : kx + sw * (ow - 1) + 1 : sw] for kx in range(kw))


def _tap_maximum(taps: Iterable[np.ndarray]) -> np.ndarray:
    """The elementwise maximum of the taps, pairwise, in the map's memory order (outputs first
    from a layer)."""
    result = None
    for tap in taps:
        result = np.array(tap, order="K") if result is None else np.maximum(result, tap,
                                                                             out=result)
    assert result is not None
    return result


# ===----------------------------------------------------------------------=== #
# Interpreter functions
# ===----------------------------------------------------------------------=== #


@register_impls
class BnnFunctions(InterpreterFunctions):
    """One implementation per bnn op."""

    def __init__(self) -> None:
        self._constants: dict[bnn.ConstantOp, np.ndarray] = {}

    @impl(bnn.ConstantOp)
    def run_constant(
        self, interp: Interpreter, op: bnn.ConstantOp, args: PythonValues
    ) -> PythonValues:
        if op not in self._constants:
            self._constants[op] = op.to_numpy()
        return (self._constants[op],)

    @impl(bnn.Conv2dOp)
    def run_conv2d(self, interp: Interpreter, op: bnn.Conv2dOp, args: PythonValues) -> PythonValues:
        x, weights = args
        return (channels_first(layer_output(op, conv2d(op, x, weights))),)

    @impl(bnn.DenseOp)
    def run_dense(self, interp: Interpreter, op: bnn.DenseOp, args: PythonValues) -> PythonValues:
        x, weights = args
        return (layer_output(op, dense(op, x, weights)),)

    @impl(bnn.BatchNormOp)
    def run_batch_norm(
        self, interp: Interpreter, op: bnn.BatchNormOp, args: PythonValues
    ) -> PythonValues:
        return (op.evaluate(args[0]),)

    @impl(bnn.AffineOp)
    def run_affine(self, interp: Interpreter, op: bnn.AffineOp, args: PythonValues) -> PythonValues:
        return (op.evaluate(args[0]),)

    @impl(bnn.SignOp)
    def run_sign(self, interp: Interpreter, op: bnn.SignOp, args: PythonValues) -> PythonValues:
        return (bnn.SignOp.evaluate(args[0]),)

    @impl(bnn.ThresholdOp)
    def run_threshold(
        self, interp: Interpreter, op: bnn.ThresholdOp, args: PythonValues
    ) -> PythonValues:
        out_elem = bnn.tensor_type(op.output).element_type
        values = np.moveaxis(args[0], 1, -1)
        return (np.moveaxis(threshold_last(op, values, out_elem), -1, 1),)

    @impl(bnn.MaxPoolOp)
    def run_max_pool(
        self, interp: Interpreter, op: bnn.MaxPoolOp, args: PythonValues
    ) -> PythonValues:
        return (max_pool(op, args[0]),)

    @impl(bnn.PadOp)
    def run_pad(self, interp: Interpreter, op: bnn.PadOp, args: PythonValues) -> PythonValues:
        top, left, bottom, right = op.pad_values
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        return (np.pad(args[0], widths, constant_values=op.value.value.data),)

    @impl(bnn.FlattenOp)
    def run_flatten(
        self, interp: Interpreter, op: bnn.FlattenOp, args: PythonValues
    ) -> PythonValues:
        return (args[0].reshape(args[0].shape[0], -1),)

    @impl(bnn.ReshapeOp)
    def run_reshape(
        self, interp: Interpreter, op: bnn.ReshapeOp, args: PythonValues
    ) -> PythonValues:
        shape = bnn.tensor_type(op.output).get_shape()[1:]
        return (args[0].reshape(args[0].shape[0], *shape),)

    @impl(bnn.ArgMaxOp)
    def run_arg_max(
        self, interp: Interpreter, op: bnn.ArgMaxOp, args: PythonValues
    ) -> PythonValues:
        return (np.argmax(args[0], axis=1, keepdims=True).astype(np.int64),)
