"""The reference networks of the paper and of FINN, as ONNX models with random weights.

The paper's network (Fraser et al. 2017) is BinaryNet's CIFAR-10 topology with "same" padding:
2x128C3 - MP2 - 2x256C3 - MP2 - 2x512C3 - MP2 - FC1024 - FC1024 - FC10 (1.234 GOP/frame). FINN's
CNV is 64C3 - 64C3 - MP2 - 128C3 - 128C3 - MP2 - 256C3 - 256C3 - FC512 - FC512 - FC10, unpadded
(0.119 GOP/frame). Both read 3x32x32 8-bit images; weights are random ±1 and batch norms random,
which is all folding and streaming need.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

from bnnir.analysis.folding import Folding, hardware_layers

PAPER = [("conv", 128, 1), ("conv", 128, 1), ("pool",), ("conv", 256, 1), ("conv", 256, 1),
         ("pool",), ("conv", 512, 1), ("conv", 512, 1), ("pool",), ("fc", 1024), ("fc", 1024),
         ("fc", 10)]
FINN_CNV = [("conv", 64, 0), ("conv", 64, 0), ("pool",), ("conv", 128, 0), ("conv", 128, 0),
            ("pool",), ("conv", 256, 0), ("conv", 256, 0), ("fc", 512), ("fc", 512), ("fc", 10)]

BNN_PYNQ_CNV_FOLDING = [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8),
                        (5, 1)]
"""(PE, SIMD) of FINN_CNV's nine matrix-vector units as BNN-PYNQ folds cnvW1A1 (its published
folding config; tests/test_folding.py checks FINN's cycle figures at it)."""


def bnn_pynq_folding(module: ModuleOp) -> Folding:
    """FINN_CNV's hardware module folded as BNN-PYNQ folds it: each matrix-vector unit at its
    (PE, SIMD) with a sliding window of the same SIMD, the other layers at their cheapest."""
    layers = hardware_layers(module)
    matrices = [layer for layer in layers if {"pe", "simd"} <= set(layer.choices[0].params)]
    picked = []
    for layer in layers:
        if layer in matrices:
            pe, simd = BNN_PYNQ_CNV_FOLDING[matrices.index(layer)]
            choice = next(c for c in layer.choices if c.params["pe"] == pe
                          and c.params["simd"] == simd
                          and c.params.get("window_simd", simd) == simd)
        else:
            choice = min(layer.choices, key=lambda c: c.key)
        picked.append((layer, choice))
    return Folding(tuple(picked))


def build(topology: list[tuple], seed: int = 0) -> tuple[onnx.ModelProto, int]:
    """An ONNX BNN of `topology` on 3x32x32 8-bit images, and its MACs per frame."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    name, channels, size, macs = "x", 3, 32, 0

    def const(values: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(values.astype(np.float32), f"c{len(inits)}"))
        return inits[-1].name

    def node(op: str, inputs: list[str], **attrs: object) -> str:
        out = f"{op.lower()}{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def bn_sign(x: str, c: int) -> str:
        params = [rng.uniform(0.5, 2, c), rng.normal(size=c), rng.normal(size=c), np.ones(c)]
        return node("Sign", [node("BatchNormalization", [x, *map(const, params)])])

    flat = False
    for index, layer in enumerate(topology):
        if layer[0] == "conv":
            _, out, pad = layer
            w = rng.choice([-1.0, 1.0], size=(out, channels, 3, 3))
            name = node("Conv", [name, const(w)], pads=[pad] * 4, kernel_shape=[3, 3])
            size = size + 2 * pad - 2
            macs += size * size * out * channels * 9
            name, channels = bn_sign(name, out), out
        elif layer[0] == "pool":
            name, size = node("MaxPool", [name], kernel_shape=[2, 2], strides=[2, 2]), size // 2
        else:
            if not flat:
                name, channels, flat = node("Flatten", [name]), channels * size * size, True
            w = rng.choice([-1.0, 1.0], size=(channels, layer[1]))
            name = node("MatMul", [name, const(w)])
            macs += channels * layer[1]
            channels = layer[1]
            if index < len(topology) - 1:
                name = bn_sign(name, channels)
    graph = helper.make_graph(
        nodes, "cnv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", channels])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model, macs


