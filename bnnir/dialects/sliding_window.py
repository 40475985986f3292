"""Geometry of sliding windows over padded NCHW inputs (bnn.conv2d, bnn.max_pool and their
hwstream kernels): output extents, the border class of each output position, and the border
correction that turns a −1-padded bipolar accumulator into the zero-padded one."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np


def window_output_size(size: int, kernel: int, stride: int, pad_before: int, pad_after: int) -> int:
    """Output extent of a sliding window (floor mode, as ONNX Conv and MaxPool)."""
    return (size + pad_before + pad_after - kernel) // stride + 1


def sliding_window_shape(
    input_shape: Sequence[int],
    channels: int,
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
) -> tuple[int, ...]:
    """NCHW output shape of a window op; pads are (top, left, bottom, right)."""
    n, _, h, w = input_shape
    oh = window_output_size(h, kernel[0], strides[0], pads[0], pads[2])
    ow = window_output_size(w, kernel[1], strides[1], pads[1], pads[3])
    return (n, channels, oh, ow)


def border_hits(
    size: int, out_size: int, kernel: int, stride: int, pad_before: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per output row (or column): how many kernel taps fall into the padding before and after
    the input. These counts are a position's border class along that axis."""
    start = np.arange(out_size) * stride - pad_before
    before = np.clip(-start, 0, kernel)
    after = np.clip(start + kernel - size, 0, kernel)
    return before, after


def correction_shape(kernel: Sequence[int], pads: Sequence[int], channels: int) -> tuple[int, ...]:
    """Shape of a conv's border correction table: [top, bottom, left, right hits + 1..., C]."""
    kh, kw = kernel
    top, left, bottom, right = pads
    return (min(top, kh) + 1, min(bottom, kh) + 1, min(left, kw) + 1, min(right, kw) + 1, channels)


def border_correction(weights: np.ndarray, pads: tuple[int, ...]) -> np.ndarray:
    """The additive table [top, bottom, left, right hits..., C] that turns a −1-padded
    accumulator into the zero-padded one: the sum of the weights on the padded taps."""
    channels, _, kh, kw = weights.shape
    weights = weights.astype(np.int64)
    table = np.zeros(correction_shape((kh, kw), pads, channels), dtype=np.int64)
    rows, cols = np.arange(kh)[:, None], np.arange(kw)[None, :]
    for th, bh, lh, rh in itertools.product(*(range(n) for n in table.shape[:4])):
        padded = (rows < th) | (rows >= kh - bh) | (cols < lh) | (cols >= kw - rh)
        table[th, bh, lh, rh] = weights[:, :, padded].sum(axis=(1, 2))
    return table
