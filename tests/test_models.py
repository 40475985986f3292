"""Sanity of the test model zoo itself (tests/models.py), independent of bnnir.

Every model passes onnx.checker, runs in its reference executor with outputs of the expected shape,
type and finiteness, has the dynamic batch dimension "N", batch norms of the promised shape, no sign
ties on its input batch, and contains the nodes its builder promises to exercise.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

import models

SEEDS = [0, 1, 2]
OUTPUT = {  # output shape after the batch and element type per builder
    "mlp_bipolar": ((10,), np.float32),
    "mlp_gemm": ((10,), np.float32),
    "cnv_small": ((10,), np.float32),
    "cnv_minus_one_pad": ((10,), np.float32),
    "conv_strided": ((10,), np.float32),
    "cnv_reshape": ((10,), np.float32),
    "bn_near_integer_boundary": ((4,), np.float32),
    "random_bnn": ((10,), np.float32),
    "pool_order_cnv": ((10,), np.float32),
    "raw_conv_output": ((5, 6, 6), np.float32),
    "qonnx_mlp": ((10,), np.float32),
    "qonnx_multibit": ((6,), np.float32),
    "qonnx_topk": ((1,), np.int64),
    "finn_onnx_mlp": ((1,), np.int64),
    "gemm_fused": ((10,), np.float32),
    "torch_view_cnn": ((10,), np.float32),
    "pad_value_cnn": ((10,), np.float32),
    "qonnx_levels_cnn": ((10,), np.float32),
    "qonnx_zero_points": ((8,), np.float32),
}
PROMISED_OPS = {  # nodes a builder must contain, with minimum counts
    "mlp_bipolar": {"MatMul": 3, "BatchNormalization": 2, "Sign": 2, "Mul": 1, "Add": 1},
    "mlp_gemm": {"Gemm": 3, "Mul": 1, "Div": 1, "Sub": 1, "Sign": 2, "BatchNormalization": 1},
    "cnv_small": {"Conv": 3, "BatchNormalization": 4, "Sign": 4, "MaxPool": 1, "Flatten": 1},
    "cnv_minus_one_pad": {"Pad": 1, "Conv": 3, "MaxPool": 1, "Flatten": 1},
    "conv_strided": {"Conv": 2, "MaxPool": 1, "Sign": 2},
    "cnv_reshape": {"Reshape": 1, "Identity": 1, "Conv": 3},
    "bn_near_integer_boundary": {"MatMul": 2, "BatchNormalization": 1, "Sign": 1},
    "random_bnn": {"Conv": 2, "Sign": 2, "MaxPool": 1, "Flatten": 1},
    "pool_order_cnv": {"Conv": 3, "MaxPool": 2, "BatchNormalization": 3, "Mul": 1, "Flatten": 1},
    "raw_conv_output": {"Conv": 2, "BatchNormalization": 1, "Sign": 1},
    "qonnx_mlp": {"BipolarQuant": 6, "Quant": 1, "MultiThreshold": 1, "BatchNormalization": 2,
                  "MatMul": 4, "Mul": 1},
    "qonnx_multibit": {"Quant": 2, "MatMul": 3, "BatchNormalization": 1},
    "qonnx_topk": {"BipolarQuant": 4, "TopK": 1},
    "finn_onnx_mlp": {"XnorPopcountMatMul": 1, "MultiThreshold": 3, "TopK": 1},
    "gemm_fused": {"Gemm": 2, "Sign": 1},
    "torch_view_cnn": {"MaxPool": 1, "Shape": 1, "Gather": 1, "Unsqueeze": 1, "Concat": 1,
                       "Reshape": 1},
    "pad_value_cnn": {"Pad": 1, "Conv": 2, "Sign": 2},
    "qonnx_levels_cnn": {"MultiThreshold": 3, "Quant": 1, "Conv": 4, "BipolarQuant": 2},
    "qonnx_zero_points": {"Quant": 2, "MatMul": 1},
}
PLAIN = [name for name, entry in models.ZOO.items() if entry.reference is models.ort_run]


def test_zoo_tables_cover_every_builder() -> None:
    assert set(OUTPUT) == set(models.ZOO) == set(PROMISED_OPS)


def build(name: str, seed: int) -> tuple[onnx.ModelProto, np.ndarray]:
    return models.ZOO[name].build(np.random.default_rng(seed))


def attr(node: onnx.NodeProto, name: str) -> object:
    return next(helper.get_attribute_value(a) for a in node.attribute if a.name == name)


def initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


# ===----------------------------------------------------------------------=== #
# Every builder
# ===----------------------------------------------------------------------=== #


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(models.ZOO))
def test_model_is_valid_and_runs(name: str, seed: int) -> None:
    model, x = build(name, seed)
    onnx.checker.check_model(model, full_check=not models.uses_custom_ops(model))
    assert model.ir_version == models.IR_VERSION
    assert {o.domain: o.version for o in model.opset_import}[""] == models.OPSET
    assert x.dtype == np.float32
    y = models.ZOO[name].reference(model, x)
    shape, dtype = OUTPUT[name]
    assert y.shape == (x.shape[0], *shape)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("name", sorted(models.ZOO))
def test_batch_dimension_is_dynamic(name: str) -> None:
    model, _ = build(name, 0)
    for info in (model.graph.input[0], model.graph.output[0]):
        assert info.type.tensor_type.shape.dim[0].dim_param == "N"


@pytest.mark.parametrize("name", sorted(models.ZOO))
def test_builders_are_deterministic(name: str) -> None:
    (m1, x1), (m2, x2) = build(name, 5), build(name, 5)
    assert m1.SerializeToString() == m2.SerializeToString()
    np.testing.assert_array_equal(x1, x2)


@pytest.mark.parametrize("name", sorted(models.ZOO))
def test_builder_contains_promised_nodes(name: str) -> None:
    model, _ = build(name, 0)
    counts = Counter(node.op_type for node in model.graph.node)
    for op, minimum in PROMISED_OPS[name].items():
        assert counts[op] >= minimum, (op, counts)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", PLAIN)
def test_plain_models_have_no_sign_ties(name: str, seed: int) -> None:
    model, x = build(name, seed)
    assert models.sign_ties(model, x) == []
    values = models.intermediate_values(model, x, models.sign_inputs(model))
    assert all(np.all(v != 0) for v in values)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(models.ZOO))
def test_batch_norm_parameters(name: str, seed: int) -> None:
    model, _ = build(name, seed)
    consts = initializers(model)
    bns = [n for n in model.graph.node if n.op_type == "BatchNormalization"]
    for node in bns:
        gamma, _, _, var = (consts[i] for i in node.input[1:])
        assert np.all(var > 0)
        assert np.all(np.abs(gamma) >= 0.25)
        if len(gamma) >= 2:
            assert gamma.min() < 0 < gamma.max(), "gamma must have mixed signs"


def test_zero_gamma_is_opt_in() -> None:
    for model, _ in (models.mlp_bipolar(np.random.default_rng(0), zero_gamma=True),
                     models.random_bnn(np.random.default_rng(0), zero_gamma=True)):
        consts = initializers(model)
        gammas = [consts[n.input[1]] for n in model.graph.node
                  if n.op_type == "BatchNormalization"]
        assert all(np.any(g == 0) for g in gammas)


# ===----------------------------------------------------------------------=== #
# Sign ties
# ===----------------------------------------------------------------------=== #


def tie_model() -> onnx.ModelProto:
    """x → BN(gamma 0, beta 0) → Sign: every output is a tie."""
    g = models.Graph(np.random.default_rng(0))
    zero, one = np.zeros(2, np.float32), np.ones(2, np.float32)
    y = g.sign(g.batch_norm("x", models.BatchNorm(zero, zero, zero, one)))
    return g.model(["N", 2], y, ["N", 2])


def test_sign_ties_are_detected() -> None:
    model = tie_model()
    assert models.sign_ties(model, np.ones((3, 2), np.float32)) == model.graph.node[0].output


def test_without_sign_ties_redraws_and_gives_up() -> None:
    calls = []

    def always_tied(rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
        calls.append(rng.random())
        return tie_model(), np.ones((1, 2), np.float32)

    with pytest.raises(RuntimeError, match="sign ties"):
        models.without_sign_ties(always_tied, np.random.default_rng(0))
    assert len(set(calls)) == models.MAX_DRAWS


# ===----------------------------------------------------------------------=== #
# Specific builders
# ===----------------------------------------------------------------------=== #


def ort_batch_norm(x: np.ndarray, bn: list[np.ndarray], eps: float) -> np.ndarray:
    """onnxruntime's float32 batch norm on [N, C]: s = γ·(1/√(var+ε)), b = β − mean·s, x·s + b."""
    gamma, beta, mean, var = (np.asarray(p, np.float32) for p in bn)
    s = gamma * (np.float32(1) / np.sqrt(var + np.float32(eps)))
    return x * s + (beta - mean * s)


@pytest.mark.parametrize("seed", range(6))
def test_near_boundary_switches_within_one_ulp_of_attained_integers(seed: int) -> None:
    model, x = models.bn_near_integer_boundary(np.random.default_rng(seed))
    consts = initializers(model)
    matmul, bn_node = model.graph.node[0], model.graph.node[1]
    w = consts[matmul.input[1]]
    bn = models.BatchNorm(*(consts[i] for i in bn_node.input[1:]), attr(bn_node, "epsilon"))
    k = np.round(bn.mean).astype(np.float32)
    probe = models.ulp_neighbours(k)
    assert np.all(k != 0)
    assert np.all((bn.mean == probe[0]) | (bn.mean == probe[2])), "mean is k ± 1 ulp"
    assert np.all(models.bn_switches_within_ulp(bn, k))
    np.testing.assert_array_equal(  # the design's float32 expression is onnxruntime's
        ort_batch_norm(probe, bn.inputs(), bn.epsilon),
        models.ort_run(models.bn_only_model(bn), probe),
    )
    acc = x @ w
    assert np.all(np.any(acc == k, axis=0)), "every switching integer is attained on x"
    assert models.sign_ties(model, x) == []


def test_unit_var_makes_the_scale_exactly_one() -> None:
    for eps in (1e-5, 1e-3, 0.1):
        var = models.unit_var(eps)
        assert var + np.float32(eps) == np.float32(1)


@pytest.mark.parametrize("seed", SEEDS)
def test_qonnx_mlp_quantizers(seed: int) -> None:
    model, _ = models.qonnx_mlp(np.random.default_rng(seed))
    consts = initializers(model)
    assert model.graph.node[0].op_type == "BipolarQuant"
    assert model.graph.node[0].input[0] == "x"
    weights = [n for n in model.graph.node if n.op_type in ("BipolarQuant", "Quant")
               and n.input[0] in consts]
    assert len(weights) == 4
    for node in weights:
        latent = consts[node.input[0]]
        assert not np.all(np.abs(latent) == 1), "latent weights are floats, not ±1"
        assert consts[node.input[1]] == 1.0
    quant = next(n for n in model.graph.node if n.op_type == "Quant")
    assert consts[quant.input[3]] == 1
    assert (attr(quant, "signed"), attr(quant, "narrow")) == (1, 0)
    mt = next(n for n in model.graph.node if n.op_type == "MultiThreshold")
    assert mt.domain == models.QONNX_DOMAIN
    assert (attr(mt, "out_scale"), attr(mt, "out_bias"), attr(mt, "out_dtype")) == (
        2.0, -1.0, b"BIPOLAR")
    thresholds = consts[mt.input[1]]
    assert np.all(np.diff(thresholds, axis=1) >= 0)


def test_qonnx_multibit_rounds_half_to_even() -> None:
    """The first 2-bit Quant sees exact halves (…, 0.5, 1.5, 2.5), so its ROUND mode matters."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    model, x = models.qonnx_multibit(np.random.default_rng(0), batch=16)
    quant = next(n for n in model.graph.node if n.op_type == "Quant")
    assert (attr(quant, "signed"), attr(quant, "rounding_mode")) == (0, b"ROUND")
    for info in (model.graph.input[0], model.graph.output[0]):
        info.type.tensor_type.shape.dim[0].dim_value = x.shape[0]
    wrapper = ModelWrapper(model).transform(InferShapes())
    context = execute_onnx(wrapper, {"x": x}, return_full_exec_context=True)
    q_in, q_out = context[quant.input[0]], context[quant.output[0]]
    halves = (q_in % 1 == 0.5) & (q_in > 0) & (q_in < 3)
    assert np.any(halves)
    np.testing.assert_array_equal(q_out[halves], np.round(q_in[halves]))  # numpy: half-even
    assert set(np.unique(q_out)) <= {0.0, 1.0, 2.0, 3.0}


def test_finn_onnx_mlp_annotations() -> None:
    model, x = models.finn_onnx_mlp(np.random.default_rng(0))
    datatypes = {a.tensor_name: e.value for a in model.graph.quantization_annotation
                 for e in a.quant_parameter_tensor_names if e.key == "finn_datatype"}
    assert datatypes["x"] == "UINT8"
    assert {"BIPOLAR", "BINARY"} <= set(datatypes.values())
    xnor = next(n for n in model.graph.node if n.op_type == "XnorPopcountMatMul")
    assert xnor.domain == models.FINN_DOMAIN
    assert datatypes[xnor.input[0]] == datatypes[xnor.input[1]] == "BINARY"
    assert set(np.unique(initializers(model)[xnor.input[1]])) <= {0.0, 1.0}
    assert np.all((x >= 0) & (x <= 255) & (x == np.round(x)))


def test_cnv_minus_one_pad_pads_spatially_with_minus_one() -> None:
    model, _ = models.cnv_minus_one_pad(np.random.default_rng(0))
    consts = initializers(model)
    pad = next(n for n in model.graph.node if n.op_type == "Pad")
    assert consts[pad.input[2]] == -1.0
    assert consts[pad.input[1]].tolist() == [0, 0, 1, 1, 0, 0, 1, 1]
    conv = next(n for n in model.graph.node if n.op_type == "Conv" and n.input[0] == pad.output[0])
    assert list(attr(conv, "pads")) == [0, 0, 0, 0]


def test_cnv_small_sizes() -> None:
    model, x = models.cnv_small(np.random.default_rng(0), ch=(4, 6), pad=0, size=10)
    assert models.ort_run(model, x).shape == (4, 10)
    with pytest.raises(ValueError, match="too small"):
        models.cnv_small(np.random.default_rng(0), pad=0, size=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    depth=st.integers(0, 3),
    channels=st.integers(1, 12),
    size=st.integers(1, 9),
    kernel=st.sampled_from([1, 2, 3]),
    pad=st.sampled_from([0, 1, 2]),
    pool=st.booleans(),
    pad_mode=st.sampled_from(["zero", "minus_one_pad_node"]),
    input_kind=st.sampled_from(["ui8", "bipolar"]),
    zero_gamma=st.booleans(),
)
def test_random_bnn_any_parameters(
    seed: int, depth: int, channels: int, size: int, kernel: int, pad: int, pool: bool,
    pad_mode: str, input_kind: str, zero_gamma: bool,
) -> None:
    model, x = models.random_bnn(
        np.random.default_rng(seed), depth=depth, channels=channels, size=size, kernel=kernel,
        pad=pad, pool=pool, pad_mode=pad_mode, input_kind=input_kind, zero_gamma=zero_gamma,
    )
    onnx.checker.check_model(model, full_check=True)
    y = models.ort_run(model, x)
    assert y.shape == (x.shape[0], 10) and np.all(np.isfinite(y))
    assert models.sign_ties(model, x) == []
    if input_kind == "bipolar":
        assert set(np.unique(x)) <= {-1.0, 1.0}
    else:
        assert np.all((x >= 0) & (x <= 255) & (x == np.round(x)))
    if pad_mode == "zero":
        assert all(n.op_type != "Pad" for n in model.graph.node)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.pool_order_networks())
def test_pool_order_networks_are_valid(network: tuple[onnx.ModelProto, np.ndarray, str]) -> None:
    model, x, _ = network
    onnx.checker.check_model(model, full_check=True)
    y = models.ort_run(model, x)
    assert y.shape == (x.shape[0], 10) and np.all(np.isfinite(y))
    assert models.sign_ties(model, x) == []


def test_pool_order_sizes() -> None:
    assert models.pool_order_sizes(8, 1, ("pool_bn", "bn_pool_scale"), 1) == [8, 4, 2]
    assert models.pool_order_sizes(10, 0, ("bn", "bn_pool"), 0) == [8, 6, 1]
    with pytest.raises(ValueError, match="too small"):
        models.pool_order_sizes(6, 0, ("pool_bn", "pool_bn"), 0)


# ===----------------------------------------------------------------------=== #
# The benchmark network
# ===----------------------------------------------------------------------=== #


def test_big_mlp_default_has_ten_million_weights() -> None:
    model, x = models.big_mlp(check_ties=False)
    assert 9.5e6 <= models.weight_count(model) <= 10.5e6
    assert models.big_mlp_sizes(10_000_000) == [784, 2048, 2048, 2048, 10]
    assert x.shape == (4, 784)
    for t in model.graph.initializer:
        if t.name.startswith("w"):
            assert set(np.unique(numpy_helper.to_array(t))) == {-1.0, 1.0}


def test_big_mlp_small_runs_without_ties() -> None:
    model, x = models.big_mlp(np.random.default_rng(1), n_weights=300_000, width=256)
    onnx.checker.check_model(model, full_check=True)
    assert models.sign_ties(model, x) == []
    assert models.ort_run(model, x).shape == (4, 10)


def test_make_big_model_script(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "make_big_model.py"
    out, x_path = tmp_path / "big.onnx", tmp_path / "x.npy"
    result = subprocess.run(
        [sys.executable, str(script), str(out), "--weights", "1000000", "--width", "512",
         "--input", str(x_path)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    model = onnx.load(out)
    onnx.checker.check_model(model)
    assert 0.9e6 <= models.weight_count(model) <= 1.1e6
    x = np.load(x_path)
    assert models.ort_run(model, x).shape == (x.shape[0], 10)
    assert model.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
