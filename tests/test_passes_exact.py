"""bnn-threshold-fusion and bnn-legalize-padding keep every output bit for bit.

Each network runs in the interpreter before and after the passes, and against onnxruntime on
the original ONNX model. Hypothesis draws random layers (shapes, strides, asymmetric pads,
signs of gamma, batch-norm switching points within an ulp of an integer) to look for boundaries
where the searched thresholds or the border-class table could be off by one, and random orders
of max-pools, batch norms, scales and flattens (BinaryNet's and Larq's pool-then-batch-norm with
mixed-sign gamma, zero-padded consumers) that must fuse completely.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, Float32Type, IntegerType, ModuleOp, TensorType
from xdsl.ir import Block, Region
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint

import models
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import bipolar, integer_range, is_bipolar, numpy_dtype
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.interp.run import interpret
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion
from bnnir.tools.cli import load_module
from test_onnx_exact import PLAIN_ONNX, QONNX, assert_bit_exact


def apply(module: ModuleOp, *passes: ModulePass) -> ModuleOp:
    module = module.clone()
    for p in passes:
        p.apply(Context(), module)
        module.verify()
    return module


def hidden_float_ops(module: ModuleOp) -> list[str]:
    """Float arithmetic left between the first layer's input and the last layer's output."""
    found = []
    for op in module.walk():
        if isinstance(op, bnn.MaxPoolOp | bnn.FlattenOp | bnn.ReshapeOp):
            if isinstance(bnn.tensor_type(op.output).element_type, Float32Type):
                found.append(op.name)
        if isinstance(op, bnn.BatchNormOp | bnn.SignOp | bnn.AffineOp | bnn.ThresholdOp):
            if isinstance(op, bnn.SignOp) and isinstance(op.input.owner, Block):
                continue  # binarizing a float network input
            if isinstance(op, bnn.AffineOp) and _only_feeds_outputs(op):
                continue  # the network's own output affine
            if isinstance(op, bnn.ThresholdOp) and not isinstance(
                bnn.tensor_type(op.input).element_type, Float32Type
            ):
                continue
            found.append(op.name)
    return found


def _only_feeds_outputs(op: bnn.AffineOp) -> bool:
    return all(
        isinstance(use.operation, func.ReturnOp)
        or (isinstance(use.operation, bnn.AffineOp) and _only_feeds_outputs(use.operation))
        or isinstance(use.operation, bnn.ArgMaxOp)
        for use in op.output.uses
    )


PIPELINE = (ThresholdFusion(), LegalizePadding())


@pytest.mark.parametrize("name", sorted(PLAIN_ONNX))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_networks_through_both_passes(name: str, seed: int) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(seed))
    module = import_onnx(model, input_type)
    lowered = apply(module, *PIPELINE)
    assert_bit_exact(run_module(lowered, x), models.ort_run(model, x))
    assert hidden_float_ops(lowered) == []


@pytest.mark.parametrize("name", sorted(QONNX))
def test_qonnx_networks_through_both_passes(name: str) -> None:
    input_type, build = QONNX[name]
    model, x = build(np.random.default_rng(3))
    module = import_onnx(model, input_type)
    assert_bit_exact(run_module(apply(module, *PIPELINE), x), run_module(module, x))


def test_explicit_minus_one_padding_compiles_the_same_in_both_modes() -> None:
    model, _ = models.cnv_minus_one_pad(np.random.default_rng(0))
    module = apply(import_onnx(model, "ui8"), ThresholdFusion())
    exact = apply(module, LegalizePadding("exact"))
    minus_one = apply(module, LegalizePadding("minus-one"))
    assert str(exact) == str(minus_one)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks())
def test_random_onnx_networks_through_both_passes(
    network: tuple[onnx.ModelProto, np.ndarray, str],
) -> None:
    model, x, input_kind = network
    module = import_onnx(model, input_kind)
    assert_bit_exact(run_module(apply(module, *PIPELINE), x), models.ort_run(model, x))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.mixed_networks())
def test_mixed_networks_fuse_completely_and_exactly(
    network: tuple[onnx.ModelProto, np.ndarray, str],
) -> None:
    """Convs of any shape and padding, batch norms at sign ties and one ulp beside them,
    scalar and per-channel arithmetic, pools in any place and mode, explicit pads, flattens and
    PyTorch views, Gemm epilogues: equal to onnxruntime (with bnn.sign's ties) on import and
    after both passes, with no float left between the layers and nothing remarked."""
    model, x, input_kind = network
    expected = models.ort_run(models.with_bnn_sign(model), x)
    with contextlib.redirect_stderr(io.StringIO()) as remarks:
        module = import_onnx(model, input_kind)
        fused = apply(module, ThresholdFusion())
    # the importer names the Signs these ties can reach; nothing else may be remarked
    others = [r for r in remarks.getvalue().splitlines() if "the contract's Sign tie" not in r]
    assert others == []
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(fused, x), expected)
    assert hidden_float_ops(fused) == []
    assert_bit_exact(run_module(apply(fused, LegalizePadding("exact")), x), expected)
    check_minus_one_after_fusion(module, fused, x)


# ===----------------------------------------------------------------------=== #
# Random single layers built in the bnn dialect
# ===----------------------------------------------------------------------=== #


def conv_bn_sign(
    rng: np.random.Generator, channels: int, out_channels: int, size: tuple[int, int],
    kernel: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int, int, int],
    near_boundary: bool,
) -> ModuleOp:
    """bipolar x -> conv2d (zero pads) -> batch_norm -> sign, with max-pool when it fits."""
    in_type = TensorType(bipolar, [DYNAMIC_INDEX, channels, *size])
    block = Block(arg_types=[in_type])
    b = Builder(InsertPoint.at_end(block))
    weights = rng.choice(np.array([-1, 1], np.int8), size=(out_channels, channels, *kernel))
    w = b.insert(bnn.ConstantOp.from_bipolar(weights)).result
    acc = b.insert(bnn.Conv2dOp(block.args[0], w, strides, pads)).output
    fan_in = channels * kernel[0] * kernel[1]
    gamma = rng.uniform(0.1, 3.0, out_channels) * rng.choice([-1.0, 1.0, 0.0], out_channels,
                                                                p=[0.45, 0.45, 0.1])
    mean = rng.integers(-fan_in, fan_in + 1, out_channels).astype(np.float32)
    if near_boundary:  # switching points one ulp beside attainable integers
        mean = np.where(rng.random(out_channels) < 0.5, np.nextafter(mean, np.float32(np.inf)),
                        np.nextafter(mean, np.float32(-np.inf)))
    beta = np.zeros(out_channels) if near_boundary else rng.normal(0, 1, out_channels)
    var = np.ones(out_channels) if near_boundary else rng.uniform(0.1, 4.0, out_channels)
    y = b.insert(bnn.BatchNormOp(acc, gamma, beta, mean, var, 1e-5 if not near_boundary else 0))
    out = b.insert(bnn.SignOp(y.output)).output
    b.insert(func.ReturnOp(out))
    fn = func.FuncOp("main", ([in_type], [out.type]), Region(block))
    module = ModuleOp([fn])
    module.verify()
    return module


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    channels=st.integers(1, 5),
    out_channels=st.integers(1, 6),
    height=st.integers(1, 7),
    width=st.integers(1, 7),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    pads=st.tuples(*[st.integers(0, 3)] * 4),
    near_boundary=st.booleans(),
)
def test_random_padded_convs(
    seed: int, channels: int, out_channels: int, height: int, width: int,
    kernel: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int, int, int],
    near_boundary: bool,
) -> None:
    top, left, bottom, right = pads
    if height + top + bottom < kernel[0] or width + left + right < kernel[1]:
        return
    rng = np.random.default_rng(seed)
    module = conv_bn_sign(rng, channels, out_channels, (height, width), kernel, strides, pads,
                          near_boundary)
    x = rng.choice(np.array([-1.0, 1.0], np.float32), size=(4, channels, height, width))
    expected = run_module(module, x)
    fused = apply(module, ThresholdFusion())
    assert_bit_exact(run_module(fused, x), expected)
    assert_bit_exact(run_module(apply(fused, LegalizePadding("exact")), x), expected)
    assert_bit_exact(run_module(apply(module, LegalizePadding("exact")), x), expected)


# ===----------------------------------------------------------------------=== #
# Where pools and flattens sit: everything fuses
# ===----------------------------------------------------------------------=== #


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.pool_order_networks())
def test_pool_and_flatten_orders_fuse_completely(
    network: tuple[onnx.ModelProto, np.ndarray, str],
) -> None:
    model, x, input_kind = network
    module = import_onnx(model, input_kind)
    with contextlib.redirect_stderr(io.StringIO()) as remarks:
        fused = apply(module, ThresholdFusion())
    assert remarks.getvalue() == ""  # nothing was left unfused
    assert hidden_float_ops(fused) == []
    # standalone thresholds only complement pooled bits a consumer cannot absorb
    assert all(isinstance(op.input.owner, bnn.MaxPoolOp) for op in fused.walk()
               if isinstance(op, bnn.ThresholdOp))
    expected = models.ort_run(model, x)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(fused, x), expected)
    assert_bit_exact(run_module(apply(fused, LegalizePadding("exact")), x), expected)
    check_minus_one_after_fusion(module, fused, x)


def check_minus_one_after_fusion(module: ModuleOp, fused: ModuleOp, x: np.ndarray) -> None:
    """mode=minus-one pads with the network's −1 whether or not fusion complemented the padded
    channels first (a min-pool's negation absorbed by a zero-padded conv reads −1 as +1)."""
    minus_one = LegalizePadding("minus-one")
    with contextlib.redirect_stderr(io.StringIO()):  # the remarks on each changed layer
        expected = run_module(apply(module, minus_one), x)
        assert_bit_exact(run_module(apply(fused, minus_one), x), expected)


def test_minus_one_pads_complemented_channels_with_the_networks_minus_one() -> None:
    """A max-pool, a negative scale and a sign before a zero-padded conv: fusion complements
    the pooled bits and the conv absorbs the negation; -1 padding after that equals the model
    that pads with an explicit -1 Pad under onnxruntime."""
    rng = np.random.default_rng(0)
    w = models.bipolar(rng, (3, 2, 3, 3))
    x = models.bipolar(rng, (4, 2, 8, 8))
    graphs = []
    for explicit in (False, True):
        g = models.Graph(rng)
        h = g.node("MaxPool", ["x"], kernel_shape=[2, 2], strides=[2, 2])
        h = g.sign(g.node("Mul", [h, g.const(np.array([1, -1], np.float32).reshape(2, 1, 1))]))
        if explicit:
            pads = g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))
            h = g.node("Pad", [h, pads, g.const(np.float32(-1))], mode="constant")
        y = g.conv(h, w, pad=0 if explicit else 1)
        graphs.append(g.model(["N", 2, 8, 8], y, ["N", 3, 4, 4]))
    module = import_onnx(graphs[0], "bipolar")
    fused = apply(module, ThresholdFusion())
    assert any(isinstance(op, bnn.Conv2dOp) and op.complemented is not None
               for op in fused.walk())
    with contextlib.redirect_stderr(io.StringIO()):
        padded = apply(fused, LegalizePadding("minus-one"))
    assert_bit_exact(run_module(padded, x), models.ort_run(graphs[1], x))
    check_minus_one_after_fusion(module, fused, x)


# ===----------------------------------------------------------------------=== #
# The FileCheck cases mean what they say
# ===----------------------------------------------------------------------=== #

FUSION_CASES = sorted((Path(__file__).parent / "filecheck/passes/bnn-threshold-fusion").glob(
    "*.mlir"))


def random_arguments(function: func.FuncOp, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """A batch of 256 random values per argument, in the interpreter's representation."""
    arguments = []
    for arg_type in function.function_type.inputs.data:
        assert isinstance(arg_type, TensorType)
        shape = [256 if d == DYNAMIC_INDEX else d for d in arg_type.get_shape()]
        element = arg_type.element_type
        if is_bipolar(element):
            arguments.append(rng.choice(np.array([-1, 1], np.int8), shape))
        elif isinstance(element, IntegerType):
            low, high = integer_range(element)
            arguments.append(rng.integers(low, high + 1, shape).astype(numpy_dtype(element)))
        else:
            arguments.append(rng.normal(size=shape).astype(np.float32))
    return tuple(arguments)


@pytest.mark.parametrize("path", FUSION_CASES, ids=lambda p: p.name)
def test_fusion_filecheck_cases_keep_their_outputs(path: Path) -> None:
    """Every function of the pass's FileCheck inputs computes the same after the pass (and after
    exact padding legalization), so the checked IR is also proven right."""
    module = load_module(str(path))
    after = {"fused": apply(module, ThresholdFusion())}
    after["legalized"] = apply(after["fused"], LegalizePadding("exact"))
    rng = np.random.default_rng(0)
    for function in (op for op in module.ops if isinstance(op, func.FuncOp)):
        name = function.sym_name.data
        arguments = random_arguments(function, rng)
        expected = interpret(module, function, arguments)
        for stage, changed in after.items():
            twin = next(op for op in changed.ops
                        if isinstance(op, func.FuncOp) and op.sym_name.data == name)
            for got, want in zip(interpret(changed, twin, arguments), expected, strict=True):
                assert got.dtype == want.dtype and np.array_equal(got, want), (name, stage)
