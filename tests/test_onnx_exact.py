"""Imported networks compute exactly what onnxruntime (or QONNX, for its custom ops) computes.

Each zoo network is imported with `import_onnx`, run by the bnn interpreter, and compared with the
reference bit for bit: identical float32 bit patterns for float outputs, identical integers for
labels. The networks are built without sign ties (see models.py), where ONNX Sign(0) = 0 and
bnn.sign(0) = +1 would differ.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from bnnir.frontend.onnx_import import import_onnx
from bnnir.interp import run_module


def assert_bit_exact(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if actual.dtype.kind == "f":
        mismatch = actual.view(np.uint32 if actual.itemsize == 4 else np.uint64) != expected.view(
            np.uint32 if expected.itemsize == 4 else np.uint64
        )
    else:
        mismatch = actual != expected
    if np.any(mismatch):
        first = tuple(int(i) for i in np.argwhere(mismatch)[0])
        pytest.fail(
            f"{int(mismatch.sum())} of {mismatch.size} outputs differ; first at {first}: "
            f"got {actual[first]!r}, expected {expected[first]!r}"
        )


def check_against(
    model: onnx.ModelProto,
    x: np.ndarray,
    input_type: str | None,
    reference: Callable[[onnx.ModelProto, np.ndarray], np.ndarray],
) -> None:
    module = import_onnx(model, input_type)
    assert_bit_exact(run_module(module, x), reference(model, x))


PLAIN_ONNX = {
    "mlp_bipolar": ("bipolar", models.mlp_bipolar),
    "mlp_gemm": ("bipolar", models.mlp_gemm),
    "cnv_small": ("ui8", models.cnv_small),
    "cnv_minus_one_pad": ("ui8", models.cnv_minus_one_pad),
    "conv_strided": ("ui8", models.conv_strided),
    "cnv_reshape": ("ui8", models.cnv_reshape),
    "bn_near_integer_boundary": ("bipolar", models.bn_near_integer_boundary),
    "pool_order_cnv": ("ui8", models.pool_order_cnv),
    "raw_conv_output": ("ui8", models.raw_conv_output),
}


@pytest.mark.parametrize("name", sorted(PLAIN_ONNX))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_onnx_equals_onnxruntime(name: str, seed: int) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(seed))
    check_against(model, x, input_type, models.ort_run)


QONNX = {
    "qonnx_mlp": (None, models.qonnx_mlp),
    "qonnx_multibit": ("bipolar", models.qonnx_multibit),
    "qonnx_topk": ("bipolar", models.qonnx_topk),
    "finn_onnx_mlp": (None, models.finn_onnx_mlp),
}


@pytest.mark.parametrize("name", sorted(QONNX))
@pytest.mark.parametrize("seed", [0, 1])
def test_qonnx_equals_qonnx_execution(name: str, seed: int) -> None:
    input_type, build = QONNX[name]
    model, x = build(np.random.default_rng(seed))
    check_against(model, x, input_type, models.qonnx_run)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.integers(1, 20), max_pad=1))
def test_random_bnns_equal_onnxruntime(network: tuple[onnx.ModelProto, np.ndarray, str]) -> None:
    model, x, input_kind = network
    check_against(model, x, input_kind, models.ort_run)


SAME_PADDING = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2, 5, 5] x) => (float[N, 3, 3, 3] y)
<float[3, 2, 2, 2] w = {weights}, float[3] b = {{0.25, -0.5, 0.0}}>
{{
  y = Conv <auto_pad = "{mode}", strides = [2, 2]> (x, w, b)
}}
"""


@pytest.mark.parametrize("mode", ["SAME_UPPER", "SAME_LOWER"])
def test_auto_pad_and_conv_bias(mode: str) -> None:
    """auto_pad SAME pads asymmetrically (the extra pixel after or before); a Conv bias is one
    float32 addition after the exact accumulator."""
    import onnx.parser

    rng = np.random.default_rng(5)
    weights = "{" + ", ".join(str(v) for v in rng.choice([-1.0, 1.0], size=24)) + "}"
    model = onnx.parser.parse_model(SAME_PADDING.format(weights=weights, mode=mode))
    x = rng.choice(np.array([-1.0, 1.0], np.float32), size=(3, 2, 5, 5))
    check_against(model, x, "bipolar", models.ort_run)
