"""Imported networks compute exactly what onnxruntime (or QONNX, for its custom ops) computes.

Each zoo network is imported with `import_onnx`, run by the bnn interpreter, and compared with the
reference bit for bit: identical float32 bit patterns for float outputs, identical integers for
labels. The networks are built without sign ties (see models.py), where ONNX Sign(0) = 0 and
bnn.sign(0) = +1 would differ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnx.parser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from bnnir.frontend.onnx import import_onnx
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
    "gemm_fused": ("bipolar", models.gemm_fused),
    "torch_view_cnn": ("ui8", models.torch_view_cnn),
    "pad_value_cnn": ("ui8", models.pad_value_cnn),
    "scaled_pool_cnn": ("ui8", models.scaled_pool_cnn),
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
    "qonnx_levels_cnn": (None, models.qonnx_levels_cnn),
    "qonnx_zero_points": (None, models.qonnx_zero_points),
    "qonnx_pooled_levels": (None, models.qonnx_pooled_levels),
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
    rng = np.random.default_rng(5)
    weights = "{" + ", ".join(str(v) for v in rng.choice([-1.0, 1.0], size=24)) + "}"
    model = onnx.parser.parse_model(SAME_PADDING.format(weights=weights, mode=mode))
    x = rng.choice(np.array([-1.0, 1.0], np.float32), size=(3, 2, 5, 5))
    check_against(model, x, "bipolar", models.ort_run)


PADDED_SAME = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 1, 5, 5] x) => (float[N, 2, 3, 3] y)
<float[2, 1, 3, 3] w = {weights}, int64[8] pads = {{0, 0, 1, 0, 0, 0, 0, 1}}, float zero = {{0.0}}>
{{
  p = Pad (x, pads, zero)
  y = Conv <auto_pad = "{mode}", strides = [2, 2]> (p, w)
}}
"""


@pytest.mark.parametrize("mode", ["SAME_UPPER", "SAME_LOWER"])
def test_auto_pad_after_an_explicit_zero_pad(mode: str) -> None:
    """A zero Pad of a bipolar map joins the conv's own padding; auto_pad SAME computes that
    padding for the padded 6×6 input (one pixel in total per axis), not for the 5×5 one (two)."""
    rng = np.random.default_rng(6)
    weights = "{" + ", ".join(str(v) for v in rng.choice([-1.0, 1.0], size=18)) + "}"
    model = onnx.parser.parse_model(PADDED_SAME.format(weights=weights, mode=mode))
    x = rng.choice(np.array([-1.0, 1.0], np.float32), size=(3, 1, 5, 5))
    check_against(model, x, "bipolar", models.ort_run)


# ===----------------------------------------------------------------------=== #
# Single features against onnxruntime
# ===----------------------------------------------------------------------=== #


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), input_kind=st.sampled_from(["bipolar", "ui8"]))
def test_gemm_alpha_and_bias_are_one_fused_rounding(seed: int, input_kind: str) -> None:
    """onnxruntime computes alpha · acc + fl(beta · C) with one rounding: two separate float32
    steps differ from it on about one output in ten for alpha = 1.7, beta = 0.7."""
    model, x = models.gemm_fused(np.random.default_rng(seed), input_kind=input_kind)
    check_against(model, x, input_kind, models.ort_run)


POOL = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2, {size}, {size}] x) => (float[N, 2, {out}, {out}] y)
{{
  y = MaxPool <kernel_shape = [{k}, {k}], strides = [{s}, {s}], pads = [{p}, {p}, {p}, {p}],
               ceil_mode = 1> (x)
}}
"""


@pytest.mark.parametrize(("size", "k", "s", "p"), [(5, 2, 2, 0), (7, 3, 2, 1), (6, 3, 2, 0),
                                                   (5, 2, 3, 1), (4, 3, 3, 1), (8, 2, 2, 0)])
def test_max_pool_ceil_mode(size: int, k: int, s: int, p: int) -> None:
    """ceil_mode=1 adds a last, partial window unless it would start in the bottom/right
    padding; pooling 8-bit values shows every window's maximum."""
    out = -(-(size + 2 * p - k) // s) + 1
    if (out - 1) * s >= size + p:
        out -= 1
    model = onnx.parser.parse_model(POOL.format(size=size, out=out, k=k, s=s, p=p))
    x = models.image(np.random.default_rng(size * k), (3, 2, size, size))
    check_against(model, x, "ui8", models.ort_run)


def test_empty_batch() -> None:
    """A batch of 0 gives outputs of 0 rows, in the shape and dtype onnxruntime gives."""
    model, x = models.cnv_small(np.random.default_rng(0))
    check_against(model, x[:0], "ui8", models.ort_run)


def test_external_data_is_read_beside_the_model(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    model, x = models.cnv_small(np.random.default_rng(0))
    expected = models.ort_run(model, x)
    (tmp_path / "model").mkdir()
    path = tmp_path / "model" / "m.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, location="m.data",
                    size_threshold=0)
    monkeypatch.chdir(tmp_path)
    assert_bit_exact(run_module(import_onnx(path, "ui8"), x), expected)


SCALED_INPUT = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2, 4, 4] x) => (float[N, 2, 4, 4] y)
<float[2, 2, 3, 3] w = {{{weights}}}, float k = {{{scale}}}>
{{
  t = Mul (x, k)
  y = Conv <pads = [1, 1, 1, 1]> (t, w)
}}
"""


@pytest.mark.parametrize("scale", [0.25, 1 / 255])
def test_moved_input_scales_remark_unless_exact(scale: float,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """x · s → Conv runs as fl(s · Σ w·x): equal to onnxruntime for a power-of-two s; for
    1/255 onnxruntime's sum of fl(s · x) terms can round differently, and the import says so."""
    rng = np.random.default_rng(1)
    weights = ", ".join(str(v) for v in models.bipolar(rng, (36,)))
    model = onnx.parser.parse_model(SCALED_INPUT.format(weights=weights, scale=repr(scale)))
    module = import_onnx(model, "ui8")
    remarks = capsys.readouterr().err.splitlines()
    if scale == 0.25:
        assert remarks == []
        x = models.image(rng, (4, 2, 4, 4))
        assert_bit_exact(run_module(module, x), models.ort_run(model, x))
    else:
        assert remarks == [
            "remark: <model>: node 'y' (Conv): input scale 0.00392156886 applied after the "
            "integer layer: results can differ from onnxruntime in the last float bit, and so "
            "flip a sign or threshold that follows (power-of-two scales are exact)"
        ]


@pytest.mark.parametrize("fan_in", [65793, 65794])
def test_accumulators_past_float32_remark(fan_in: int, capsys: pytest.CaptureFixture[str]) -> None:
    """8-bit pixels through ±1 weights: onnxruntime's float32 sums are exact while the
    accumulator stays within 2^24 (255 · 65793 < 2^24 ≤ 255 · 65794); past it they round, the
    integer sums do not, and the import says so."""
    from onnx import TensorProto, helper, numpy_helper

    weights = models.bipolar(np.random.default_rng(2), (fan_in, 2))
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")], "wide",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", fan_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        [numpy_helper.from_array(weights, "w")])
    import_onnx(helper.make_model(graph), "ui8")
    remarks = capsys.readouterr().err.splitlines()
    if fan_in == 65793:
        assert remarks == []
    else:
        assert remarks == [
            f"remark: <model>: node 'fc' (MatMul): the accumulator reaches {255 * fan_in} over "
            f"{fan_in} inputs, past 2^24: onnxruntime's float32 sums round there, bnnir's integer "
            "sums do not, so results can differ from onnxruntime"
        ]


WIDE_GEMM = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 300] x) => (float[N, 4] y)
<float[300, 4] w = {{{weights}}}, float[4] c = {{{bias}}}>
{{
  y = Gemm <alpha = {alpha}> (x, w, c)
}}
"""


@pytest.mark.parametrize(("alpha", "bias", "exact"), [
    (0.5, "0.25, -1.5, 3.0, 0.0", True),   # every partial result is a float32
    (1.0, "2.0, -7.0, 1.0, 0.0", True),
    (0.1, "0.25, -1.5, 3.0, 0.0", False),  # onnxruntime rounds once per 256 inputs
    (1.0, "0.3, -1.7, 0.1, 0.9", False),
])
def test_gemm_over_more_than_one_mlas_block(alpha: float, bias: str, exact: bool,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Over 300 inputs onnxruntime adds alpha · A·B + C in two blocks (256 + 44), each rounded:
    bnnir's one fused rounding equals it exactly when every partial result is a float32, and
    the import remarks on the Gemm otherwise."""
    rng = np.random.default_rng(2)
    weights = ", ".join(str(v) for v in models.bipolar(rng, (1200,)))
    model = onnx.parser.parse_model(WIDE_GEMM.format(weights=weights, bias=bias, alpha=alpha))
    module = import_onnx(model, "bipolar")
    remarks = capsys.readouterr().err
    x = models.bipolar(rng, (64, 300))
    if exact:
        assert remarks == ""
        assert_bit_exact(run_module(module, x), models.ort_run(model, x))
    else:
        assert remarks.startswith("remark: <model>: node 'y' (Gemm): alpha · acc + beta · C "
                                  "rounded once, where onnxruntime rounds once per 256 of the "
                                  "300 inputs")
        assert not np.array_equal(run_module(module, x), models.ort_run(model, x))


THROUGH_IDENTITY = """
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x) => (float[N, 2] y)
<float[4, 2] w = {1, -1, 1, 1, -1, -1, 1, -1}, float k = {0.5}>
{
  i = Identity (x)
  d = Dropout (i)
  s = Sub (d, k)
  b = Sign (s)
  y = MatMul (b, w)
}
"""


def test_input_kind_looks_through_identity_and_dropout() -> None:
    """A float input that a float op reads (Sub, through Identity and Dropout) needs no
    --input-type: it stays f32 and is binarized on the host."""
    model = onnx.parser.parse_model(THROUGH_IDENTITY)
    x = np.random.default_rng(7).normal(size=(5, 4)).astype(np.float32)
    check_against(model, x, None, models.ort_run)
