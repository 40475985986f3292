"""Issue 15's importer findings, each a regression test: located errors instead of internal ones,
refusals where onnxruntime refuses, and common constructs that now import bit-exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnx.parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

import models
from bnnir.diagnostics import BnnirError
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.tools.bnn_translate import main as bnn_translate
from test_onnx_exact import assert_bit_exact

HEADER = '<ir_version: 8, opset_import: ["" : 13, "qonnx.custom_op.general" : 1]>\n'
W42 = "float[4, 2] w = {1, -1, 1, 1, -1, 1, 1, -1}"


def parse(body: str) -> onnx.ModelProto:
    return onnx.parser.parse_model(HEADER + body)


def error_of(model: onnx.ModelProto | Path, input_type: str | None = None) -> str:
    with pytest.raises(BnnirError) as info:
        import_onnx(model, input_type)
    return str(info.value)


# -- located errors -----------------------------------------------------------------------


def test_integer_literal_beyond_int64(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.onnxtxt"
    path.write_text(HEADER + "g (float[N, 4] x) => (float[N, 2] y) "
                    "<int64[2] t = {99999999999999999999, 1}> { y = Reshape (x, t) }\n")
    assert bnn_translate(["--import-onnx", str(path)]) == 1
    assert capsys.readouterr().err == (f"bnn-translate: error: {path}: not a valid ONNX model (a "
                                       "number literal is out of its type's range)\n")


SHORT = "initializer 'w': holds 3 values where its dims [4, 2] need 8"


def short_weights_model() -> onnx.ModelProto:
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 2], float_data=[1, -1, 1])
    graph = helper.make_graph(
        [helper.make_node("Sign", ["x"], ["s"]), helper.make_node("MatMul", ["s", "w"], ["y"])],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_short_initializer_inline(tmp_path: Path) -> None:
    path = tmp_path / "short.onnx"
    path.write_bytes(short_weights_model().SerializeToString())
    assert error_of(path) == f"{path}: {SHORT}"


def test_short_initializer_in_onnxtxt(tmp_path: Path) -> None:
    path = tmp_path / "short.onnxtxt"
    path.write_text(HEADER + "g (float[N, 4] x) => (float[N, 2] y) "
                    "<float[4, 2] w = {1, -1, 1}> { s = Sign (x)\n y = MatMul (s, w) }\n")
    assert error_of(path) == f"{path}: {SHORT}"


@pytest.mark.parametrize("with_length", [True, False])
def test_short_initializer_in_external_data(tmp_path: Path, with_length: bool) -> None:
    model = short_weights_model()
    full = numpy_helper.from_array(np.ones((4, 2), np.float32), "w")
    model.graph.initializer[0].CopyFrom(full)
    path = tmp_path / "external.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    data = tmp_path / "weights.bin"
    data.write_bytes(data.read_bytes()[:12])  # 3 of the 8 floats
    if not with_length:  # read to the end of the file, as an exporter may leave it
        saved = onnx.load_model(str(path), load_external_data=False)
        entries = saved.graph.initializer[0].external_data
        kept = [(e.key, e.value) for e in entries if e.key != "length"]
        del entries[:]
        for key, value in kept:
            entries.add(key=key, value=value)
        path.write_bytes(saved.SerializeToString())
        assert error_of(path) == f"{path}: {SHORT}"
    else:
        assert error_of(path) == (f"{path}: cannot read its external data (External data length "
                                  "(32) exceeds available data (12 bytes from offset 0) for "
                                  "tensor 'w')")


# -- refused as onnxruntime refuses -------------------------------------------------------------


def test_kernel_shape_not_matching_the_weights() -> None:
    model = parse("g (float[N, 1, 4, 4] x) => (float[N, 1, 3, 3] y) "
                  "<float[1, 1, 2, 2] w = {1, -1, 1, 1}> "
                  "{ s = Sign (x)\n y = Conv <kernel_shape = [3, 3]> (s, w) }\n")
    assert error_of(model) == ("<model>: node 'y' (Conv): kernel_shape [3, 3] does not match the "
                               "weights' kernel [2, 2] (onnxruntime refuses it)")


@pytest.mark.parametrize(("declaration", "shown"), [
    ("float gamma = {1.0}", "float32 of shape []"),
    ("double[2] gamma = {1.0, 1.0}", "float64 of shape [2]"),
])
def test_batch_norm_parameters_of_rank_0_or_float64(declaration: str, shown: str) -> None:
    model = parse(f"g (float[N, 4] x) => (float[N, 2] y) <{W42}, {declaration}, "
                  "float[2] b = {0.0, 0.0}, float[2] m = {0.0, 0.0}, float[2] v = {1.0, 1.0}> "
                  "{ s = Sign (x)\n a = MatMul (s, w)\n"
                  " y = BatchNormalization (a, gamma, b, m, v) }\n")
    assert error_of(model) == (
        "<model>: node 'y' (BatchNormalization): BatchNormalization scale 'gamma' must be a 1-D "
        f"float32 tensor (one value per channel, as onnxruntime requires), got {shown}")


@pytest.mark.parametrize(("elem_type", "name"), [
    (TensorProto.BOOL, "BOOL"), (TensorProto.STRING, "STRING"), (999, "element type 999")])
def test_declared_input_dtype_is_not_ignored(elem_type: int, name: str) -> None:
    model = short_weights_model()
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(np.ones((4, 2), np.float32), "w"))
    model.graph.input[0].type.tensor_type.elem_type = elem_type
    assert error_of(model, "bipolar") == (
        f"<model>: graph input 'x' is declared {name}; bnnir reads float32 inputs, or uint8 and "
        "int8 inputs (cast to float)")


def test_standard_op_in_a_qonnx_domain() -> None:
    model = parse(f"g (float[N, 4] x) => (float[N, 2] y) <{W42}> "
                  "{ s = Sign (x)\n y = qonnx.custom_op.general.MatMul (s, w) }\n")
    assert error_of(model) == (
        "<model>: node 'y' (MatMul): MatMul is a standard ONNX op, not an op of the custom domain "
        "'qonnx.custom_op.general' (onnxruntime and qonnx refuse it there); give the node the "
        "domain ''")


def test_double_output_is_not_made_float32() -> None:
    model = parse(f"g (float[N, 4] x) => (double[N, 2] y) <{W42}> "
                  "{ s = Sign (x)\n y = MatMul (s, w) }\n")
    assert error_of(model) == (
        "<model>: graph output 'y' is declared DOUBLE, which bnnir does not compute (it computes "
        "float32, or int64/int32 labels); onnxruntime refuses such a model too: declare the "
        "output float")


# -- imported, bit-exact with onnxruntime -----------------------------------------------------

CONV = ("float[2, 2, 3, 3] wc = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1, "
        "1, 1, -1, -1, 1, -1, 1, 1, 1, -1, 1, -1, -1, 1, 1, 1, -1, 1}")
PADS = "int64[8] pads = {0, 0, 1, 1, 0, 0, 1, 1}"

CONSTRUCTS = {
    # PyTorch's ZeroPad2d on a (Sign + 1) / 2 map, then a conv
    "pad_of_binary_map": f"""g (float[N, 2, 4, 4] x) => (float[N, 2, 4, 4] y)
        <{CONV}, {PADS}, float one = {{1.0}}, float two = {{2.0}}>
        {{ s = Sign (x)\n a = Add (s, one)\n h = Div (a, two)\n p = Pad (h, pads)\n
           y = Conv (p, wc) }}""",
    # ... and on a negated-sign map
    "pad_of_negated_signs": f"""g (float[N, 2, 4, 4] x) => (float[N, 2, 4, 4] y)
        <{CONV}, {PADS}>
        {{ s = Sign (x)\n n = Neg (s)\n p = Pad (n, pads)\n y = Conv (p, wc) }}""",
    # Sign -> Neg -> MaxPool -> layer
    "negated_signs_pooled": f"""g (float[N, 2, 4, 4] x) => (float[N, 2, 2, 2] y)
        <{CONV}>
        {{ s = Sign (x)\n n = Neg (s)\n
           p = MaxPool <kernel_shape = [2, 2], strides = [2, 2]> (n)\n
           y = Conv <pads = [1, 1, 1, 1]> (p, wc) }}""",
}


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(CONSTRUCTS)))
def test_refused_constructs_now_import(seed: int, name: str) -> None:
    model = parse(CONSTRUCTS[name])
    x = np.random.default_rng(seed).normal(size=(5, 2, 4, 4)).astype(np.float32)  # no ties
    assert_bit_exact(run_module(import_onnx(model), x), models.ort_run(model, x))


def test_uint8_input_cast_to_float_needs_no_input_type() -> None:
    model = onnx.parser.parse_model(
        HEADER + "g (uint8[N, 4] x) => (float[N, 2] y) "
        "<float[4, 2] w = {1, -1, 1, 1, -1, 1, 1, -1}, float k = {0.5}> "
        "{ f = Cast <to = 1> (x)\n s = Mul (f, k)\n y = MatMul (s, w) }\n")
    module = import_onnx(model)
    assert 'tensor<?x4xui8> {bnn.onnx_name = "x"}' in str(module)
    x = np.random.default_rng(3).integers(0, 256, (6, 4)).astype(np.uint8)
    assert_bit_exact(run_module(module, x), models.ort_run(model, x))


def test_negated_signs_summing_to_zero_give_plus_zero() -> None:
    """Issue 15 item 6: Neg(Sign(x)) into a dense layer whose sum is exactly 0 is +0.0, as
    onnxruntime's sum of ±1 products (it was −1 · +0 = −0.0)."""
    model = parse("g (float[N, 2] x) => (float[N, 1] y) <float[2, 1] w = {1, 1}> "
                  "{ s = Sign (x)\n n = Neg (s)\n y = MatMul (n, w) }\n")
    x = np.array([[1.0, -1.0], [-2.0, 3.0]], np.float32)
    got = run_module(import_onnx(model), x)
    assert_bit_exact(got, models.ort_run(model, x))
    assert not np.signbit(got).any()
