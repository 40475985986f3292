"""Values of the `bnn` dialect: element types, their numpy storage and their attribute encodings.

The element type of a tensor carries its encoding (see design.md, "Values and encodings"): `i1` is
bipolar (bit 1 = +1, bit 0 = -1), `ui<N>` / `si<N>` are integers, `f32` is real. This module is
the one place that maps these encodings to numpy arrays and back, for the op verifiers and
builders, the passes, the analyses, both interpreters and the backends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    IntegerType,
    Signedness,
    TensorType,
)
from xdsl.ir import Attribute

bipolar = IntegerType(1)
"""The element type of bipolar values: bit 1 = +1, bit 0 = -1."""

si32 = IntegerType(32, Signedness.SIGNED)
"""The element type of exact accumulators."""

si64 = IntegerType(64, Signedness.SIGNED)
ui8 = IntegerType(8, Signedness.UNSIGNED)
si8 = IntegerType(8, Signedness.SIGNED)


def is_bipolar(element_type: Attribute) -> bool:
    return isinstance(element_type, IntegerType) and element_type == bipolar


MAX_WEIGHT_BITS = 8
"""The widest integer weights (`si<N>`, 2 <= N <= 8) a layer takes."""


def is_integer_weight(element_type: Attribute) -> bool:
    """`si<N>` with 2 <= N <= MAX_WEIGHT_BITS: multi-bit two's complement weights (ternary weights
    are si2 holding −1, 0 and +1)."""
    return (
        isinstance(element_type, IntegerType)
        and element_type.signedness.data == Signedness.SIGNED
        and 2 <= element_type.width.data <= MAX_WEIGHT_BITS
    )


def weight_bits(element_type: Attribute) -> int:
    """The bits per weight of a layer's weight element type: 1 for bipolar, N for `si<N>`."""
    if is_bipolar(element_type):
        return 1
    if is_integer_weight(element_type):
        assert isinstance(element_type, IntegerType)
        return element_type.width.data
    raise ValueError(f"{element_type} is not a weight element type (i1 or si2..si8)")


def weight_type(bits: int) -> IntegerType:
    """The weight element type of `bits` bits per weight: i1 (bipolar) or si<bits>."""
    if bits == 1:
        return bipolar
    if not 2 <= bits <= MAX_WEIGHT_BITS:
        raise ValueError(f"weights have 1 to {MAX_WEIGHT_BITS} bits, not {bits}")
    return IntegerType(bits, Signedness.SIGNED)


def is_integer_activation(element_type: Attribute) -> bool:
    """Signed or unsigned integers (not bipolar, not signless)."""
    return (
        isinstance(element_type, IntegerType)
        and element_type.signedness.data != Signedness.SIGNLESS
        and element_type.width.data >= 1
    )


def integer_range(element_type: IntegerType) -> tuple[int, int]:
    """The inclusive value range of an element type (bipolar: -1..1)."""
    if is_bipolar(element_type):
        return -1, 1
    width = element_type.width.data
    if element_type.signedness.data == Signedness.UNSIGNED:
        return 0, (1 << width) - 1
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that stores values of `element_type` in the interpreter and in attributes."""
    if isinstance(element_type, Float32Type):
        return np.dtype(np.float32)
    if isinstance(element_type, IntegerType):
        if is_bipolar(element_type):
            return np.dtype(np.int8)
        width = element_type.width.data
        unsigned = element_type.signedness.data == Signedness.UNSIGNED
        for bits in (8, 16, 32, 64):
            if width <= bits:
                return np.dtype(f"{'u' if unsigned else ''}int{bits}")
    raise ValueError(f"no numpy dtype for element type {element_type}")


def dense_from_numpy(values: np.ndarray, element_type: Attribute) -> DenseIntOrFPElementsAttr:
    """A dense elements attribute of `values`, built from packed bytes (never a Python list)."""
    data = np.ascontiguousarray(values, dtype=numpy_dtype(element_type).newbyteorder("<"))
    return DenseIntOrFPElementsAttr(
        TensorType(element_type, values.shape), BytesAttr(data.tobytes())
    )


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The values of a dense elements attribute as a numpy array of its shape (read-only view)."""
    dtype = numpy_dtype(attr.get_element_type()).newbyteorder("<")
    return np.frombuffer(attr.data.data, dtype=dtype).reshape(attr.get_shape())


def pack_bipolar(values: np.ndarray) -> bytes:
    """Pack ±1 values (row-major) one bit each, element i at bit i % 8 of byte i // 8."""
    return np.packbits(values.reshape(-1) > 0, bitorder="little").tobytes()


def unpack_bipolar(data: bytes, shape: Sequence[int]) -> np.ndarray:
    """The inverse of `pack_bipolar`: an int8 array of ±1 values."""
    count = int(np.prod(shape, dtype=np.int64))
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=count, bitorder="little")
    return (bits.astype(np.int8) * 2 - 1).reshape(shape)


def packed_size(count: int, width: int) -> int:
    """Bytes of `count` values packed `width` bits each."""
    return (count * width + 7) // 8


def pack_integers(values: np.ndarray, width: int) -> bytes:
    """Pack integers (row-major) `width` bits each, two's complement: element i occupies bits
    [i·width, i·width + width) of the little-endian bit stream (byte b holds bits 8b..8b+7, least
    significant first); the bits after the last element are zero. Values must fit si<width>."""
    flat = np.asarray(values).reshape(-1).astype(np.int64)
    bits = np.unpackbits((flat & ((1 << width) - 1)).astype(np.uint8)[:, None], axis=1,
                         bitorder="little")[:, :width]
    return np.packbits(bits.reshape(-1), bitorder="little").tobytes()


def unpack_integers(data: bytes, shape: Sequence[int], width: int) -> np.ndarray:
    """The inverse of `pack_integers`: an int8 array of si<width> values."""
    count = int(np.prod(shape, dtype=np.int64))
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=count * width,
                         bitorder="little").reshape(count, width)
    unsigned = bits.astype(np.int16) @ (1 << np.arange(width, dtype=np.int16))
    signed = unsigned - (bits[:, -1].astype(np.int16) << width)
    return signed.astype(np.int8).reshape(shape)
