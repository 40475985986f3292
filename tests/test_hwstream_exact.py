"""Streaming conversion keeps every output bit: the stream interpreter against onnxruntime.

Networks go through the whole flow (fusion, padding legalization in both modes, folding,
bnn-to-hwstream) and the hwstream design runs word by word. Foldings cover PE = SIMD = 1, the
maximal ones, and random legal mixes (window SIMD differing from the MVTU's, with converters).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.dialects import hwstream as hw
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion
from bnnir.tools.bnn_opt import main as bnn_opt
from bnnir.tools.bnn_run import main as bnn_run
from bnnir.tools.bnn_translate import main as bnn_translate
from test_onnx_exact import PLAIN_ONNX, QONNX, assert_bit_exact


def lowered(model, input_type: str | None, mode: str = "exact") -> ModuleOp:
    module = import_onnx(model, input_type)
    for p in (ThresholdFusion(), LegalizePadding(mode)):
        p.apply(Context(), module)
    return module


def to_stream(module: ModuleOp) -> ModuleOp:
    BnnToHwstream().apply(Context(), module)
    module.verify()
    assert any(isinstance(op, hw.DesignOp) for op in module.ops)
    return module


def fold_with(module: ModuleOp, pick: str, rng: np.random.Generator | None = None) -> None:
    """Fold every layer with its slowest, fastest or a random legal choice."""
    choices = []
    for layer in hardware_layers(module):
        if pick == "slowest":
            choice = min(layer.choices, key=lambda c: sum(c.params.values()))
        elif pick == "fastest":
            choice = min(layer.choices, key=lambda c: (c.cycles, c.key))
        else:
            assert rng is not None
            choice = layer.choices[rng.integers(len(layer.choices))]
        choices.append((layer, choice))
    annotate(module, Folding(tuple(choices)), 100.0)


PIPELINE = ("bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=1000 clock-mhz=100},"
            "bnn-to-hwstream")


@pytest.mark.parametrize("name", sorted(PLAIN_ONNX))
def test_plain_networks_through_the_command_line(name: str, tmp_path: Path) -> None:
    """bnn-translate --import-onnx, bnn-opt with the whole pipeline to a streaming design at
    1000 fps, and bnn-run give onnxruntime's outputs bit for bit."""
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(0))
    onnx.save(model, tmp_path / "model.onnx")
    np.save(tmp_path / "x.npy", x)
    assert bnn_translate(["--import-onnx", str(tmp_path / "model.onnx"), "--input-type",
                          input_type, "-o", str(tmp_path / "bnn.mlir")]) == 0
    assert bnn_opt([str(tmp_path / "bnn.mlir"), "-p", PIPELINE,
                    "-o", str(tmp_path / "stream.mlir")]) == 0
    assert "hwstream.design" in (tmp_path / "stream.mlir").read_text()
    assert bnn_run([str(tmp_path / "stream.mlir"), "--input", str(tmp_path / "x.npy"),
                    "-o", str(tmp_path / "y.npy")]) == 0
    assert_bit_exact(np.load(tmp_path / "y.npy"), models.ort_run(model, x))


@pytest.mark.parametrize("pick", ["slowest", "fastest", "random"])
@pytest.mark.parametrize("name", ["cnv_small", "cnv_minus_one_pad", "conv_strided", "mlp_gemm"])
def test_foldings_keep_outputs(name: str, pick: str) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(1))
    module = lowered(model, input_type)
    fold_with(module, pick, np.random.default_rng(2))
    assert_bit_exact(run_module(to_stream(module), x), models.ort_run(model, x))


@pytest.mark.parametrize("name", sorted(QONNX))
def test_qonnx_networks_stream(name: str) -> None:
    input_type, build = QONNX[name]
    model, x = build(np.random.default_rng(4))
    module = lowered(model, input_type)
    expected = run_module(module, x)
    fold_with(module, "random", np.random.default_rng(5))
    assert_bit_exact(run_module(to_stream(module), x), expected)


@pytest.mark.parametrize("pick", ["slowest", "fastest", "random"])
@pytest.mark.parametrize("reader", models.FLATTENED_MAP_READERS)
def test_flattened_maps_keep_their_feature_order(reader: str, pick: str) -> None:
    """A flattened map streams (h, w, c): thresholds per feature and dense layers reading it
    are reordered to the stream, and an arg-max or the design's output would not be, so the
    design ends before such a flatten (its output stays a map)."""
    model, x = models.flattened_map_reader(np.random.default_rng(7), reader)
    module = lowered(model, "bipolar")
    fold_with(module, pick, np.random.default_rng(8))
    module = to_stream(module)
    assert_bit_exact(run_module(module, x), models.ort_run(model, x))
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    assert len(design.output_type.get_shape()) == (2 if reader.endswith("dense") else 4)


def test_minus_one_mode_streams_what_the_bnn_module_computes() -> None:
    model, x = models.cnv_small(np.random.default_rng(3))
    module = lowered(model, "ui8", mode="minus-one")
    expected = run_module(module, x)
    fold_with(module, "random", np.random.default_rng(6))
    assert_bit_exact(run_module(to_stream(module), x), expected)


def streamed(model: onnx.ModelProto, input_kind: str, seed: int) -> ModuleOp:
    """The model imported, fused, padded, folded at random (seeded) and streamed."""
    module = lowered(model, input_kind)
    fold_with(module, "random", np.random.default_rng(seed))
    return to_stream(module)


def check_streams_exactly(network: tuple[onnx.ModelProto, np.ndarray, str], seed: int) -> None:
    model, x, input_kind = network
    assert_bit_exact(run_module(streamed(model, input_kind, seed), x), models.ort_run(model, x))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 4, 6, 8, 12])),
       seed=st.integers(0, 2**32 - 1))
def test_random_networks_stream_exactly(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    check_streams_exactly(network, seed)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.pool_order_networks(), seed=st.integers(0, 2**32 - 1))
def test_pool_and_flatten_orders_stream_exactly(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    """Pool-then-batch-norm with mixed-sign gamma (negations absorbed by the consumers), float
    pools before negative scales and flattens before signs all become hardware layers."""
    check_streams_exactly(network, seed)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.raw_conv_networks(), seed=st.integers(0, 2**32 - 1))
def test_raw_conv_border_offsets_stream_exactly(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    """A last conv without thresholds on a zero-padded bipolar map: its border correction is the
    MVTU's per-class offsets (any kernel, asymmetric pads, stride, folding)."""
    model, x, input_kind = network
    module = streamed(model, input_kind, seed)
    mvtus = [op for op in module.walk() if isinstance(op, hw.MvtuOp)]
    assert (mvtus[-1].offsets is not None) == any(_conv_pads(model))
    assert_bit_exact(run_module(module, x), models.ort_run(model, x))


def _conv_pads(model: onnx.ModelProto) -> list[int]:
    last = [n for n in model.graph.node if n.op_type == "Conv"][-1]
    return next(list(a.ints) for a in last.attribute if a.name == "pads")
