"""The importer's view of an ONNX tensor as `bnn` IR, shared by the node families."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType
from xdsl.ir import Attribute, SSAValue

from bnnir.dialects import bnn
from bnnir.frontend.onnx.constants import node_error


@dataclass
class Value:
    """A tensor of the ONNX graph as `bnn` IR. For `binary` bipolar values the ONNX tensor holds
    (v + 1) / 2, FINN's {0, 1} encoding of the same bit. `onnx_shape`, when set, is the ONNX
    tensor's shape where it has size-1 axes after the channels that the IR value leaves out
    (FINN's Unsqueeze → BatchNormalization → Squeeze): elementwise nodes work on the IR value,
    any other node reads it reshaped to `onnx_shape`."""

    ssa: SSAValue
    binary: bool = False
    onnx_shape: tuple[int, ...] | None = None

    @property
    def type(self) -> TensorType[Attribute]:
        return bnn.tensor_type(self.ssa)

    @property
    def element_type(self) -> Attribute:
        return self.type.element_type

    @property
    def shape(self) -> tuple[int, ...]:
        """The ONNX tensor's shape (the batch first, as in the IR)."""
        return self.onnx_shape if self.onnx_shape is not None else self.ir_shape

    @property
    def ir_shape(self) -> tuple[int, ...]:
        return self.type.get_shape()


@dataclass(frozen=True)
class LayerInput:
    """The input of a compute layer as integer or bipolar levels: ONNX value = scale · levels +
    offset elementwise (see levels.py); `exact` if that holds for every level."""

    levels: Value
    scale: float = 1.0
    offset: float = 0.0
    values: np.ndarray | None = None
    exact: bool = True
    zero_level: int | None = 0


def require_rank(value: Value, rank: int) -> None:
    if len(value.shape) != rank:
        hint = " (add a Flatten)" if rank == 2 else ""
        raise node_error(f"expected a rank-{rank} input, got shape "
                         f"{bnn.shape_str(value.shape)}{hint}")


def integer_type(low: int, high: int) -> IntegerType:
    """The narrowest signed/unsigned integer type holding low..high."""
    if low >= 0:
        return IntegerType(max(int(high).bit_length(), 1), Signedness.UNSIGNED)
    width = max(int(high).bit_length(), int(-low - 1).bit_length()) + 1
    return IntegerType(width, Signedness.SIGNED)
