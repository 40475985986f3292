"""The `bnn` dialect: binarized neural networks at the tensor level.

Values are builtin tensors in NCHW layout (or NC for fully connected layers); the batch dimension
may be dynamic (`?`), every other dimension is static. Element types carry the encoding
(see docs of `design.md`, "Values and encodings"):

* `i1`: a bipolar value, bit 1 = +1 and bit 0 = -1;
* `ui<N>` / `si<N>`: integer activations (8-bit pixels, multi-bit activations, accumulators);
* `f32`: real values, only before threshold fusion (batch-norm and scale parameters).

Weight constants are stored bit-packed, one bit per bipolar weight and N bits per `si<N>` weight
(2 <= N <= 8, two's complement), so large networks print and parse quickly:

    %w = bnn.constant bits<"0x5A0F"> : tensor<4x1x2x2xi1>
    %v = bnn.constant bits<"0x1B"> : tensor<2x2xsi2>
    %a = bnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
             : tensor<?x1x8x8xi1>, tensor<4x1x2x2xi1> -> tensor<?x4x9x9xsi32>

Every op states its exact integer (or float32) semantics in its docstring; the interpreter in
`bnnir/interp/bnn.py` implements exactly that. The value semantics the ops share with passes,
interpreters and backends live below this file: element types, numpy storage and bit packing in
`bnn_values`, window geometry and border corrections in `sliding_window`, float32 arithmetic as
onnxruntime evaluates it in `arithmetic`.
"""

from __future__ import annotations

import math
from abc import ABC
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float32Type,
    FloatAttr,
    FloatData,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    i64,
)
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from bnnir.dialects.arithmetic import fused_multiply_add, per_channel
from bnnir.dialects.bnn_values import (
    MAX_WEIGHT_BITS,
    bipolar,
    dense_from_numpy,
    dense_to_numpy,
    integer_range,
    is_bipolar,
    is_integer_activation,
    is_integer_weight,
    numpy_dtype,
    pack_bipolar,
    pack_integers,
    packed_size,
    si32,
    si64,
    unpack_bipolar,
    unpack_integers,
    weight_bits,
    weight_type,
)
from bnnir.dialects.sliding_window import correction_shape, sliding_window_shape

# ===----------------------------------------------------------------------=== #
# Shape helpers shared by verifiers and builders
# ===----------------------------------------------------------------------=== #


def tensor_type(value: SSAValue) -> TensorType[Attribute]:
    if not isinstance(value.type, TensorType):
        raise VerifyException(f"expected a ranked tensor, got {value.type}")
    return value.type


def shape_str(shape: Sequence[int]) -> str:
    return "x".join("?" if d == DYNAMIC_INDEX else str(d) for d in shape)


def _int_list(attr: DenseArrayBase) -> tuple[int, ...]:
    return tuple(int(v) for v in attr.iter_values())


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def _check_rank(op: str, what: str, shape: Sequence[int], ranks: Sequence[int]) -> None:
    if len(shape) not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise VerifyException(
            f"'{op}' {what} must have rank {expected}, got tensor<{shape_str(shape)}>"
        )


def _check_static(op: str, what: str, shape: Sequence[int]) -> None:
    if any(d == DYNAMIC_INDEX for d in shape[1:]):
        raise VerifyException(
            f"'{op}' {what} may be dynamic only in the batch dimension, "
            f"got tensor<{shape_str(shape)}>"
        )


def _check_same_batch(op: str, inp: Sequence[int], out: Sequence[int]) -> None:
    if inp[0] != out[0]:
        raise VerifyException(
            f"'{op}' result batch dimension ({shape_str(out[:1])}) must equal the input's "
            f"({shape_str(inp[:1])})"
        )


def _check_shape(op: str, expected: Sequence[int], actual: Sequence[int]) -> None:
    if tuple(expected) != tuple(actual):
        raise VerifyException(
            f"'{op}' result shape must be tensor<{shape_str(expected)}>, "
            f"got tensor<{shape_str(actual)}>"
        )


def _check_pairs(op: str, name: str, values: Sequence[int], count: int, minimum: int) -> None:
    if len(values) != count:
        raise VerifyException(f"'{op}' {name} must have {count} entries, got {len(values)}")
    if any(v < minimum for v in values):
        raise VerifyException(f"'{op}' {name} must be >= {minimum}, got {list(values)}")


def _check_channel_list(op: str, name: str, listed: Sequence[int], channels: int) -> None:
    if any(not 0 <= c < channels for c in listed) or list(listed) != sorted(set(listed)):
        raise VerifyException(
            f"'{op}' {name} must list distinct channels in 0..{channels - 1} in increasing "
            f"order, got {list(listed)}"
        )


# ===----------------------------------------------------------------------=== #
# Constants
# ===----------------------------------------------------------------------=== #


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A constant tensor.

    Weight constants, bipolar (`i1`) or `si<N>` with 2 <= N <= 8, are stored bit-packed: `value`
    is a `tensor<Bxi8>` of B = ceil(numel · N / 8) bytes (N = 1 for i1), element i (row-major)
    occupying bits [i·N, i·N + N) of the little-endian bit stream (byte b holds bits 8b..8b+7,
    least significant first), bit 1 = +1 for i1, two's complement for si<N>; the bits after the
    last element are zero. Other constants (and `si<N>` ones given as a dense attribute of the
    result type) store their values directly.

        %w = bnn.constant bits<"0x0F"> : tensor<2x4xi1>
        %v = bnn.constant bits<"0xE4"> : tensor<4xsi2>    // 0, 1, -2, -1
        %t = bnn.constant dense<[1, 2]> : tensor<2xsi32>
    """

    name = "bnn.constant"

    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)

    traits = traits_def(ConstantLike(), Pure())

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: TensorType[Attribute]):
        super().__init__(properties={"value": value}, result_types=[result_type])

    @staticmethod
    def _packed(data: bytes, result_type: TensorType[Attribute]) -> ConstantOp:
        packed = DenseIntOrFPElementsAttr(TensorType(IntegerType(8), [len(data)]), BytesAttr(data))
        return ConstantOp(packed, result_type)

    @staticmethod
    def from_bipolar(values: np.ndarray) -> ConstantOp:
        """A bit-packed constant from an array of ±1 values."""
        return ConstantOp._packed(pack_bipolar(values), TensorType(bipolar, values.shape))

    @staticmethod
    def from_integers(values: np.ndarray, width: int) -> ConstantOp:
        """A bit-packed weight constant of `width` bits per value: i1 (±1 values) for width 1,
        else si<width>. Raises ValueError for a value the type cannot hold."""
        element = weight_type(width)
        values = np.asarray(values)
        low, high = integer_range(element)
        bad = (values != -1) & (values != 1) if width == 1 else (values < low) | (values > high)
        if np.any(bad):
            at = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"weight {values[at]} at index {at} does not fit {element}")
        if width == 1:
            return ConstantOp.from_bipolar(values)
        return ConstantOp._packed(pack_integers(values, width), TensorType(element, values.shape))

    @property
    def is_packed(self) -> bool:
        """Whether `value` holds the packed bits of a weight constant: always for i1; for
        si<N>, when it is a vector of signless bytes (not a dense si<N> attribute)."""
        element = tensor_type(self.result).element_type
        return is_bipolar(element) or (
            is_integer_weight(element)
            and self.value.get_element_type() == IntegerType(8)
            and len(self.value.get_shape()) == 1
        )

    def to_numpy(self) -> np.ndarray:
        """The constant's values; bipolar constants are unpacked to int8 ±1, packed si<N> ones
        to int8."""
        result_type = tensor_type(self.result)
        if not self.is_packed:
            return dense_to_numpy(self.value)
        shape, element = result_type.get_shape(), result_type.element_type
        if is_bipolar(element):
            return unpack_bipolar(self.value.data.data, shape)
        return unpack_integers(self.value.data.data, shape, weight_bits(element))

    def verify_(self) -> None:
        result_type = tensor_type(self.result)
        shape = result_type.get_shape()
        if any(d == DYNAMIC_INDEX for d in shape):
            raise VerifyException(f"'bnn.constant' must have a static shape, got {result_type}")
        if not self.is_packed:
            if self.value.get_type() != result_type:
                raise VerifyException(
                    f"'bnn.constant' value type {self.value.get_type()} must equal the result "
                    f"type {result_type}"
                    + (f" (packed bits hold i1 or si2..si{MAX_WEIGHT_BITS} weights only)"
                       if self.value.get_element_type() == IntegerType(8) else "")
                )
            return
        count = int(np.prod(shape, dtype=np.int64))
        width = weight_bits(result_type.element_type)
        expected = packed_size(count, width)
        packed_type = TensorType(IntegerType(8), [expected])
        if self.value.get_type() != packed_type:
            raise VerifyException(
                f"'bnn.constant' of {result_type} must hold {expected} packed bytes as "
                f"{packed_type}, got {self.value.get_type()}"
            )
        used = count * width % 8
        if used and self.value.data.data[-1] >> used:
            raise VerifyException(
                f"'bnn.constant' padding bits after the last of {count} weights must be zero"
            )

    def print(self, printer: Printer) -> None:
        result_type = tensor_type(self.result)
        if self.is_packed:
            printer.print_string(f' bits<"0x{self.value.data.data.hex().upper()}">')
            printer.print_op_attributes(self.attributes)
            printer.print_string(" : ")
            printer.print_attribute(result_type)
        else:
            printer.print_string(" ")
            printer.print_attribute(self.value)
            printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        if parser.parse_optional_keyword("bits") is not None:
            with parser.in_angle_brackets():
                pos = parser.pos
                text = parser.parse_str_literal("packed bits as a hex string")
            attributes = parser.parse_optional_attr_dict()
            parser.parse_punctuation(":")
            result_type = parser.parse_type()
            if not text.startswith("0x"):
                parser.raise_error("packed bits must be a hex string starting with 0x", pos)
            try:
                data = bytes.fromhex(text[2:])
            except ValueError:
                parser.raise_error("packed bits must be a hex string", pos)
            packed = DenseIntOrFPElementsAttr(
                TensorType(IntegerType(8), [len(data)]), BytesAttr(data)
            )
            if not isinstance(result_type, TensorType):
                parser.raise_error(f"bnn.constant must have a tensor type, got {result_type}")
            op = cls(packed, result_type)
        else:
            value = parser.parse_attribute()
            if not isinstance(value, DenseIntOrFPElementsAttr):
                parser.raise_error("expected `bits<\"0x...\">` or a dense elements attribute")
            attributes = parser.parse_optional_attr_dict()
            op = cls(value, value.get_type())
        op.attributes.update(attributes)
        return op


# ===----------------------------------------------------------------------=== #
# Thresholding, shared by bnn.threshold and the matrix-vector-threshold form of the layers
# ===----------------------------------------------------------------------=== #


class ThresholdedOp(IRDLOperation, ABC):
    """An op whose output may be thresholded per channel (axis 1).

    With thresholds t_{c,0} ≤ … ≤ t_{c,T−1} for channel c (row c of `thresholds`, or row 0 for all
    channels if it has one row), the output is count = Σ_i [v ≥ t_{c,i}] for the op's value v, or
    Σ_i [v ≤ t_{c,i}] for a channel listed in `descending` (a negative batch-norm scale). An
    integer result holds `bias` + count (FINN's ActVal, default 0), which must fit its element
    type for every count; an `i1` result (T = 1, no bias) is bipolar: +1 when count = 1, else −1.
    Thresholds are f32 for an f32 value and signed integers for an integer one.

    `value_range` = [lo, hi] states the range of an integer value (its fan-in bound) that the
    thresholds were computed for; they lie within [lo − 1, hi + 1]. Compared with ≥, a threshold
    of lo is always met and hi + 1 never; with ≤ (`descending`), hi always and lo − 1 never. A
    channel with only such thresholds (a batch-norm scale of 0) outputs a constant.
    """

    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    descending = opt_prop_def(DenseArrayBase)
    bias = opt_prop_def(IntegerAttr)
    value_range = opt_prop_def(DenseArrayBase)

    @property
    def bias_value(self) -> int:
        return 0 if self.bias is None else self.bias.value.data

    @property
    def descending_channels(self) -> tuple[int, ...]:
        return () if self.descending is None else _int_list(self.descending)

    def apply_thresholds(
        self, values: np.ndarray, out_elem: Attribute, axis: int = 1
    ) -> np.ndarray:
        """Threshold `values` (channels along `axis`): int8 ±1 for an i1 result, else bias +
        count in the result's numpy dtype."""
        assert self.thresholds is not None
        table = dense_to_numpy(self.thresholds)
        channels = values.shape[axis]
        table = np.broadcast_to(table, (channels, table.shape[1]))
        descending = np.zeros((channels, 1), dtype=bool)
        descending[list(self.descending_channels)] = True
        moved = np.moveaxis(values, axis, -1)[..., None]
        counts = np.where(descending, moved <= table, moved >= table).sum(axis=-1)
        counts = np.moveaxis(counts, -1, axis)
        if is_bipolar(out_elem):
            return np.where(counts > 0, 1, -1).astype(np.int8)
        return (counts + self.bias_value).astype(numpy_dtype(out_elem))

    def verify_thresholds(self, channels: int, value_type: Attribute, out_elem: Attribute) -> None:
        if self.thresholds is None:
            if any(p is not None for p in (self.descending, self.bias, self.value_range)):
                raise VerifyException(f"'{self.name}' has `descending`, `bias` or `value_range` "
                                      "but no thresholds")
            return
        name = self.name
        t_shape = self.thresholds.get_shape()
        if len(t_shape) != 2 or t_shape[0] not in (1, channels) or t_shape[1] < 1:
            raise VerifyException(
                f"'{name}' thresholds must be tensor<{channels}xTx...> or tensor<1xTx...> "
                f"with T >= 1, got tensor<{shape_str(t_shape)}>"
            )
        t_elem = self.thresholds.get_element_type()
        if isinstance(value_type, Float32Type):
            if not isinstance(t_elem, Float32Type):
                raise VerifyException(
                    f"'{name}' thresholds of an f32 value must be f32, got {t_elem}"
                )
        elif not (isinstance(t_elem, IntegerType) and t_elem.signedness.data == Signedness.SIGNED):
            raise VerifyException(
                f"'{name}' thresholds of an integer value must be signed integers, got {t_elem}"
            )
        self._verify_no_nan()
        self._verify_sorted()
        self._verify_range()
        self._verify_descending(channels)
        self._verify_threshold_output(out_elem, t_shape[1])

    def _verify_no_nan(self) -> None:
        assert self.thresholds is not None
        values = dense_to_numpy(self.thresholds)
        if values.dtype.kind == "f" and np.isnan(values).any():
            row = int(np.argwhere(np.isnan(values))[0][0])
            raise VerifyException(
                f"'{self.name}' thresholds of channel {row} must not be NaN, got "
                f"{values[row].tolist()}"
            )

    def _verify_sorted(self) -> None:
        assert self.thresholds is not None
        values = dense_to_numpy(self.thresholds)
        unsorted = np.nonzero(np.any(values[:, 1:] < values[:, :-1], axis=1))[0]
        if unsorted.size:
            row = int(unsorted[0])
            raise VerifyException(
                f"'{self.name}' thresholds of channel {row} must be sorted ascending, got "
                f"{values[row].tolist()}"
            )

    def _verify_range(self) -> None:
        if self.value_range is None:
            return
        assert self.thresholds is not None
        bounds = _int_list(self.value_range)
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise VerifyException(f"'{self.name}' value_range must be [lo, hi] with lo <= hi, "
                                  f"got {list(bounds)}")
        values = dense_to_numpy(self.thresholds)
        outside = np.argwhere((values < bounds[0] - 1) | (values > bounds[1] + 1))
        if outside.size:
            row, step = (int(i) for i in outside[0])
            raise VerifyException(
                f"'{self.name}' threshold {values[row, step]} of channel {row} lies outside "
                f"[{bounds[0] - 1}, {bounds[1] + 1}] (value_range {list(bounds)})"
            )

    def _verify_descending(self, channels: int) -> None:
        _check_channel_list(self.name, "descending", self.descending_channels, channels)

    def _verify_threshold_output(self, out_elem: Attribute, steps: int) -> None:
        if is_bipolar(out_elem):
            if steps != 1 or self.bias is not None:
                raise VerifyException(
                    f"'{self.name}' with a bipolar (i1) result needs exactly 1 threshold per "
                    f"channel and no bias, got {steps} thresholds"
                    + ("" if self.bias is None else f" and bias {self.bias_value}")
                )
            return
        if not is_integer_activation(out_elem):
            raise VerifyException(
                f"'{self.name}' result must be i1 or a signed/unsigned integer, got {out_elem}"
            )
        assert isinstance(out_elem, IntegerType)
        low, high = integer_range(out_elem)
        bias = self.bias_value
        if bias < low or bias + steps > high:
            raise VerifyException(
                f"'{self.name}' outputs {bias}..{bias + steps} ({steps} thresholds, bias "
                f"{bias}) do not fit a {out_elem} result ({low}..{high})"
            )


def threshold_properties(
    thresholds: DenseIntOrFPElementsAttr,
    descending: Sequence[int] = (),
    bias: int = 0,
    value_range: tuple[int, int] | None = None,
) -> dict[str, Attribute]:
    """Properties of a thresholded op; empty `descending`, zero `bias` and no range are left out."""
    properties: dict[str, Attribute] = {"thresholds": thresholds}
    if descending:
        properties["descending"] = i64_array(sorted(descending))
    if bias:
        properties["bias"] = IntegerAttr(bias, i64)
    if value_range is not None:
        properties["value_range"] = i64_array(value_range)
    return properties


# ===----------------------------------------------------------------------=== #
# Compute layers
# ===----------------------------------------------------------------------=== #


def _check_compute_input(op: str, element_type: Attribute) -> None:
    if not (is_bipolar(element_type) or is_integer_activation(element_type)):
        raise VerifyException(
            f"'{op}' input must be bipolar (i1) or a signed/unsigned integer tensor, "
            f"got element type {element_type}"
        )


def _check_layer_output(op: ThresholdedOp, channels: int, out_elem: Attribute) -> None:
    """A layer yields its exact accumulator (a signed integer), or thresholds it."""
    op.verify_thresholds(channels, si32, out_elem)
    if op.thresholds is not None:
        return
    if not (isinstance(out_elem, IntegerType) and out_elem.signedness.data == Signedness.SIGNED):
        raise VerifyException(
            f"'{op.name}' result must be a signed integer accumulator (e.g. si32), "
            f"got element type {out_elem}"
        )


def _check_layer_operands(
    op: Conv2dOp | DenseOp, rank: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shared checks of a layer's input and weights (bipolar or si2..si8); returns both
    shapes."""
    in_type, w_type = tensor_type(op.input), tensor_type(op.weights)
    in_shape, w_shape = in_type.get_shape(), w_type.get_shape()
    _check_rank(op.name, "input", in_shape, [rank])
    _check_rank(op.name, "weights", w_shape, [rank])
    _check_static(op.name, "input", in_shape)
    _check_compute_input(op.name, in_type.element_type)
    if not (is_bipolar(w_type.element_type) or is_integer_weight(w_type.element_type)):
        raise VerifyException(
            f"'{op.name}' weights must be bipolar (i1) or signed integers of 2 to "
            f"{MAX_WEIGHT_BITS} bits (si2..si{MAX_WEIGHT_BITS}), got {w_type}"
        )
    if w_shape[1] != in_shape[1]:
        weights, inputs = ("input channels", "") if rank == 4 else ("columns", " features")
        raise VerifyException(
            f"'{op.name}' weights have {w_shape[1]} {weights} but the input has "
            f"{in_shape[1]}{inputs}"
        )
    if is_integer_weight(w_type.element_type):
        _check_accumulator_bound(op, in_type.element_type, w_type.element_type,
                                 int(np.prod(w_shape[1:])))
    return in_shape, w_shape


ACCUMULATOR_LIMIT = 1 << 31
"""A layer's |accumulator| stays below this: the accumulator is si32."""


def _check_accumulator_bound(
    op: Conv2dOp | DenseOp, in_elem: Attribute, w_elem: Attribute, fan_in: int
) -> None:
    """Multi-bit weights: the worst case fan-in · max|w| · max|x| must stay below 2^31."""
    assert isinstance(in_elem, IntegerType) and isinstance(w_elem, IntegerType)
    largest_x = max(abs(v) for v in integer_range(in_elem))
    largest_w = max(abs(v) for v in integer_range(w_elem))
    bound = fan_in * largest_w * largest_x
    if bound >= ACCUMULATOR_LIMIT:
        name = op.output.name_hint
        raise VerifyException(
            f"'{op.name}'{f' %{name}' if name else ''} accumulator can reach {bound} (fan-in "
            f"{fan_in} · max|w| {largest_w} · max|x| {largest_x}), past the si32 accumulator's "
            "2^31; use narrower weights or inputs, or a smaller layer"
        )


@irdl_op_definition
class Conv2dOp(ThresholdedOp):
    """2-D convolution of an integer or bipolar input with bipolar or integer weights, exact.

    acc[n, o, y, x] = Σ_{c, ky, kx} in'[n, c, y·sh + ky, x·sw + kx] · w[o, c, ky, kx], where in' is
    the input padded by `pads` = [top, left, bottom, right] with `pad_value` (default 0; a
    bipolar input can be padded only with −1 or +1 in hardware). Weights are ±1 (`i1`) or
    integers (`si<N>`, 2 <= N <= 8; ternary weights are si2 in {−1, 0, +1}); for bipolar inputs
    and weights the dot product is d = 2P − K over K taps with P matching bits. With integer
    weights the worst case fan-in · max|w| · max|x| must stay below 2^31 (the si32
    accumulator).

    `correction` (si32, shape [min(top,KH)+1, min(bottom,KH)+1, min(left,KW)+1, min(right,KW)+1,
    C]) adds correction[th, bh, lh, rh, o] to acc at every output position whose window has th
    rows in the top padding, bh in the bottom, lh columns in the left and rh in the right: the
    border-class table that keeps a −1-padded layer equal to its zero-padded original.

    `complemented` lists bipolar input channels that hold the complement of the network's own
    activation, a negation that threshold fusion absorbed into these weights. It does not change
    the result (zero padding is its own negation); it says that a −1 pad in the network's terms
    is a +1 pad of these channels, which bnn-legalize-padding{mode=minus-one} must know.

    Without thresholds the result is the exact accumulator (si32); with them (see
    ThresholdedOp) it is the thresholded activation: the matrix-vector-threshold form.

        %a = bnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
                 : tensor<?x3x32x32xui8>, tensor<64x3x3x3xi1> -> tensor<?x64x32x32xsi32>
    """

    name = "bnn.conv2d"

    input = operand_def(TensorType)
    weights = operand_def(TensorType)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    pad_value = opt_prop_def(IntegerAttr)
    correction = opt_prop_def(DenseIntOrFPElementsAttr)
    complemented = opt_prop_def(DenseArrayBase)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $weights attr-dict `:` type($input) `,` type($weights) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weights: SSAValue,
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        output_type: Attribute | None = None,
        properties: dict[str, Attribute] | None = None,
    ):
        if output_type is None:
            in_shape = tensor_type(input).get_shape()
            w_shape = tensor_type(weights).get_shape()
            shape = sliding_window_shape(in_shape, w_shape[0], w_shape[2:], strides, pads)
            output_type = TensorType(si32, shape)
        super().__init__(
            operands=[input, weights],
            properties={
                "strides": i64_array(strides),
                "pads": i64_array(pads),
                **(properties or {}),
            },
            result_types=[output_type],
        )

    @property
    def stride_values(self) -> tuple[int, ...]:
        return _int_list(self.strides)

    @property
    def pad_values(self) -> tuple[int, ...]:
        """(top, left, bottom, right)."""
        return _int_list(self.pads)

    @property
    def padding_value(self) -> int:
        return 0 if self.pad_value is None else self.pad_value.value.data

    @property
    def kernel_size(self) -> tuple[int, int]:
        shape = tensor_type(self.weights).get_shape()
        return shape[2], shape[3]

    @property
    def complemented_channels(self) -> tuple[int, ...]:
        return () if self.complemented is None else _int_list(self.complemented)

    def verify_(self) -> None:
        name = self.name
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        in_shape, w_shape = _check_layer_operands(self, 4)
        _check_pairs(name, "strides", self.stride_values, 2, 1)
        _check_pairs(name, "pads", self.pad_values, 4, 0)
        pads = self.pad_values
        padded = (in_shape[2] + pads[0] + pads[2], in_shape[3] + pads[1] + pads[3])
        if padded[0] < w_shape[2] or padded[1] < w_shape[3]:
            raise VerifyException(
                f"'{name}' kernel {w_shape[2]}x{w_shape[3]} is larger than the padded input "
                f"{padded[0]}x{padded[1]}"
            )
        self._verify_padding(in_type.element_type, w_shape[0])
        self._verify_complemented(in_type.element_type, in_shape[1])
        _check_layer_output(self, w_shape[0], out_type.element_type)
        expected = sliding_window_shape(
            in_shape, w_shape[0], w_shape[2:], self.stride_values, pads
        )
        _check_shape(name, expected, out_type.get_shape())

    def _verify_padding(self, element: Attribute, channels: int) -> None:
        name, value = self.name, self.padding_value
        if self.pad_value is not None:
            assert isinstance(element, IntegerType)
            low, high = integer_range(element)
            if (is_bipolar(element) and value not in (-1, 1)) or not low <= value <= high:
                raise VerifyException(
                    f"'{name}' pad_value {value} is not representable in {element}"
                )
        if self.correction is None:
            return
        expected = correction_shape(self.kernel_size, self.pad_values, channels)
        if self.correction.get_shape() != expected or self.correction.get_element_type() != si32:
            raise VerifyException(
                f"'{name}' correction must be tensor<{shape_str(expected)}xsi32> for pads "
                f"{list(self.pad_values)}, got {self.correction.get_type()}"
            )

    def _verify_complemented(self, element: Attribute, channels: int) -> None:
        if self.complemented is None:
            return
        if not is_bipolar(element) or self.pad_value is not None or not any(self.pad_values):
            raise VerifyException(
                f"'{self.name}' complemented needs a zero-padded bipolar input, got {element} "
                f"with pads {list(self.pad_values)} and pad_value {self.padding_value}"
            )
        _check_channel_list(self.name, "complemented", self.complemented_channels, channels)


@irdl_op_definition
class DenseOp(ThresholdedOp):
    """Fully connected layer with bipolar or integer weights, exact.

    acc[n, m] = Σ_k in[n, k] · w[m, k] for an integer or bipolar input `in` of shape [N, K] and
    weights of shape [M, K] (one row per output neuron, as a matrix-vector unit stores them):
    ±1 (`i1`) or integers (`si<N>`, 2 <= N <= 8) with fan-in · max|w| · max|x| below 2^31.
    Without thresholds the result is the accumulator (si32); with them (see ThresholdedOp) the
    thresholded activation.

        %a = bnn.dense %x, %w : tensor<?x784xi1>, tensor<256x784xi1> -> tensor<?x256xsi32>
    """

    name = "bnn.dense"

    input = operand_def(TensorType)
    weights = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $weights attr-dict `:` type($input) `,` type($weights) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weights: SSAValue,
        output_type: Attribute | None = None,
        properties: dict[str, Attribute] | None = None,
    ):
        if output_type is None:
            n = tensor_type(input).get_shape()[0]
            m = tensor_type(weights).get_shape()[0]
            output_type = TensorType(si32, [n, m])
        super().__init__(
            operands=[input, weights], properties=properties or {}, result_types=[output_type]
        )

    def verify_(self) -> None:
        out_type = tensor_type(self.output)
        in_shape, w_shape = _check_layer_operands(self, 2)
        _check_layer_output(self, w_shape[0], out_type.element_type)
        _check_shape(self.name, (in_shape[0], w_shape[0]), out_type.get_shape())

# ===----------------------------------------------------------------------=== #
# Activations and float arithmetic (before threshold fusion)
# ===----------------------------------------------------------------------=== #


def _channel_vector(op: str, what: str, attr: DenseIntOrFPElementsAttr, channels: int) -> None:
    shape = attr.get_shape()
    if len(shape) != 1 or shape[0] not in (1, channels):
        raise VerifyException(
            f"'{op}' {what} must have 1 or {channels} (channel) entries, "
            f"got tensor<{shape_str(shape)}>"
        )
    if not isinstance(attr.get_element_type(), Float32Type):
        raise VerifyException(f"'{op}' {what} must be f32, got {attr.get_element_type()}")


def _check_elementwise_shapes(
    op: str, inp: TensorType[Attribute], out: TensorType[Attribute]
) -> None:
    if inp.get_shape() != out.get_shape():
        raise VerifyException(
            f"'{op}' result shape tensor<{shape_str(out.get_shape())}> must equal the input "
            f"shape tensor<{shape_str(inp.get_shape())}>"
        )


def _check_real_input(op: str, element_type: Attribute) -> None:
    """Real-valued ops read f32, integers, and bipolar values as the integers ±1."""
    if not (
        isinstance(element_type, Float32Type)
        or is_integer_activation(element_type)
        or is_bipolar(element_type)
    ):
        raise VerifyException(
            f"'{op}' input must be f32, bipolar or an integer tensor, got element type "
            f"{element_type}"
        )


@irdl_op_definition
class BatchNormOp(IRDLOperation):
    """Inference batch normalization, in float32 exactly as onnxruntime's CPU kernel.

    Per channel c (axis 1): s = fl(gamma / fl(sqrt(fl(var + epsilon)))) computed as
    gamma · fl(1 / sqrt(var + eps)), b = fl(beta − fl(mean · s)), out = fl(fl(in · s) + b), every
    step rounded to float32. Integer and bipolar (±1) inputs are converted to f32 first (exact
    below 2^24).

        %y = bnn.batch_norm %a {gamma = dense<...> : tensor<64xf32>, beta = ..., mean = ...,
                 var = ..., epsilon = 1.0e-05 : f32} : tensor<?x64x8x8xsi32> -> tensor<?x64x8x8xf32>
    """

    name = "bnn.batch_norm"

    input = operand_def(TensorType)
    gamma = prop_def(DenseIntOrFPElementsAttr)
    beta = prop_def(DenseIntOrFPElementsAttr)
    mean = prop_def(DenseIntOrFPElementsAttr)
    var = prop_def(DenseIntOrFPElementsAttr)
    epsilon = prop_def(FloatAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        gamma: np.ndarray,
        beta: np.ndarray,
        mean: np.ndarray,
        var: np.ndarray,
        epsilon: float,
    ):
        in_type = tensor_type(input)
        super().__init__(
            operands=[input],
            properties={
                "gamma": dense_from_numpy(gamma, f32),
                "beta": dense_from_numpy(beta, f32),
                "mean": dense_from_numpy(mean, f32),
                "var": dense_from_numpy(var, f32),
                "epsilon": FloatAttr(float(np.float32(epsilon)), f32),
            },
            result_types=[TensorType(f32, in_type.get_shape())],
        )

    def scale_and_bias(self) -> tuple[np.ndarray, np.ndarray]:
        """The per-channel float32 (s, b) with out = fl(fl(in · s) + b), as onnxruntime."""
        eps = np.float32(self.epsilon.value.data)
        inv_std = np.float32(1) / np.sqrt(dense_to_numpy(self.var) + eps)
        scale = dense_to_numpy(self.gamma) * inv_std
        bias = dense_to_numpy(self.beta) - dense_to_numpy(self.mean) * scale
        return scale.astype(np.float32), bias.astype(np.float32)

    def evaluate(self, values: np.ndarray, axis: int = 1) -> np.ndarray:
        """The op's float32 result for `values` with channels along `axis`."""
        scale, bias = self.scale_and_bias()
        with np.errstate(over="ignore"):  # overflow to ±inf is IEEE's, as onnxruntime's
            product = values.astype(np.float32) * per_channel(scale, values.ndim, axis)
            return product + per_channel(bias, values.ndim, axis)

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_rank(self.name, "input", in_type.get_shape(), [2, 4])
        _check_real_input(self.name, in_type.element_type)
        channels = in_type.get_shape()[1]
        for what in ("gamma", "beta", "mean", "var"):
            attr = self.properties[what]
            assert isinstance(attr, DenseIntOrFPElementsAttr)
            _channel_vector(self.name, what, attr, channels)
        if not isinstance(out_type.element_type, Float32Type):
            raise VerifyException(f"'{self.name}' result must be f32, got {out_type}")
        _check_elementwise_shapes(self.name, in_type, out_type)


@irdl_op_definition
class AffineOp(IRDLOperation):
    """Scalar or per-channel scale and offset, in float32 as onnxruntime evaluates Mul/Div/Add.

    out = fl(fl(in · scale) + offset), or fl(fl(in / scale) + offset) with `divide`; an absent
    scale or offset skips its step. With `fused`, out = fl(in · scale + offset) is rounded once,
    as a fused multiply-add: onnxruntime's Gemm computes alpha · (A·B) + beta · C so on FMA
    hardware (MLAS), with the offset holding fl(beta · C). `scale` and `offset` hold one value
    or one per channel (axis 1). Integer and bipolar (±1) inputs are converted to f32 first
    (exact below 2^24).

        %y = bnn.affine %a {scale = dense<0.5> : tensor<1xf32>, offset = dense<[1.0, 2.0]>
                 : tensor<2xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
        %z = bnn.affine %a {scale = dense<0.3> : tensor<1xf32>, offset = dense<[1.0, 2.0]>
                 : tensor<2xf32>, fused} : tensor<?x2xsi32> -> tensor<?x2xf32>
    """

    name = "bnn.affine"

    input = operand_def(TensorType)
    scale = opt_prop_def(DenseIntOrFPElementsAttr)
    offset = opt_prop_def(DenseIntOrFPElementsAttr)
    divide = opt_prop_def(UnitAttr)
    fused = opt_prop_def(UnitAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        scale: np.ndarray | None = None,
        offset: np.ndarray | None = None,
        divide: bool = False,
        fused: bool = False,
    ):
        properties: dict[str, Attribute] = {}
        if scale is not None:
            properties["scale"] = dense_from_numpy(np.asarray(scale).reshape(-1), f32)
        if offset is not None:
            properties["offset"] = dense_from_numpy(np.asarray(offset).reshape(-1), f32)
        if divide:
            properties["divide"] = UnitAttr()
        if fused:
            properties["fused"] = UnitAttr()
        super().__init__(
            operands=[input],
            properties=properties,
            result_types=[TensorType(f32, tensor_type(input).get_shape())],
        )

    def evaluate(self, values: np.ndarray, axis: int = 1) -> np.ndarray:
        """The op's float32 result for `values` with channels along `axis`."""
        result = values.astype(np.float32)
        scale = None if self.scale is None else per_channel(
            dense_to_numpy(self.scale), result.ndim, axis)
        offset = None if self.offset is None else per_channel(
            dense_to_numpy(self.offset), result.ndim, axis)
        if self.fused is not None and scale is not None and offset is not None:
            return fused_multiply_add(result, scale, offset)
        with np.errstate(over="ignore"):  # overflow to ±inf is IEEE's, as onnxruntime's
            if scale is not None:
                result = result / scale if self.divide is not None else result * scale
            if offset is not None:
                result = result + offset
        return result

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_rank(self.name, "input", in_type.get_shape(), [2, 4])
        _check_real_input(self.name, in_type.element_type)
        channels = in_type.get_shape()[1]
        if self.scale is None and self.offset is None:
            raise VerifyException(f"'{self.name}' needs a scale, an offset or both")
        if self.divide is not None and self.scale is None:
            raise VerifyException(f"'{self.name}' with `divide` needs a scale")
        if self.fused is not None and (
            self.scale is None or self.offset is None or self.divide is not None
        ):
            raise VerifyException(
                f"'{self.name}' with `fused` needs a scale and an offset and no `divide`"
            )
        if self.scale is not None:
            _channel_vector(self.name, "scale", self.scale, channels)
        if self.offset is not None:
            _channel_vector(self.name, "offset", self.offset, channels)
        if not isinstance(out_type.element_type, Float32Type):
            raise VerifyException(f"'{self.name}' result must be f32, got {out_type}")
        _check_elementwise_shapes(self.name, in_type, out_type)


@irdl_op_definition
class SignOp(IRDLOperation):
    """Binarization: out = +1 if in ≥ 0 else −1 (the Brevitas/Larq convention; ONNX Sign maps 0
    to 0, which differs only on exact ties).

        %b = bnn.sign %y : tensor<?x64x8x8xf32> -> tensor<?x64x8x8xi1>
    """

    name = "bnn.sign"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue):
        shape = tensor_type(input).get_shape()
        super().__init__(operands=[input], result_types=[TensorType(bipolar, shape)])

    @staticmethod
    def evaluate(values: np.ndarray) -> np.ndarray:
        """+1 where values >= 0, else −1, as int8."""
        return np.where(values >= 0, 1, -1).astype(np.int8)

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_real_input(self.name, in_type.element_type)
        if not is_bipolar(out_type.element_type):
            raise VerifyException(f"'{self.name}' result must be bipolar (i1), got {out_type}")
        _check_elementwise_shapes(self.name, in_type, out_type)


@irdl_op_definition
class ThresholdOp(ThresholdedOp):
    """Multi-threshold activation (ONNX/QONNX MultiThreshold semantics) of its input, as
    ThresholdedOp defines; `thresholds` is required here.

        %b = bnn.threshold %a {thresholds = dense<[[3], [-1]]> : tensor<2x1xsi32>}
                 : tensor<?x2x8x8xsi32> -> tensor<?x2x8x8xi1>
    """

    name = "bnn.threshold"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        thresholds: DenseIntOrFPElementsAttr,
        output_element: Attribute,
        bias: int = 0,
        descending: Sequence[int] = (),
        value_range: tuple[int, int] | None = None,
    ):
        shape = tensor_type(input).get_shape()
        super().__init__(
            operands=[input],
            properties=threshold_properties(thresholds, descending, bias, value_range),
            result_types=[TensorType(output_element, shape)],
        )

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_rank(self.name, "input", in_type.get_shape(), [2, 4])
        _check_real_input(self.name, in_type.element_type)
        _check_elementwise_shapes(self.name, in_type, out_type)
        if self.thresholds is None:
            raise VerifyException(f"'{self.name}' needs thresholds")
        channels = in_type.get_shape()[1]
        self.verify_thresholds(channels, in_type.element_type, out_type.element_type)

# ===----------------------------------------------------------------------=== #
# Data movement
# ===----------------------------------------------------------------------=== #


@irdl_op_definition
class MaxPoolOp(IRDLOperation):
    """2-D max pooling (floor mode). Padded taps are ignored (ONNX MaxPool semantics); every
    window must cover at least one input pixel. On a bipolar map this is the bitwise OR of the
    window's bits.

        %p = bnn.max_pool %b {kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                 strides = array<i64: 2, 2>} : tensor<?x64x8x8xi1> -> tensor<?x64x4x4xi1>
    """

    name = "bnn.max_pool"

    input = operand_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        kernel: Sequence[int],
        strides: Sequence[int],
        pads: Sequence[int] = (0, 0, 0, 0),
    ):
        in_type = tensor_type(input)
        shape = in_type.get_shape()
        out_shape = sliding_window_shape(shape, shape[1], kernel, strides, pads)
        super().__init__(
            operands=[input],
            properties={
                "kernel": i64_array(kernel),
                "strides": i64_array(strides),
                "pads": i64_array(pads),
            },
            result_types=[TensorType(in_type.element_type, out_shape)],
        )

    @property
    def kernel_values(self) -> tuple[int, ...]:
        return _int_list(self.kernel)

    @property
    def stride_values(self) -> tuple[int, ...]:
        return _int_list(self.strides)

    @property
    def pad_values(self) -> tuple[int, ...]:
        """(top, left, bottom, right)."""
        return _int_list(self.pads)

    def verify_(self) -> None:
        name = self.name
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        in_shape = in_type.get_shape()
        _check_rank(name, "input", in_shape, [4])
        _check_static(name, "input", in_shape)
        kernel, strides, pads = self.kernel_values, self.stride_values, self.pad_values
        _check_pairs(name, "kernel", kernel, 2, 1)
        _check_pairs(name, "strides", strides, 2, 1)
        _check_pairs(name, "pads", pads, 4, 0)
        if max(pads[0], pads[2]) >= kernel[0] or max(pads[1], pads[3]) >= kernel[1]:
            raise VerifyException(
                f"'{name}' pads {list(pads)} must be smaller than the kernel {list(kernel)}"
            )
        padded = (in_shape[2] + pads[0] + pads[2], in_shape[3] + pads[1] + pads[3])
        if padded[0] < kernel[0] or padded[1] < kernel[1]:
            raise VerifyException(
                f"'{name}' kernel {kernel[0]}x{kernel[1]} is larger than the padded input "
                f"{padded[0]}x{padded[1]}"
            )
        if out_type.element_type != in_type.element_type:
            raise VerifyException(
                f"'{name}' result element type {out_type.element_type} must equal the input's "
                f"{in_type.element_type}"
            )
        expected = sliding_window_shape(in_shape, in_shape[1], kernel, strides, pads)
        _check_shape(name, expected, out_type.get_shape())


@irdl_op_definition
class PadOp(IRDLOperation):
    """Constant padding of the two spatial dimensions of an NCHW tensor.

    `pads` = [top, left, bottom, right]; padded positions hold `value`, which must be
    representable in the element type: −1 or +1 for a bipolar tensor.

        %q = bnn.pad %b {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64}
                 : tensor<?x64x8x8xi1> -> tensor<?x64x10x10xi1>
    """

    name = "bnn.pad"

    input = operand_def(TensorType)
    pads = prop_def(DenseArrayBase)
    value = prop_def(IntegerAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, pads: Sequence[int], value: int):
        in_type = tensor_type(input)
        n, c, h, w = in_type.get_shape()
        shape = (n, c, h + pads[0] + pads[2], w + pads[1] + pads[3])
        super().__init__(
            operands=[input],
            properties={"pads": i64_array(pads), "value": IntegerAttr(value, i64)},
            result_types=[TensorType(in_type.element_type, shape)],
        )

    @property
    def pad_values(self) -> tuple[int, ...]:
        return _int_list(self.pads)

    def verify_(self) -> None:
        name = self.name
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        in_shape = in_type.get_shape()
        _check_rank(name, "input", in_shape, [4])
        _check_static(name, "input", in_shape)
        pads = self.pad_values
        _check_pairs(name, "pads", pads, 4, 0)
        element = in_type.element_type
        if not isinstance(element, IntegerType):
            raise VerifyException(f"'{name}' pads integer and bipolar tensors only, got {element}")
        value = self.value.value.data
        low, high = integer_range(element)
        if (is_bipolar(element) and value not in (-1, 1)) or not low <= value <= high:
            allowed = "-1 or +1" if is_bipolar(element) else f"in [{low}, {high}]"
            raise VerifyException(
                f"'{name}' value {value} is not representable in {element} (must be {allowed})"
            )
        if out_type.element_type != element:
            raise VerifyException(f"'{name}' result element type {out_type.element_type} must "
                                  f"equal the input's {element}")
        n, c, h, w = in_shape
        expected = (n, c, h + pads[0] + pads[2], w + pads[1] + pads[3])
        _check_shape(name, expected, out_type.get_shape())


def _check_same_elements(
    op: str, in_type: TensorType[Attribute], out_type: TensorType[Attribute]
) -> None:
    in_shape, out_shape = in_type.get_shape(), out_type.get_shape()
    _check_same_batch(op, in_shape, out_shape)
    _check_static(op, "input", in_shape)
    _check_static(op, "result", out_shape)
    if int(np.prod(in_shape[1:])) != int(np.prod(out_shape[1:])):
        raise VerifyException(
            f"'{op}' must keep the number of elements per batch item: "
            f"tensor<{shape_str(in_shape)}> has {int(np.prod(in_shape[1:]))}, "
            f"tensor<{shape_str(out_shape)}> has {int(np.prod(out_shape[1:]))}"
        )
    if out_type.element_type != in_type.element_type:
        raise VerifyException(
            f"'{op}' result element type {out_type.element_type} must equal the input's "
            f"{in_type.element_type}"
        )


@irdl_op_definition
class FlattenOp(IRDLOperation):
    """Flattens every dimension but the batch, in row-major (NCHW) order: [N, C, H, W] → [N, CHW].

        %f = bnn.flatten %b : tensor<?x16x2x2xi1> -> tensor<?x64xi1>
    """

    name = "bnn.flatten"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue):
        in_type = tensor_type(input)
        shape = in_type.get_shape()
        out = TensorType(in_type.element_type, [shape[0], int(np.prod(shape[1:]))])
        super().__init__(operands=[input], result_types=[out])

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_rank(self.name, "result", out_type.get_shape(), [2])
        _check_same_elements(self.name, in_type, out_type)


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Row-major reshape that keeps the batch dimension; the result type gives the new shape.

        %r = bnn.reshape %f : tensor<?x64xi1> -> tensor<?x16x2x2xi1>
    """

    name = "bnn.reshape"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, output_type: TensorType[Attribute]):
        super().__init__(operands=[input], result_types=[output_type])

    def verify_(self) -> None:
        _check_same_elements(self.name, tensor_type(self.input), tensor_type(self.output))


@irdl_op_definition
class ArgMaxOp(IRDLOperation):
    """Label select: the index of the largest value along axis 1, the lowest index on ties (ONNX
    ArgMax and TopK with k = 1). The result keeps the axis: [N, C] → [N, 1] of si64.

        %l = bnn.arg_max %a : tensor<?x10xsi32> -> tensor<?x1xsi64>
    """

    name = "bnn.arg_max"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue):
        n = tensor_type(input).get_shape()[0]
        super().__init__(operands=[input], result_types=[TensorType(si64, [n, 1])])

    def verify_(self) -> None:
        in_type, out_type = tensor_type(self.input), tensor_type(self.output)
        _check_rank(self.name, "input", in_type.get_shape(), [2])
        _check_real_input(self.name, in_type.element_type)
        if out_type.element_type != si64:
            raise VerifyException(f"'{self.name}' result must be si64, got {out_type}")
        _check_shape(self.name, (in_type.get_shape()[0], 1), out_type.get_shape())


# ===----------------------------------------------------------------------=== #
# Folding attributes (bnn-fold writes them)
# ===----------------------------------------------------------------------=== #


@irdl_attr_definition
class FoldAttr(ParametrizedAttribute):
    """A layer's folding as bnn-fold chose it: its folding parameters (pe, simd, window_simd,
    as the layer has them) and the cycles per frame, LUTs and BRAM18s of its kernels, the
    width converter feeding it included.

        %c = bnn.conv2d %x, %w {..., fold = #bnn.fold<pe = 4, simd = 8, window_simd = 2,
                                  cycles = 3600, luts = 2104, brams = 2>} : ...
    """

    name = "bnn.fold"

    entries: DictionaryAttr

    PARAMETERS: ClassVar[tuple[str, ...]] = ("pe", "simd", "window_simd")
    TOTALS: ClassVar[tuple[str, ...]] = ("cycles", "luts", "brams")

    def __init__(self, values: Mapping[str, int]):
        super().__init__(DictionaryAttr({k: IntegerAttr(v, i64) for k, v in values.items()}))

    @property
    def values(self) -> dict[str, int]:
        """Every entry (parameters and totals) by name."""
        return {k: v.value.data for k, v in self.entries.data.items()
                if isinstance(v, IntegerAttr)}

    @property
    def parameters(self) -> dict[str, int]:
        """The folding parameters alone."""
        return {k: v for k, v in self.values.items() if k in self.PARAMETERS}

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        def entry() -> tuple[str, int]:
            key = parser.parse_identifier()
            parser.parse_punctuation("=")
            return key, parser.parse_integer(allow_boolean=False)

        pos = parser.pos
        parser.parse_punctuation("<")
        pairs = [] if parser.parse_optional_punctuation(">") else [
            *parser.parse_comma_separated_list(parser.Delimiter.NONE, entry),
            parser.parse_punctuation(">")][:-1]
        try:
            return (cls(dict(pairs)).entries,)
        except VerifyException as e:
            parser.raise_error(str(e), pos, parser.pos)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<" + ", ".join(f"{k} = {v}" for k, v in self.values.items()) + ">")

    def verify(self) -> None:
        for key, value in self.entries.data.items():
            if key not in self.PARAMETERS + self.TOTALS:
                raise VerifyException(f"#bnn.fold has no entry '{key}' (it has "
                                      f"{', '.join(self.PARAMETERS + self.TOTALS)})")
            if not isinstance(value, IntegerAttr):
                raise VerifyException(f"#bnn.fold {key} must be an integer, got {value}")
            low = 1 if key in self.PARAMETERS else 0
            if value.value.data < low:
                raise VerifyException(f"#bnn.fold {key} must be at least {low}, got "
                                      f"{value.value.data}")


def _float_text(value: float) -> str:
    """A float as an MLIR float literal that reads back to it (a '.' before any exponent)."""
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


@irdl_attr_definition
class FoldSummaryAttr(ParametrizedAttribute):
    """The module's folding summary (`bnn.fold`): the part folded for (empty: none), the clock,
    the frame rate and cycles per frame of the slowest kernel, its layer, the LUTs and BRAM18s
    of all kernels (FIFOs included once hwstream-size-fifos has run) and the ideal cycles per
    frame (MACs over Σ PE·SIMD).

        builtin.module attributes {bnn.fold = #bnn.fold_summary<part = "xcku115",
            clock_mhz = 200.0, fps = 12345.6, max_cycles = 16200, bottleneck = "conv3",
            luts = 401234, brams = 1422, ideal_cycles = 15011.2>} {...}
    """

    name = "bnn.fold_summary"

    part: StringAttr
    clock_mhz: FloatData
    fps: FloatData
    max_cycles: IntAttr
    bottleneck: StringAttr
    luts: IntAttr
    brams: IntAttr
    ideal_cycles: FloatData

    FIELDS: ClassVar[tuple[str, ...]] = ("part", "clock_mhz", "fps", "max_cycles", "bottleneck",
                                         "luts", "brams", "ideal_cycles")

    def __init__(self, *, part: str | None, clock_mhz: float, fps: float, max_cycles: int,
                 bottleneck: str, luts: int, brams: int, ideal_cycles: float):
        super().__init__(StringAttr(part or ""), FloatData(float(clock_mhz)),
                         FloatData(float(fps)), IntAttr(max_cycles), StringAttr(bottleneck),
                         IntAttr(luts), IntAttr(brams), FloatData(float(ideal_cycles)))

    def with_resources(self, luts: int, brams: int) -> FoldSummaryAttr:
        """The summary with other LUT and BRAM18 totals."""
        return FoldSummaryAttr(**(self.fields() | {"luts": luts, "brams": brams}))

    def fields(self) -> dict[str, Any]:
        """The summary's values by name (part None when it names none)."""
        values = {name: getattr(self, name).data for name in self.FIELDS}
        values["part"] = values["part"] or None
        return values

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        def entry() -> tuple[str, Attribute]:
            key = parser.parse_identifier()
            parser.parse_punctuation("=")
            if key in ("part", "bottleneck"):
                return key, StringAttr(parser.parse_str_literal())
            if key in ("max_cycles", "luts", "brams"):
                return key, IntAttr(parser.parse_integer(allow_boolean=False))
            return key, FloatData(parser.parse_float())

        pos = parser.pos
        pairs = dict(parser.parse_comma_separated_list(parser.Delimiter.ANGLE, entry))
        missing = [f for f in cls.FIELDS if f not in pairs and f != "part"]
        unknown = [k for k in pairs if k not in cls.FIELDS]
        if missing or unknown:
            parser.raise_error(f"#bnn.fold_summary takes {', '.join(cls.FIELDS)} (part "
                               "optional)", pos, parser.pos)
        pairs.setdefault("part", StringAttr(""))
        params = tuple(pairs[f] for f in cls.FIELDS)
        try:
            cls.new(params).verify()
        except VerifyException as e:
            parser.raise_error(str(e), pos, parser.pos)
        return params

    def print_parameters(self, printer: Printer) -> None:
        values = self.fields()
        text = [] if values["part"] is None else [f'part = "{values["part"]}"']
        for name in self.FIELDS[1:]:
            value = values[name]
            text.append(f'{name} = "{value}"' if isinstance(value, str) else
                        f"{name} = {_float_text(value) if isinstance(value, float) else value}")
        printer.print_string("<" + ", ".join(text) + ">")

    def verify(self) -> None:
        values = self.fields()
        for name in ("clock_mhz", "fps", "ideal_cycles"):
            if not (math.isfinite(values[name]) and values[name] >= 0):
                raise VerifyException(f"#bnn.fold_summary {name} must be a finite number >= 0, "
                                      f"got {values[name]}")
        for name in ("max_cycles", "luts", "brams"):
            if values[name] < 0:
                raise VerifyException(f"#bnn.fold_summary {name} must be >= 0, got "
                                      f"{values[name]}")


Bnn = Dialect(
    "bnn",
    [
        ConstantOp,
        Conv2dOp,
        DenseOp,
        BatchNormOp,
        AffineOp,
        SignOp,
        ThresholdOp,
        MaxPoolOp,
        PadOp,
        FlattenOp,
        ReshapeOp,
        ArgMaxOp,
    ],
    [FoldAttr, FoldSummaryAttr],
)
