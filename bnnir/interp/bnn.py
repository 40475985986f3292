"""Interpreter implementations of the `bnn` dialect: exact, vectorized numpy.

Runtime values are numpy arrays: bipolar (`i1`) tensors hold int8 ±1, integer tensors the
element type's numpy dtype (`numpy_dtype`), f32 tensors float32. The float32 ops call the
ops' own `evaluate` methods, which the threshold-fusion pass uses too, so both read one
definition.

Layers with a bipolar input run as XNOR-popcount over 64-bit words: the im2col patches and the
weight rows are bit-packed, XOR-ed and counted with `np.bitwise_count`, in row tiles whose
temporaries stay in the L2 cache. On FINN's CNV layers (benchmarks/engines.py) this measured
faster than float32 BLAS on ±1 values for every layer shape on a shared 2-core machine: about
10 G binary MAC/s against 5-15 for BLAS on the large early layers, and 50 against under 5 on
the small late ones, where BLAS's threads spin. Layers with an integer input multiply float ±1
weights with BLAS, exact while every sum stays below 2^24 (float32) or 2^53 (float64), else in
int64; the bound is checked per layer. Layer results are computed channels last and thresholded
there; the NCHW values the ops exchange are views of that memory, which the next conv packs in
order. (bnnir/interp/run.py runs a batch in chunks, two at a time.)
"""

from __future__ import annotations

import weakref

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
    rows, into preallocated buffers, so the intermediates stay in cache."""
    outputs = w.shape[0]
    counter = np.uint16 if taps < 1 << 16 else np.uint32
    rows = max(1, _TILE_BYTES // (8 * outputs))
    result = np.empty((x.shape[0], outputs), dtype=np.int64)
    w_columns = np.ascontiguousarray(w.T)  # [words, O]
    xor = np.empty((rows, outputs), np.uint64)
    count = np.empty((rows, outputs), np.uint8)
    mismatches = np.empty((rows, outputs), counter)
    for start in range(0, x.shape[0], rows):
        tile = x[start : start + rows]
        n = len(tile)
        mismatches[:n] = 0
        for word in range(x.shape[1]):
            np.bitwise_xor(tile[:, word, None], w_columns[word], out=xor[:n])
            np.bitwise_count(xor[:n], out=count[:n])
            np.add(mismatches[:n], count[:n], out=mismatches[:n])
        out = result[start : start + n]
        out[...] = mismatches[:n]
        out *= -2
        out += taps
    return result


def integer_dot(patches: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot products [M, O] of integer patches [M, K] with ±1 weights [O, K], exactly, in BLAS."""
    # the largest magnitude, in Python ints: np.abs of an int8 −128 is still −128
    largest = max(int(patches.max(initial=0)), -int(patches.min(initial=0)))
    bound = largest * patches.shape[1]
    if bound < 1 << 24:
        dtype = np.float32
    elif bound < 1 << 53:
        dtype = np.float64
    else:
        return patches.astype(np.int64) @ weights.astype(np.int64).T
    product = patches.astype(dtype) @ weights.astype(dtype).T
    return product.astype(np.int64)


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
    patches, (oh, ow) = im2col(x, op.kernel_size, op.stride_values, op.pad_values,
                               op.padding_value)
    return multibit_dot(patches, weights.reshape(weights.shape[0], -1)), (oh, ow)


def _has_integer_weights(op: bnn.Conv2dOp | bnn.DenseOp) -> bool:
    return not is_bipolar(bnn.tensor_type(op.weights).element_type)


def im2col(
    x: np.ndarray,
    kernel: tuple[int, int],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    pad_value: int,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Patches [N·OH·OW, C·KH·KW] of NCHW `x` (columns ordered c, ky, kx) and (OH, OW)."""
    top, left, bottom, right = pads
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=pad_value)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel, axis=(2, 3))
    windows = windows[:, :, :: strides[0], :: strides[1]]
    n, c, oh, ow, kh, kw = windows.shape
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    return patches, (oh, ow)


def conv2d(op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The exact accumulator [N, OH, OW, O] of a conv2d (before any thresholds), channels last.

    A zero-padded bipolar input is computed as its −1-padded twin plus the border-class
    correction (Conv2dOp's `correction` semantics), so every bipolar conv is pure XNOR-popcount.
    """
    if _has_integer_weights(op):
        acc, (oh, ow) = _multibit_conv(op, x, weights)
        acc = acc.reshape(x.shape[0], oh, ow, weights.shape[0])
        if op.correction is not None:
            acc += _per_position(op, dense_to_numpy(op.correction), x.shape)
        return acc
    bipolar = is_bipolar(bnn.tensor_type(op.input).element_type)
    zero_padded = bipolar and op.padding_value == 0 and any(op.pad_values)
    fill = -1 if zero_padded else op.padding_value
    if bipolar:
        acc, (oh, ow) = _bipolar_conv(op, x, weights, fill)
    else:
        patches, (oh, ow) = im2col(x, op.kernel_size, op.stride_values, op.pad_values, fill)
        acc = integer_dot(patches, weights.reshape(weights.shape[0], -1))
    acc = acc.reshape(x.shape[0], oh, ow, weights.shape[0])
    if zero_padded:
        acc += _per_position(op, _zero_padding_correction(op, weights), x.shape)
    if op.correction is not None:
        acc += _per_position(op, dense_to_numpy(op.correction), x.shape)
    return acc


_CORRECTIONS: weakref.WeakKeyDictionary[bnn.Conv2dOp, np.ndarray] = weakref.WeakKeyDictionary()


def _zero_padding_correction(op: bnn.Conv2dOp, weights: np.ndarray) -> np.ndarray:
    """The border table that turns the −1-padded accumulator into the zero-padded one, computed
    once per op whose weights are a constant."""
    if not isinstance(op.weights.owner, bnn.ConstantOp):
        return border_correction(weights, op.pad_values)
    if op not in _CORRECTIONS:
        _CORRECTIONS[op] = border_correction(weights, op.pad_values)
    return _CORRECTIONS[op]


def _bipolar_conv(
    op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray, fill: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """XNOR-popcount conv: channels are packed into words once per pixel, then padded with the
    packed fill pixel, and the windows are gathered over words (64 channels at a time) rather
    than over single values. Maps come channels last in memory (layer outputs are), so packing
    reads them in order."""
    top, left, bottom, right = op.pad_values
    n, c, h, w = x.shape
    bits = np.ascontiguousarray(x.transpose(0, 2, 3, 1) > 0).reshape(-1, c)
    words = pack_rows(bits).reshape(n, h, w, -1)
    pixels = np.empty((n, h + top + bottom, w + left + right, words.shape[3]), np.uint64)
    pixels[...] = pack_rows(np.full((1, c), fill > 0))[0]
    pixels[:, top : top + h, left : left + w] = words
    windows = np.lib.stride_tricks.sliding_window_view(pixels, op.kernel_size, axis=(1, 2))
    sh, sw = op.stride_values
    windows = windows[:, ::sh, ::sw]  # [N, OH, OW, words, KH, KW]
    _, oh, ow = windows.shape[:3]
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, -1)
    taps = weights.transpose(0, 2, 3, 1)  # (ky, kx, c) as the columns
    packed = pack_rows(taps.reshape(-1, c) > 0).reshape(len(weights), -1)
    return xnor_popcount_words(columns, packed, c * op.kernel_size[0] * op.kernel_size[1]), (oh, ow)


def _per_position(op: bnn.Conv2dOp, table: np.ndarray, in_shape: tuple[int, ...]) -> np.ndarray:
    """A border-class table [th, bh, lh, rh, O] gathered per output position: [OH, OW, O]."""
    (kh, kw), (sh, sw) = op.kernel_size, op.stride_values
    top, left, _, _ = op.pad_values
    out_h, out_w = bnn.tensor_type(op.output).get_shape()[2:]
    th, bh = border_hits(in_shape[2], out_h, kh, sh, top)
    lh, rh = border_hits(in_shape[3], out_w, kw, sw, left)
    return table.astype(np.int64)[th[:, None], bh[:, None], lh[None, :], rh[None, :]]


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
    if is_bipolar(out_elem):
        return (count.astype(np.int8) << 1) - np.int8(1)
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
    shape = np.broadcast_shapes(values.shape, table.shape[:-1])
    count = np.zeros(shape, np.uint8 if steps < 256 else np.int64)
    for step in range(steps):
        count += values >= table[..., step]
    return count


def channels_first(values: np.ndarray) -> np.ndarray:
    """[N, H, W, C] -> [N, C, H, W], as a view."""
    return values.transpose(0, 3, 1, 2)


def max_pool(op: bnn.MaxPoolOp, x: np.ndarray) -> np.ndarray:
    """Max over each window; padded taps never win (they hold the dtype's lowest value).

    Integer maps take the maximum of the KH·KW strided taps, pairwise; float maps reduce each
    window (the order in which NaN and signed zeros meet is then numpy's reduction's)."""
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    top, left, bottom, right = op.pad_values
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=lowest
                    ) if any(op.pad_values) else x
    (kh, kw), (sh, sw) = op.kernel_values, op.stride_values
    if x.dtype.kind == "f":
        windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))
        return windows[:, :, ::sh, ::sw].max(axis=(4, 5))
    oh, ow = (padded.shape[2] - kh) // sh + 1, (padded.shape[3] - kw) // sw + 1
    result = None
    for ky in range(kh):
        for kx in range(kw):
            tap = padded[:, :, ky : ky + sh * (oh - 1) + 1 : sh, kx : kx + sw * (ow - 1) + 1 : sw]
            # the copy keeps the map's memory order (channels last from a layer)
            result = np.array(tap, order="K") if result is None else np.maximum(
                result, tap, out=result)
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
