"""Real trained models as their projects ship them (tests/real_models/README.md): the qonnx model
zoo's Brevitas TFC exports and FINN's tidied TFC import unmodified and compute, row by row and bit
for bit, what qonnx's `execute_onnx` computes after `cleanup_model`; FINN's expected labels come
out; the zoo's multi-bit-weight models are refused by the node that has them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from bnnir.diagnostics import BnnirError
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.tools.bnn_compile import main as bnn_compile
from bnnir.tools.bnn_run import main as bnn_run

MODELS = Path(__file__).parent / "real_models"
ZOO = MODELS / "qonnx_model_zoo"
FINN = MODELS / "finn"
FINN_MODEL = FINN / "build_dataflow" / "model.onnx"

IMPORTED = {
    "TFC_1W1A": ZOO / "TFC_1W1A.onnx",
    "TFC_1W2A": ZOO / "TFC_1W2A.onnx",
    "finn_build_dataflow": FINN_MODEL,
}


def pixels(rows: int = 16) -> np.ndarray:
    """MNIST pixels 0..255 as float32 [rows, 1, 28, 28]: FINN's five digits, then random images."""
    digits = np.concatenate([np.load(FINN / "build_dataflow" / "input.npy"),
                             np.load(FINN / "fpga_flow" / "input.npy")])
    rng = np.random.default_rng(12)
    noise = rng.integers(0, 256, (max(rows - len(digits), 0), 1, 28, 28)).astype(np.float32)
    return np.concatenate([digits, noise])[:rows].astype(np.float32)


def model_input(name: str, rows: int = 16) -> np.ndarray:
    """What each model reads: FINN's model the pixels, the Brevitas exports k / 255 in float32
    (torchvision's ToTensor)."""
    x = pixels(rows)
    return x if name.startswith("finn") else x / np.float32(255)


@cache
def qonnx_rows(path: Path, rows: int = 16) -> np.ndarray:
    """qonnx's execute_onnx after cleanup_model, one row at a time (the models have batch 1)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    model = cleanup_model(ModelWrapper(str(path)))
    x = model_input(path.stem if path != FINN_MODEL else "finn", rows)
    name, out = model.graph.input[0].name, model.graph.output[0].name
    return np.concatenate([execute_onnx(model, {name: x[r:r + 1]})[out] for r in range(len(x))])


def assert_same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert actual.tobytes() == expected.tobytes()


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_imports_unmodified_and_matches_qonnx(name: str) -> None:
    path = IMPORTED[name]
    module = import_onnx(path)
    assert_same_bits(run_module(module, model_input(name)), qonnx_rows(path))


@pytest.mark.parametrize("folder", ["build_dataflow", "fpga_flow"])
def test_finn_expected_output(folder: str) -> None:
    x = np.load(FINN / folder / "input.npy")
    expected = np.load(FINN / folder / "expected_output.npy")
    labels = run_module(import_onnx(FINN_MODEL), x)
    assert labels.reshape(-1).tolist() == expected.reshape(-1).tolist()


def test_fixed_batch_of_one_runs_any_batch() -> None:
    module = import_onnx(ZOO / "TFC_1W1A.onnx")
    assert "tensor<?x1x28x28xf32>" in str(module)
    x = model_input("TFC_1W1A", 3)
    assert run_module(module, x).shape == (3, 10)


def test_zoo_multi_bit_weights_refused() -> None:
    with pytest.raises(BnnirError) as info:
        import_onnx(ZOO / "TFC_2W2A.onnx")
    assert str(info.value) == (
        f"{ZOO / 'TFC_2W2A.onnx'}: node 'MatMul_20' (MatMul): multi-bit weights: the 2-bit Quant "
        "'Quant_18' quantizes them; bnnir supports binary weights only (1-bit, ±1 or ±s with one "
        "magnitude s per output channel)")


def quantized_weights_model(op: str, bits: int) -> onnx.ModelProto:
    """The construct of the zoo's UNSW-NB15 MLP (Gemm, 2-bit weights) and KWS MLP (MatMul after
    a Transpose, 3-bit weights): float weights behind a QONNX Quant."""
    rng = np.random.default_rng(bits)
    w = rng.normal(size=(4, 6)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.float32(0.5), "s"),
             numpy_helper.from_array(np.float32(0), "z"),
             numpy_helper.from_array(np.float32(bits), "b")]
    nodes = [helper.make_node("Quant", ["w", "s", "z", "b"], ["wq"], name="weight_quant",
                              domain="qonnx.custom_op.general", signed=1, narrow=0,
                              rounding_mode="ROUND")]
    if op == "Gemm":
        nodes.append(helper.make_node("Gemm", ["x", "wq"], ["y"], name="fc", transB=1))
        out = 4
    else:
        nodes.append(helper.make_node("Transpose", ["wq"], ["wt"], name="t", perm=[1, 0]))
        nodes.append(helper.make_node("MatMul", ["x", "wt"], ["y"], name="fc"))
        out = 4
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, out])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize(("op", "bits"), [("Gemm", 2), ("MatMul", 3)])
def test_multi_bit_weights_refused(op: str, bits: int) -> None:
    with pytest.raises(BnnirError) as info:
        import_onnx(quantized_weights_model(op, bits), "si8")
    assert str(info.value) == (
        f"<model>: node 'fc' ({op}): multi-bit weights: the {bits}-bit Quant 'weight_quant' "
        "quantizes them; bnnir supports binary weights only (1-bit, ±1 or ±s with one "
        "magnitude s per output channel)")


COMPILE_OPTIONS = {
    # the Brevitas exports read k / 255: the design reads the pixels k
    "TFC_1W1A": ["--input-type", "ui8", "--input-scale", "1/255"],
    "TFC_1W2A": ["--input-type", "ui8", "--input-scale", "1/255"],
    # FINN's model divides the pixels by 255 itself
    "finn_build_dataflow": ["--input-type", "ui8"],
}


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_compile_and_run_pixels(name: str, tmp_path: Path) -> None:
    """bnn-compile (with --verify on 16 rows, which checks every stage and the C simulation, for
    one network: g++ is slow) and bnn-run of the streaming design on the pixels give qonnx's
    rows on the model's float input."""
    x = tmp_path / "x.npy"
    np.save(x, pixels().astype(np.uint8))
    build = tmp_path / "build"
    verify = ["--verify", str(x)] if name == "TFC_1W1A" else []
    assert bnn_compile([str(IMPORTED[name]), "-o", str(build), "--target-fps", "20000",
                        *COMPILE_OPTIONS[name], *verify]) == 0
    y = tmp_path / "y.npy"
    assert bnn_run([str(build / "4-streaming.mlir"), "--input", str(x), "-o", str(y)]) == 0
    assert_same_bits(np.load(y), qonnx_rows(IMPORTED[name]))


def test_input_scale_is_carried_into_the_first_layer() -> None:
    """--input-scale 1/255 makes the input ui8 pixels, k / 255 computed as torchvision does;
    threshold fusion turns the first quantizer into integer thresholds on them."""
    module = import_onnx(ZOO / "TFC_1W2A.onnx", "ui8", input_scale="1/255")
    text = str(module)
    assert 'tensor<?x1x28x28xui8> {bnn.onnx_name = "0", bnn.input_scale = "1/255"}' in text
    assert "scale = dense<2.550000e+02> : tensor<1xf32>, divide" in text
    assert_same_bits(run_module(module, pixels().astype(np.uint8)),
                     qonnx_rows(ZOO / "TFC_1W2A.onnx"))


@pytest.mark.parametrize(("options", "message"), [
    (("ui8", "0"), "--input-scale: '0' is not a positive number S or 1/D (for example 1/255: "
                   "the model reads k / 255 of the integers k)"),
    (("ui8", "1/x"), "--input-scale: '1/x' is not a positive number S or 1/D (for example "
                     "1/255: the model reads k / 255 of the integers k)"),
    (("bipolar", "1/255"), "--input-scale: needs --input-type ui8 or si8, the integers whose "
                           "scale the model's float input is"),
    ((None, "1/255"), "--input-scale: needs --input-type ui8 or si8, the integers whose scale "
                      "the model's float input is"),
])
def test_input_scale_errors(options: tuple[str | None, str], message: str) -> None:
    with pytest.raises(BnnirError) as info:
        import_onnx(ZOO / "TFC_1W1A.onnx", options[0], input_scale=options[1])
    assert str(info.value) == message


def test_finn_model_in_csim(tmp_path: Path) -> None:
    """The C simulation of FINN's model (kept to one network and its four digits: g++ is slow)
    gives FINN's labels and qonnx's rows."""
    x = tmp_path / "x.npy"
    np.save(x, np.load(FINN / "build_dataflow" / "input.npy"))
    build = tmp_path / "build"
    assert bnn_compile([str(FINN_MODEL), "-o", str(build), "--target-fps", "5000"]) == 0
    y = tmp_path / "y.npy"
    assert bnn_run([str(build / "4-streaming.mlir"), "--input", str(x), "-o", str(y),
                    "--engine", "csim"]) == 0
    expected = np.load(FINN / "build_dataflow" / "expected_output.npy")
    assert np.load(y).reshape(-1).tolist() == expected.reshape(-1).tolist()
    assert_same_bits(np.load(y), qonnx_rows(FINN_MODEL)[:4])
