"""Float32 arithmetic of the real-valued `bnn` ops (before threshold fusion), as onnxruntime
evaluates it: per-channel broadcasting and a singly rounded fused multiply-add."""

from __future__ import annotations

import numpy as np


def per_channel(values: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """A vector of 1 or C values shaped to broadcast along `axis` of an `ndim`-d array."""
    shape = [1] * ndim
    shape[axis] = values.size
    return values.reshape(shape)


def fused_multiply_add(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """fl(x · a + b) for float32 arrays, rounded once to float32 as an FMA instruction does.

    The product of two float32 values is exact in float64; the float64 sum s is made exact to
    round to float32 by rounding to odd (s and its error e from Knuth's TwoSum: where e != 0 and
    s is even, the neighbour of s towards the exact sum is odd). Rounding a round-to-odd value
    with at least two extra bits to float32 equals rounding the exact sum (Boldo & Melquiond,
    "When double rounding is odd", 2005)."""
    product = x.astype(np.float64) * a.astype(np.float64)
    addend = np.broadcast_to(b.astype(np.float64), product.shape)
    total = product + addend
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf; overflow to ±inf is IEEE's
        virtual = total - product
        error = (product - (total - virtual)) + (addend - virtual)
        even = (total.view(np.uint64) & 1) == 0
        towards = np.where(error > 0, np.inf, -np.inf)
        odd = np.where((error != 0) & even, np.nextafter(total, towards), total)
        return odd.astype(np.float32)
