"""Interpreter implementations of the `bnn` dialect: exact, vectorized numpy.

Runtime values are numpy arrays: bipolar (`i1`) tensors hold int8 ±1, integer tensors the
element type's numpy dtype (`bnn.numpy_dtype`), f32 tensors float32. The float32 ops call the
ops' own `evaluate` methods, which the threshold-fusion pass uses too, so both read one
definition.

Layers with a bipolar input run as XNOR-popcount over 64-bit words: the im2col patches and the
weight rows are bit-packed, XOR-ed and counted with `np.bitwise_count`. Layers with an integer
input multiply float ±1 weights with BLAS, exact while every sum stays below 2^24 (float32) or
2^53 (float64); the bound is checked per layer.
"""

from __future__ import annotations

import weakref

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from bnnir.dialects import bnn

_TILE_BYTES = 32 << 20
"""Upper bound on the XOR temporary of one tile of the popcount kernel."""


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
    (unused bits 0 in both): taps − 2·popcount(x ⊕ w), one word column at a time so the
    intermediates stay [M, O]."""
    counter = np.uint16 if taps < 1 << 16 else np.uint32
    rows = max(1, _TILE_BYTES // max(1, 8 * w.shape[0]))
    result = np.empty((x.shape[0], w.shape[0]), dtype=np.int64)
    for start in range(0, x.shape[0], rows):
        tile = x[start : start + rows]
        mismatches = np.zeros((len(tile), w.shape[0]), dtype=counter)
        for word in range(x.shape[1]):
            mismatches += np.bitwise_count(tile[:, word, None] ^ w[None, :, word])
        result[start : start + rows] = taps - 2 * mismatches.astype(np.int64)
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
    """The exact accumulator [N, O, OH, OW] of a conv2d (before any thresholds).

    A zero-padded bipolar input is computed as its −1-padded twin plus the border-class
    correction (Conv2dOp's `correction` semantics), so every bipolar conv is pure XNOR-popcount.
    """
    bipolar = bnn.is_bipolar(bnn.tensor_type(op.input).element_type)
    zero_padded = bipolar and op.padding_value == 0 and any(op.pad_values)
    fill = -1 if zero_padded else op.padding_value
    if bipolar:
        acc, (oh, ow) = _bipolar_conv(op, x, weights, fill)
    else:
        patches, (oh, ow) = im2col(x, op.kernel_size, op.stride_values, op.pad_values, fill)
        acc = integer_dot(patches, weights.reshape(weights.shape[0], -1))
    acc = acc.reshape(x.shape[0], oh, ow, weights.shape[0]).transpose(0, 3, 1, 2)
    if zero_padded:
        acc += _per_position(op, _zero_padding_correction(op, weights), x.shape)
    if op.correction is not None:
        acc += _per_position(op, bnn.dense_to_numpy(op.correction), x.shape)
    return acc


_CORRECTIONS: weakref.WeakKeyDictionary[bnn.Conv2dOp, np.ndarray] = weakref.WeakKeyDictionary()


def _zero_padding_correction(op: bnn.Conv2dOp, weights: np.ndarray) -> np.ndarray:
    """The border table that turns the −1-padded accumulator into the zero-padded one, computed
    once per op whose weights are a constant."""
    if not isinstance(op.weights.owner, bnn.ConstantOp):
        return bnn.border_correction(weights, op.pad_values)
    if op not in _CORRECTIONS:
        _CORRECTIONS[op] = bnn.border_correction(weights, op.pad_values)
    return _CORRECTIONS[op]


def _bipolar_conv(
    op: bnn.Conv2dOp, x: np.ndarray, weights: np.ndarray, fill: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """XNOR-popcount conv: channels are packed into words once per pixel, and the windows are
    gathered over words (64 channels at a time) rather than over single values."""
    top, left, bottom, right = op.pad_values
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    n, c, h, w = padded.shape
    pixels = pack_rows(padded.transpose(0, 2, 3, 1).reshape(-1, c) > 0).reshape(n, h, w, -1)
    windows = np.lib.stride_tricks.sliding_window_view(pixels, op.kernel_size, axis=(1, 2))
    sh, sw = op.stride_values
    windows = windows[:, ::sh, ::sw]  # [N, OH, OW, words, KH, KW]
    _, oh, ow = windows.shape[:3]
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, -1)
    taps = weights.transpose(0, 2, 3, 1)  # (ky, kx, c) as the columns
    packed = pack_rows(taps.reshape(-1, c) > 0).reshape(len(weights), -1)
    return xnor_popcount_words(columns, packed, c * op.kernel_size[0] * op.kernel_size[1]), (oh, ow)


def _per_position(op: bnn.Conv2dOp, table: np.ndarray, in_shape: tuple[int, ...]) -> np.ndarray:
    """A border-class table [th, bh, lh, rh, O] gathered per output position: [O, OH, OW]."""
    (kh, kw), (sh, sw) = op.kernel_size, op.stride_values
    top, left, _, _ = op.pad_values
    out_h, out_w = bnn.tensor_type(op.output).get_shape()[2:]
    th, bh = bnn.border_hits(in_shape[2], out_h, kh, sh, top)
    lh, rh = bnn.border_hits(in_shape[3], out_w, kw, sw, left)
    gathered = table.astype(np.int64)[th[:, None], bh[:, None], lh[None, :], rh[None, :]]
    return gathered.transpose(2, 0, 1)


def dense(op: bnn.DenseOp, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if bnn.is_bipolar(bnn.tensor_type(op.input).element_type):
        return xnor_popcount_dot(x, weights)
    return integer_dot(x, weights)


def layer_output(op: bnn.ThresholdedOp, acc: np.ndarray) -> np.ndarray:
    """A layer's result: its thresholded activation, or the accumulator in the result type."""
    out_elem = bnn.tensor_type(op.results[0]).element_type
    if op.thresholds is not None:
        return op.apply_thresholds(acc, out_elem)
    return acc.astype(bnn.numpy_dtype(out_elem))


def max_pool(op: bnn.MaxPoolOp, x: np.ndarray) -> np.ndarray:
    """Max over each window; padded taps never win (they hold the dtype's lowest value)."""
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    top, left, bottom, right = op.pad_values
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=lowest)
    windows = np.lib.stride_tricks.sliding_window_view(padded, op.kernel_values, axis=(2, 3))
    sh, sw = op.stride_values
    return windows[:, :, ::sh, ::sw].max(axis=(4, 5))


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
        return (layer_output(op, conv2d(op, x, weights)),)

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
        return (op.apply_thresholds(args[0], out_elem),)

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
