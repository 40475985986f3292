"""Bad input never escapes as a Python exception other than BnnirError (one clear line)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import numpy_helper

import models
from bnnir.diagnostics import BnnirError
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module

MODEL, X = models.cnv_small(np.random.default_rng(0))
MODEL_BYTES = MODEL.SerializeToString()


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(1, len(MODEL_BYTES) - 1), flips=st.lists(st.integers(0, 10**9), max_size=3))
def test_damaged_models_fail_cleanly(tmp_path_factory: pytest.TempPathFactory, cut: int,
                                     flips: list[int]) -> None:
    data = bytearray(MODEL_BYTES[:cut])
    for flip in flips:
        data[flip % len(data)] ^= 0xFF
    path = Path(tmp_path_factory.mktemp("bad")) / "model.onnx"
    path.write_bytes(bytes(data))
    try:
        import_onnx(path, "ui8")
    except BnnirError as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=5),
       value=st.sampled_from([0.0, 1.5, -3.0, 255.0, 256.0, np.nan]))
def test_bad_input_batches_fail_cleanly(shape: list[int], value: float) -> None:
    module = import_onnx(MODEL, "ui8")
    x = np.full(shape, value, np.float32)
    try:
        run_module(module, x)
    except BnnirError as e:
        assert e.where == "input" and "\n" not in str(e)


# ===----------------------------------------------------------------------=== #
# Parseable models with damaged graphs
# ===----------------------------------------------------------------------=== #

DAMAGEABLE = [models.cnv_small, models.mlp_gemm, models.qonnx_mlp, models.finn_onnx_mlp,
              models.torch_view_cnn, models.qonnx_levels_cnn]
BUILT = [build(np.random.default_rng(0)) for build in DAMAGEABLE]
OPS = ["Conv", "MatMul", "Gemm", "MaxPool", "Pad", "Reshape", "Quant", "MultiThreshold",
       "BatchNormalization", "Sign", "Flatten", "TopK", "Constant", "Concat", "Gather"]
INT_VALUES = st.one_of(st.integers(-3, 4), st.just(2**40),
                       st.lists(st.integers(-2, 3), max_size=5))
TENSOR_VALUES = st.sampled_from([0.0, 1.0, -1.0, 0.5, 3.0, np.nan, np.inf, 1e30])


@st.composite
def damage(draw: st.DrawFn, model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with one structural change a broken exporter or a hand edit could make."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    nodes = model.graph.node
    node = nodes[draw(st.integers(0, len(nodes) - 1))]
    kind = draw(st.sampled_from(["drop_input", "rename_input", "drop_output", "drop_attribute",
                                 "int_attribute", "float_attribute", "remove_node", "move_node",
                                 "op_type", "initializer"]))
    if kind == "drop_input" and node.input:
        del node.input[draw(st.integers(0, len(node.input) - 1)):]
    elif kind == "rename_input" and node.input:
        node.input[draw(st.integers(0, len(node.input) - 1))] = "nowhere"
    elif kind == "drop_output":
        del node.output[:]
    elif kind == "drop_attribute" and node.attribute:
        del node.attribute[draw(st.integers(0, len(node.attribute) - 1))]
    elif kind == "int_attribute":
        name = draw(st.sampled_from(["kernel_shape", "strides", "pads", "axis", "transB",
                                     "ceil_mode", "group", "perm", "k"]))
        _set_attribute(node, name, draw(INT_VALUES))
    elif kind == "float_attribute":
        name = draw(st.sampled_from(["alpha", "beta", "epsilon", "out_scale", "out_bias",
                                     "value"]))
        _set_attribute(node, name, float(draw(TENSOR_VALUES)))
    elif kind == "remove_node":
        nodes.remove(node)
    elif kind == "move_node":
        nodes.remove(node)
        nodes.insert(0, node)
    elif kind == "op_type":
        node.op_type = draw(st.sampled_from(OPS))
    elif model.graph.initializer:
        index = draw(st.integers(0, len(model.graph.initializer) - 1))
        old = model.graph.initializer[index]
        shape = draw(st.lists(st.integers(0, 4), max_size=4))
        value = np.full(shape, draw(TENSOR_VALUES), np.float32)
        if old.data_type == onnx.TensorProto.INT64:
            value = np.full(shape, draw(st.integers(-3, 5)), np.int64)
        model.graph.initializer[index].CopyFrom(numpy_helper.from_array(value, old.name))
    return model


def _set_attribute(node: onnx.NodeProto, name: str, value: object) -> None:
    for attr in list(node.attribute):
        if attr.name == name:
            node.attribute.remove(attr)
    kind = onnx.AttributeProto.INTS if isinstance(value, list) else None
    node.attribute.append(onnx.helper.make_attribute(name, value, attr_type=kind))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), which=st.integers(0, len(DAMAGEABLE) - 1))
def test_damaged_graphs_fail_cleanly(data: st.DataObject, which: int) -> None:
    """Whatever the change, import and run either work or raise one BnnirError line that
    names the model (and the node) or the input: never another exception."""
    model, x = BUILT[which]
    damaged = data.draw(damage(model))
    try:
        module = import_onnx(damaged)
    except BnnirError as e:
        assert str(e).startswith("<model>") and "\n" not in str(e), str(e)
        return
    try:
        run_module(module, x)
    except BnnirError as e:
        assert e.where in ("input", "module") and "\n" not in str(e), str(e)
