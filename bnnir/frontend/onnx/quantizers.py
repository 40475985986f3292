"""QONNX quantizer semantics, and their exact float32 switching points.

The formulas are QONNX's (qonnx/custom_op/general/intquant.py and bipolar_quant.py, read for the
facts, not copied): `Quant` computes q = fl(fl(x / scale) + zeropt) in float32, then (bit width
> 1) clamps q to the integer range and rounds it; a 1-bit signed `Quant` and `BipolarQuant` give
+1 where q >= 0 (x >= 0 for BipolarQuant) and -1 elsewhere. The output is (q - zeropt) * scale.

An activation quantizer is a monotone step function of its float32 input, so it equals a
multi-threshold: level k is reached exactly when x >= t_k. `level_thresholds` finds each t_k as
the smallest float32 with quant(x) >= k, by bisection over the ordered float32 bit patterns, so the
thresholds are exact for every float32 input, not only approximately right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_ROUNDING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "ROUND": np.round,  # half to even
    "HALF_EVEN": np.round,
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "DOWN": np.trunc,
    "UP": lambda q: np.sign(q) * np.ceil(np.abs(q)),
    "HALF_UP": lambda q: np.sign(q) * np.floor(np.abs(q) + np.float32(0.5)),
    "HALF_DOWN": lambda q: np.sign(q) * np.ceil(np.abs(q) - np.float32(0.5)),
}

ROUNDING_MODES = tuple(_ROUNDING)


@dataclass(frozen=True)
class IntQuantizer:
    """An integer `Quant` node: scale and zeropt broadcast against the input."""

    scale: np.ndarray
    zeropt: np.ndarray
    bit_width: int
    signed: bool
    narrow: bool
    rounding_mode: str = "ROUND"

    @property
    def min_int(self) -> int:
        if not self.signed:
            return 0
        return -(1 << (self.bit_width - 1)) + (1 if self.narrow else 0)

    @property
    def max_int(self) -> int:
        if self.signed:
            return (1 << (self.bit_width - 1)) - 1
        return (1 << self.bit_width) - (2 if self.narrow else 1)

    @property
    def is_bipolar(self) -> bool:
        return self.bit_width == 1 and self.signed

    def integer(self, x: np.ndarray) -> np.ndarray:
        """The quantized integer (before re-scaling), as float32."""
        q = x.astype(np.float32) / self.scale.astype(np.float32) + self.zeropt.astype(np.float32)
        q = q.astype(np.float32)
        if self.is_bipolar:
            return np.where(q >= 0, np.float32(1), np.float32(-1))
        q = np.clip(q, np.float32(self.min_int), np.float32(self.max_int))
        return _ROUNDING[self.rounding_mode.upper()](q).astype(np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The full Quant output (q − zeropt) · scale in float32."""
        q = self.integer(x) - self.zeropt.astype(np.float32)
        return (q * self.scale.astype(np.float32)).astype(np.float32)


def bipolar_quant(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """QONNX BipolarQuant: +scale where x >= 0, −scale elsewhere."""
    ones = np.where(x >= 0, np.float32(1), np.float32(-1))
    return (ones * scale.astype(np.float32)).astype(np.float32)


# ===----------------------------------------------------------------------=== #
# Exact float32 switching points
# ===----------------------------------------------------------------------=== #


def _to_ordered(values: np.ndarray) -> np.ndarray:
    """Map float32 values to int64 keys that sort as the floats do (−0.0 and +0.0 share 0)."""
    bits = values.astype(np.float32).view(np.int32).astype(np.int64)
    return np.where(bits >= 0, bits, -(bits & 0x7FFFFFFF))


def _from_ordered(keys: np.ndarray) -> np.ndarray:
    bits = np.where(keys >= 0, keys, (-keys) | 0x80000000).astype(np.uint32)
    return bits.view(np.float32)


def smallest_float_reaching(
    reaches: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...]
) -> np.ndarray:
    """Per element, the smallest float32 x with reaches(x) true, for a predicate that is monotone
    (false, then true) in x and true at +inf. Vectorized bisection over float32 bit patterns."""
    lo = np.full(shape, int(_to_ordered(np.array([-np.inf]))[0]), dtype=np.int64)
    hi = np.full(shape, int(_to_ordered(np.array([np.inf]))[0]), dtype=np.int64)
    lo_true = reaches(_from_ordered(lo))
    while np.any(hi - lo > 1):
        mid = lo + (hi - lo) // 2
        ok = reaches(_from_ordered(mid))
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return np.where(lo_true, _from_ordered(lo), _from_ordered(hi))


def level_thresholds(quantizer: IntQuantizer, channels: int) -> np.ndarray:
    """Thresholds [C, L−1] such that quantizer.integer(x) = min_int + Σ_k [x >= t_k] for every
    float32 x in channel c; scale and zeropt are scalars or per-channel (axis 1)."""
    levels = (
        np.array([1], dtype=np.float32)
        if quantizer.is_bipolar
        else np.arange(quantizer.min_int + 1, quantizer.max_int + 1, dtype=np.float32)
    )
    scale = np.broadcast_to(quantizer.scale.reshape(-1), (channels,)).reshape(channels, 1)
    zeropt = np.broadcast_to(quantizer.zeropt.reshape(-1), (channels,)).reshape(channels, 1)
    per_channel = IntQuantizer(
        scale, zeropt, quantizer.bit_width, quantizer.signed, quantizer.narrow,
        quantizer.rounding_mode,
    )
    shape = (channels, len(levels))
    return smallest_float_reaching(lambda x: per_channel.integer(x) >= levels, shape)
