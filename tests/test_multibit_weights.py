"""Multi-bit weights (issue 16): `si<N>` weight constants (2 <= N <= 8) packed N bits each, the bnn
interpreter's layers with integer weights, and the passes on them, all bit-exact.

The interpreter is checked against a plain int64 numpy reference written here (a direct sum over
the padded input, no im2col and no BLAS), threshold fusion and legalize-padding against the
interpreter before them, and imported QONNX networks against qonnx's `execute_onnx`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, IntegerType, ModuleOp, Signedness, TensorType
from xdsl.ir import Block, Region
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import (
    bipolar,
    integer_range,
    numpy_dtype,
    pack_integers,
    unpack_integers,
    weight_type,
)
from bnnir.interp import run_module

# ===----------------------------------------------------------------------=== #
# Packed constants
# ===----------------------------------------------------------------------=== #


def random_weights(rng: np.random.Generator, shape: tuple[int, ...], bits: int) -> np.ndarray:
    if bits == 1:
        return rng.choice(np.array([-1, 1], np.int8), shape)
    low, high = integer_range(weight_type(bits))
    return rng.integers(low, high + 1, shape).astype(np.int8)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.lists(st.integers(1, 5), min_size=1, max_size=4), st.integers(0, 99))
def test_packed_constant_round_trip(bits: int, shape: list[int], seed: int) -> None:
    values = random_weights(np.random.default_rng(seed), tuple(shape), bits)
    op = bnn.ConstantOp.from_integers(values, bits)
    op.verify()
    assert bnn.tensor_type(op.result).element_type == weight_type(bits)
    assert np.array_equal(op.to_numpy(), values)
    assert op.value.get_shape() == ((values.size * bits + 7) // 8,)


def test_packing_layout() -> None:
    """Element i occupies bits [i·N, i·N + N), little-endian, two's complement, zero padded."""
    assert pack_integers(np.array([0, 1, -2, -1]), 2) == bytes([0b11_10_01_00])
    assert pack_integers(np.array([-8, 7, 1]), 4) == bytes([0x78, 0x01])
    assert pack_integers(np.array([-1, 2, 3]), 3) == bytes([0b11_010_111, 0b0])
    assert pack_integers(np.array([-128, 127]), 8) == bytes([0x80, 0x7F])
    assert unpack_integers(bytes([0b11_010_111, 0b0]), (3,), 3).tolist() == [-1, 2, 3]


def test_from_integers_refuses_values_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"weight 2 at index \(1,\) does not fit si2"):
        bnn.ConstantOp.from_integers(np.array([1, 2]), 2)
    with pytest.raises(ValueError, match=r"weight 0 at index \(0,\) does not fit i1"):
        bnn.ConstantOp.from_integers(np.array([0, 1]), 1)


def test_bipolar_constants_print_as_before() -> None:
    op = bnn.ConstantOp.from_integers(np.array([1, 1, 1, 1, -1, -1, -1, -1]), 1)
    assert str(op) == '%0 = bnn.constant bits<"0x0F"> : tensor<8xi1>'


# ===----------------------------------------------------------------------=== #
# The interpreter against a direct int64 reference
# ===----------------------------------------------------------------------=== #


def reference_conv(x: np.ndarray, w: np.ndarray, strides: tuple[int, int],
                   pads: tuple[int, int, int, int], pad_value: int) -> np.ndarray:
    top, left, bottom, right = pads
    padded = np.pad(x.astype(np.int64), ((0, 0), (0, 0), (top, bottom), (left, right)),
                    constant_values=pad_value)
    o, _, kh, kw = w.shape
    oh = (padded.shape[2] - kh) // strides[0] + 1
    ow = (padded.shape[3] - kw) // strides[1] + 1
    out = np.zeros((x.shape[0], o, oh, ow), np.int64)
    for ky in range(kh):
        for kx in range(kw):
            tap = padded[:, :, ky:ky + strides[0] * (oh - 1) + 1:strides[0],
                         kx:kx + strides[1] * (ow - 1) + 1:strides[1]]
            out += np.einsum("nchw,oc->nohw", tap, w[:, :, ky, kx].astype(np.int64))
    return out


def input_element(kind: str) -> IntegerType:
    return {"i1": bipolar, "ui8": IntegerType(8, Signedness.UNSIGNED),
            "si4": IntegerType(4, Signedness.SIGNED),
            "ui2": IntegerType(2, Signedness.UNSIGNED)}[kind]


def random_input(rng: np.random.Generator, element: IntegerType, shape: tuple[int, ...]
                 ) -> np.ndarray:
    if element == bipolar:
        return rng.choice(np.array([-1, 1], np.int8), shape)
    low, high = integer_range(element)
    return rng.integers(low, high + 1, shape).astype(numpy_dtype(element))


def one_layer_module(in_type: TensorType, build) -> ModuleOp:
    block = Block(arg_types=[in_type])
    builder = Builder(InsertPoint.at_end(block))
    result = build(builder, block.args[0])
    builder.insert(func.ReturnOp(result))
    main = func.FuncOp("main", ([in_type], [result.type]), Region(block))
    module = ModuleOp([main])
    module.verify()
    return module


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.sampled_from(["i1", "ui8", "si4", "ui2"]), st.integers(1, 3),
       st.integers(1, 3), st.tuples(*[st.integers(0, 2)] * 4), st.integers(1, 2),
       st.integers(0, 999))
def test_conv2d_with_integer_weights(bits: int, kind: str, channels: int, kernel: int,
                                     pads: tuple[int, int, int, int], stride: int,
                                     seed: int) -> None:
    rng = np.random.default_rng(seed)
    element = input_element(kind)
    x = random_input(rng, element, (3, channels, 5, 6))
    w = random_weights(rng, (4, channels, kernel, kernel), bits)
    in_type = TensorType(element, [DYNAMIC_INDEX, channels, 5, 6])

    def build(b: Builder, arg):
        weights = b.insert(bnn.ConstantOp.from_integers(w, bits)).result
        return b.insert(bnn.Conv2dOp(arg, weights, (stride, stride), pads)).output

    module = one_layer_module(in_type, build)
    expected = reference_conv(x, w, (stride, stride), pads, 0)
    actual = run_module(module, x)
    assert actual.dtype == np.int32
    assert np.array_equal(actual, expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.sampled_from(["i1", "ui8", "si4", "ui2"]),
       st.integers(1, 300), st.integers(0, 999))
def test_dense_with_integer_weights(bits: int, kind: str, fan_in: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    element = input_element(kind)
    x = random_input(rng, element, (5, fan_in))
    w = random_weights(rng, (7, fan_in), bits)

    def build(b: Builder, arg):
        weights = b.insert(bnn.ConstantOp.from_integers(w, bits)).result
        return b.insert(bnn.DenseOp(arg, weights)).output

    module = one_layer_module(TensorType(element, [DYNAMIC_INDEX, fan_in]), build)
    assert np.array_equal(run_module(module, x), x.astype(np.int64) @ w.T.astype(np.int64))


def test_dense_past_float32_is_exact() -> None:
    """Sums past 2^24 leave float32 for an exact path."""
    fan_in = 1200
    x = np.full((2, fan_in), 127, np.int8)
    x[1, ::2] = -128
    w = np.full((3, fan_in), -128, np.int8)
    w[1] = 127
    w[2, 1::3] = 127
    element = IntegerType(8, Signedness.SIGNED)

    def build(b: Builder, arg):
        weights = b.insert(bnn.ConstantOp.from_integers(w, 8)).result
        return b.insert(bnn.DenseOp(arg, weights)).output

    module = one_layer_module(TensorType(element, [DYNAMIC_INDEX, fan_in]), build)
    expected = x.astype(np.int64) @ w.T.astype(np.int64)
    assert np.abs(expected).max() > 1 << 24
    assert np.array_equal(run_module(module, x), expected)


def test_accumulator_bound_is_verified() -> None:
    element = IntegerType(8, Signedness.SIGNED)
    w = np.zeros((1, 1 << 17), np.int8)

    def build(b: Builder, arg):
        weights = b.insert(bnn.ConstantOp.from_integers(w, 8)).result
        return b.insert(bnn.DenseOp(arg, weights)).output

    with pytest.raises(VerifyException, match="accumulator can reach 2147483648"):
        one_layer_module(TensorType(element, [DYNAMIC_INDEX, 1 << 17]), build)
