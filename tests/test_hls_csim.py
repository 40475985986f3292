"""The emitted HLS C++, compiled with g++ and run as a C simulation, computes exactly what the
interpreter and onnxruntime compute, for several foldings and both padding modes."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from bnnir.backends.hls.emit import emit_project
from bnnir.interp import run_module
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
