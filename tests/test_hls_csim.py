"""The emitted HLS C++, compiled with g++ and run as a C simulation, computes exactly what the
interpreter and onnxruntime compute, for several foldings and both padding modes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.context import Context

import models
from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.backends.hls.emit import emit_project
from bnnir.dialects import hwstream as hw
from bnnir.interp import run_module
from bnnir.passes.fold import Fold, annotate
from bnnir.tools.cli import load_module
from test_folding import wide_dense
from test_hwstream_exact import fold_with, lowered, to_stream
from test_onnx_exact import PLAIN_ONNX, QONNX, assert_bit_exact


def check_csim(model, x, input_type: str | None, pick: str, seed: int, mode: str = "exact",
               reference=None) -> None:
    module = lowered(model, input_type, mode)
    expected = run_module(module, x) if reference is None else reference(model, x)
    fold_with(module, pick, np.random.default_rng(seed))
    module = to_stream(module)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine="csim"), expected)


@pytest.mark.parametrize("pick", ["slowest", "fastest", "random"])
@pytest.mark.parametrize("name", ["cnv_small", "conv_strided", "mlp_gemm", "cnv_minus_one_pad",
                                  "pool_order_cnv", "raw_conv_output"])
def test_plain_networks_in_csim(name: str, pick: str) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(7))
    check_csim(model, x, input_type, pick, 8, reference=models.ort_run)


@pytest.mark.parametrize("name", sorted(QONNX))
def test_qonnx_networks_in_csim(name: str) -> None:
    input_type, build = QONNX[name]
    model, x = build(np.random.default_rng(9))
    check_csim(model, x, input_type, "random", 10)


@pytest.mark.parametrize(("kernel", "pads", "stride"), [(2, (0, 1, 1, 0), 2), (3, (2, 1, 0, 2), 1)])
def test_raw_conv_border_offsets_in_csim(kernel: int, pads: tuple[int, int, int, int],
                                         stride: int) -> None:
    """A conv without thresholds on a zero-padded bipolar map adds its per-class offsets."""
    model, x = models.raw_conv_output(np.random.default_rng(14), size=5, kernel=kernel,
                                      pads=pads, stride=stride, channels=(4, 6))
    check_csim(model, x, "ui8", "random", 15, reference=models.ort_run)


def test_minus_one_padding_in_csim() -> None:
    model, x = models.cnv_small(np.random.default_rng(11))
    check_csim(model, x, "ui8", "random", 12, mode="minus-one")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 4, 6, 8]), max_size=8),
       seed=st.integers(0, 2**32 - 1))
def test_random_networks_in_csim(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    model, x, input_kind = network
    check_csim(model, x, input_kind, "random", seed, reference=models.ort_run)


def test_emission_is_deterministic() -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    first, second = (emit_project(to_stream(_folded(model))) for _ in range(2))
    assert first == second


def _folded(model):
    module = lowered(model, "ui8")
    fold_with(module, "random", np.random.default_rng(0))
    return module


def test_standalone_falling_threshold_in_csim() -> None:
    from pathlib import Path

    from xdsl.context import Context

    from bnnir.passes.fold import Fold
    from bnnir.tools.cli import load_module

    source = Path(__file__).parent / "filecheck" / "backends" / "hls" / "threshold.mlir"
    module = load_module(str(source))
    x = np.random.default_rng(13).choice(np.array([-1.0, 1.0], np.float32), size=(5, 1, 4, 4))
    expected = run_module(module, x)
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    module = to_stream(module)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine="csim"), expected)


def test_signed_8bit_input_in_csim() -> None:
    """si8 pixels stream as two's complement lanes and multiply as signed in the first MVTU."""
    model, _ = models.cnv_small(np.random.default_rng(3))
    x = np.random.default_rng(4).integers(-128, 128, size=(3, 3, 8, 8)).astype(np.float32)
    check_csim(model, x, "si8", "random", 5, reference=models.ort_run)


def _converter_chain(lanes: list[int], bits: int, elements: int) -> str:
    """A design that only regroups a frame of `elements` lanes through width converters."""
    element = "i1" if bits == 1 else f"ui{bits}"
    body, value = [], "%in"
    for index, (a, b) in enumerate(itertools.pairwise(lanes)):
        body.append(
            f"  %d{index} = hwstream.dwc {value} {{in_lanes = {a} : i64, out_lanes = {b} : i64, "
            f"bits = {bits} : i64, words = {elements // a} : i64}} : !hwstream.stream<{a * bits}>"
            f" -> !hwstream.stream<{b * bits}>")
        value = f"%d{index}"
    tensor = f"tensor<?x{elements}x{element}>"
    return "\n".join([
        f"func.func @main(%x: {tensor}) -> {tensor} {{",
        f"  %y = hwstream.instance @chain(%x) : {tensor} -> {tensor}",
        f"  func.return %y : {tensor}",
        "}",
        f"hwstream.design @chain attributes {{input_type = {tensor}, output_type = {tensor}, "
        f"input_lanes = {lanes[0]} : i64, output_lanes = {lanes[-1]} : i64}} {{",
        f"^bb0(%in: !hwstream.stream<{lanes[0] * bits}>):",
        *body,
        f"  hwstream.yield {value} : !hwstream.stream<{lanes[-1] * bits}>",
        "}",
    ])


@pytest.mark.parametrize(("lanes", "bits"), [
    ([4, 6, 5, 12, 10, 3, 20, 15, 60, 1, 4], 3),  # neither count dividing the other, and both
    ([1, 7, 3, 5, 15, 105, 2], 1),
    ([64, 63, 64], 2),
])
def test_width_converters_keep_lane_order_in_csim(tmp_path, lanes: list[int], bits: int) -> None:
    """Gearboxes between any two lane counts: the stream interpreter and the C simulation of
    dwc.hpp both pass every lane of several frames through, in order."""
    elements = math.lcm(*lanes) * (2 if lanes[0] == 64 else 1)
    path = tmp_path / "chain.mlir"
    path.write_text(_converter_chain(lanes, bits, elements))
    module = load_module(str(path))
    x = np.random.default_rng(len(lanes)).integers(0, 2**bits, size=(3, elements))
    x = (x * 2 - 1 if bits == 1 else x).astype(np.float32)
    expected = x.astype(np.int8 if bits == 1 else np.uint8)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine="csim"), expected)


def test_coprime_lanes_between_layers_in_csim() -> None:
    """Layers whose lanes do not divide each other (5 -> 3, 5 -> 33) are joined by one gearbox
    each, bit-exactly in the interpreter and in C simulation."""
    model, x = models.random_bnn(np.random.default_rng(870261678), depth=2, channels=15, size=7,
                                 kernel=1, pad=1, pool=False, input_kind="ui8")
    module = lowered(model, "ui8")
    wanted = [{"pe": 5}, {"window_simd": 3, "pe": 5}, {"simd": 33}]
    picks = [min((c for c in layer.choices if c.matches(params)), key=lambda c: c.key)
             for layer, params in zip(hardware_layers(module), wanted, strict=True)]
    annotate(module, Folding(tuple(zip(hardware_layers(module), picks, strict=True))), 100.0)
    module = to_stream(module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    converters = {(op.lanes_in, op.lanes_out) for op in design.kernels()
                  if isinstance(op, hw.DwcOp)}
    assert {(5, 3), (5, 33)} <= converters
    expected = models.ort_run(model, x)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine="csim"), expected)


def test_the_widest_stream_words_in_csim(tmp_path) -> None:
    """4096-bit words (512 lanes of 8 bits), the widest bnn-fold allows, build and run exactly."""
    module = load_module(wide_dense(tmp_path, 1024, "ui8"))
    x = np.random.default_rng(14).integers(0, 256, size=(2, 1024)).astype(np.float32)
    expected = run_module(module, x)
    Fold(target_fps=5e7, clock_mhz=100).apply(Context(), module)
    module = to_stream(module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    assert hw.stream_width(design.body.block.args[0]) == 4096
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine="csim"), expected)
