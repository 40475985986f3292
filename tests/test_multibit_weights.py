"""Multi-bit weights (issue 16): `si<N>` weight constants (2 <= N <= 8) packed N bits each, the bnn
interpreter's layers with integer weights, and the passes on them, all bit-exact.

The interpreter is checked against a plain int64 numpy reference written here (a direct sum over
the padded input, no im2col and no BLAS), threshold fusion and legalize-padding against the
interpreter before them, and imported QONNX networks against qonnx's `execute_onnx`."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper
from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, IntegerType, ModuleOp, Signedness, TensorType
from xdsl.ir import Block, Region
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

import models
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import (
    bipolar,
    integer_range,
    numpy_dtype,
    pack_integers,
    unpack_integers,
    weight_type,
)
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion

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


def test_importer_names_a_layer_past_the_accumulator() -> None:
    """A layer whose si32 accumulator could overflow is refused by its node, in one line."""
    fan_in = 1 << 17
    w = np.full((fan_in, 1), -32.0, np.float32)
    nodes = [helper.make_node("Quant", ["w", "s", "z", "b"], ["q"], name="q",
                              domain="qonnx.custom_op.general", signed=1, narrow=0,
                              rounding_mode="ROUND"),
             helper.make_node("MatMul", ["x", "q"], ["y"], name="wide")]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.float32(0.25), "s"),
             numpy_helper.from_array(np.float32(0), "z"),
             numpy_helper.from_array(np.float32(8), "b")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", fan_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(BnnirError) as info:
        import_onnx(model, "si8")
    assert str(info.value) == (
        "<model>: node 'wide' (MatMul): 'bnn.dense' accumulator can reach 2147483648 (fan-in "
        "131072 · max|w| 128 · max|x| 128), past the si32 accumulator's 2^31; use narrower "
        "weights or inputs, or a smaller layer")


# ===----------------------------------------------------------------------=== #
# Random QONNX networks mixing 1-, 2-, 4- and 8-bit weights and activations
# ===----------------------------------------------------------------------=== #

WIDTHS = st.sampled_from([1, 2, 4, 8])


@st.composite
def mixed_networks(draw: st.DrawFn) -> tuple[onnx.ModelProto, np.ndarray]:
    layers = draw(st.integers(2, 4))
    weight_bits = tuple(draw(st.lists(WIDTHS, min_size=layers, max_size=layers)))
    act_bits = tuple(draw(st.lists(WIDTHS, min_size=layers, max_size=layers)))
    return models.random_qnn(np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
                             weight_bits, act_bits, conv=draw(st.booleans()),
                             pad=draw(st.integers(0, 1)))


def hardware_level(module: ModuleOp) -> ModuleOp:
    module = module.clone()
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
        module.verify()
    return module


def float_ops_left(module: ModuleOp) -> list[str]:
    """Float ops between the first layer and the logits' scale, which fusion should remove."""
    return [op.name for op in module.walk()
            if isinstance(op, bnn.BatchNormOp | bnn.ThresholdOp)
            and not isinstance(op.operands[0].owner, Block)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_networks())
def test_mixed_widths_match_qonnx(network: tuple[onnx.ModelProto, np.ndarray]) -> None:
    """Imported and after threshold fusion and legalize-padding, every output bit equals
    qonnx's; every activation fuses into its layer."""
    model, x = network
    expected = models.qonnx_run(model, x)
    with contextlib.redirect_stderr(io.StringIO()):
        module = import_onnx(model)
        hardware = hardware_level(module)
    assert run_module(module, x).tobytes() == expected.tobytes()
    assert run_module(hardware, x).tobytes() == expected.tobytes()
    assert float_ops_left(hardware) == []


@pytest.mark.parametrize("seed", [3, 4])
def test_mixed_widths_streaming(seed: int) -> None:
    """The streaming level of a mixed network (1-, 2-, 4- and 8-bit weights) equals qonnx's
    output once the lowering has the multi-bit MVTU; until then an expected failure."""
    model, x = models.random_qnn(np.random.default_rng(seed), (8, 1, 2, 4), (2, 1, 4, 8))
    expected = models.qonnx_run(model, x)
    module = hardware_level(import_onnx(model))
    for p in (Fold(target_fps=20000, clock_mhz=100), BnnToHwstream()):
        p.apply(Context(), module)
        module.verify()
    assert run_module(module, x).tobytes() == expected.tobytes()


@pytest.mark.parametrize(("bits", "signed", "narrow", "element"), [
    (1, 0, 0, "si2"), (2, 1, 1, "si2"), (2, 1, 0, "si2"), (3, 0, 1, "si4"), (8, 1, 0, "si8")])
def test_weight_quantizers_give_the_narrowest_type(bits: int, signed: int, narrow: int,
                                                   element: str) -> None:
    """A weight Quant's integer range picks si<N>: unsigned ones need a bit more."""
    w = np.random.default_rng(bits).normal(0, 3, (2, 5)).astype(np.float32)
    nodes = [helper.make_node("Quant", ["w", "s", "z", "b"], ["q"], name="q",
                              domain="qonnx.custom_op.general", signed=signed, narrow=narrow,
                              rounding_mode="HALF_UP"),
             helper.make_node("Gemm", ["x", "q"], ["y"], name="fc", transB=1)]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.float32(0.5), "s"),
             numpy_helper.from_array(np.float32(0), "z"),
             numpy_helper.from_array(np.float32(bits), "b")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    x = np.random.default_rng(0).integers(-128, 128, (6, 5)).astype(np.float32)
    module = import_onnx(model, "si8")
    assert f"tensor<2x5x{element}>" in str(module)
    assert run_module(module, x).tobytes() == models.qonnx_run(model, x).tobytes()
