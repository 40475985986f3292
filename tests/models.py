"""Small binarized networks built with onnx.helper, and their reference executions.

Every builder takes a numpy Generator and returns (model, x): an ONNX model with a dynamic batch
dimension "N" and a float32 input batch for it. Plain ONNX models run in onnxruntime with graph
optimizations disabled (`ort_run`); QONNX / FINN-ONNX models in QONNX's executor (`qonnx_run`).
Batch-norm parameters are re-drawn until no value entering a Sign is exactly 0 on x (a sign tie,
where ONNX Sign(0) = 0 and bnn.sign(0) = +1 differ); QONNX's BipolarQuant maps 0 to +1 as bnn does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
QONNX_DOMAIN = "qonnx.custom_op.general"
FINN_DOMAIN = "finn.custom_op.general"


# ===----------------------------------------------------------------------=== #
# References
# ===----------------------------------------------------------------------=== #


def ort_run(model: onnx.ModelProto, x: np.ndarray, outputs: list[str] | None = None):
    """onnxruntime's result (graph optimizations off); all `outputs` if given, else the first."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    results = session.run(outputs, {name: x})
    return results if outputs else results[0]


def qonnx_run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    """QONNX's own execution of a model with QONNX / FINN custom ops."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    static = onnx.ModelProto.FromString(model.SerializeToString())
    for info in (*static.graph.input, *static.graph.output):
        info.type.tensor_type.shape.dim[0].dim_value = x.shape[0]  # QONNX needs static shapes
    wrapper = ModelWrapper(static).transform(InferShapes())
    name = wrapper.graph.input[0].name
    return execute_onnx(wrapper, {name: x})[wrapper.graph.output[0].name]


# ===----------------------------------------------------------------------=== #
# A small graph builder
# ===----------------------------------------------------------------------=== #


@dataclass
class Graph:
    rng: np.random.Generator
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    inits: list[onnx.TensorProto] = field(default_factory=list)
    signs: list[str] = field(default_factory=list)
    count: int = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, values: np.ndarray, prefix: str = "c") -> str:
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(values), name))
        return name

    def node(self, op: str, inputs: list[str], domain: str = "", **attrs: object) -> str:
        out = self.name(op.lower())
        self.nodes.append(
            helper.make_node(op, inputs, [out], name=out, domain=domain or None, **attrs)
        )
        return out

    def bipolar(self, shape: tuple[int, ...]) -> np.ndarray:
        return self.rng.choice(np.array([-1.0, 1.0], np.float32), size=shape)

    def conv(self, x: str, cin: int, cout: int, k: int, pad: int = 0, stride: int = 1) -> str:
        w = self.const(self.bipolar((cout, cin, k, k)), "w")
        return self.node("Conv", [x, w], pads=[pad] * 4, strides=[stride] * 2,
                         kernel_shape=[k, k])

    def matmul(self, x: str, fan_in: int, fan_out: int) -> str:
        return self.node("MatMul", [x, self.const(self.bipolar((fan_in, fan_out)), "w")])

    def batch_norm(self, x: str, channels: int, fan_in: int) -> str:
        rng = self.rng
        gamma = rng.uniform(0.2, 2.0, channels) * rng.choice([-1.0, 1.0], channels)
        params = [
            gamma,
            rng.normal(0.0, 1.0, channels),
            rng.normal(0.0, np.sqrt(fan_in) / 2, channels),
            rng.uniform(0.5, 2.0, channels) * fan_in,
        ]
        names = [self.const(p.astype(np.float32), "bn") for p in params]
        return self.node("BatchNormalization", [x, *names], epsilon=1e-4)

    def sign(self, x: str) -> str:
        self.signs.append(x)
        return self.node("Sign", [x])

    def model(self, x_shape: list[int | str], y: str, y_shape: list[int | str],
              y_type: int = TensorProto.FLOAT, domains: tuple[str, ...] = ()) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, "bnn",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(y, y_type, y_shape)],
            self.inits,
        )
        opsets = [helper.make_opsetid("", OPSET)] + [helper.make_opsetid(d, 1) for d in domains]
        model = helper.make_model(graph, opset_imports=opsets)
        model.ir_version = 8
        return model


def without_sign_ties(build: Callable[[np.random.Generator], tuple[Graph, onnx.ModelProto,
                                                                   np.ndarray]],
                      rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
    """Build until no value entering a Sign is exactly zero on the model's input."""
    for _ in range(50):
        graph, model, x = build(rng)
        if not graph.signs or not has_sign_ties(model, graph.signs, x):
            return model, x
    raise RuntimeError("could not build a network without sign ties")


def has_sign_ties(model: onnx.ModelProto, names: list[str], x: np.ndarray) -> bool:
    probe = onnx.ModelProto.FromString(model.SerializeToString())
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    values = ort_run(probe, x, names)
    return any(np.any(v == 0) for v in values)


def image(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(0, 256, size=shape).astype(np.float32)


def bipolar_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0], np.float32), size=shape)


# ===----------------------------------------------------------------------=== #
# Plain ONNX networks
# ===----------------------------------------------------------------------=== #


def mlp_bipolar(rng: np.random.Generator, sizes: tuple[int, ...] = (64, 48, 32, 10),
                batch: int = 8) -> tuple[onnx.ModelProto, np.ndarray]:
    """Bipolar input, MatMul + BatchNorm + Sign hidden layers, a final MatMul + per-channel
    Mul/Add affine to the logits."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        h = "x"
        for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
            h = g.sign(g.batch_norm(g.matmul(h, fan_in, fan_out), fan_out, fan_in))
        y = g.matmul(h, sizes[-2], sizes[-1])
        y = g.node("Mul", [y, g.const(rng.uniform(0.1, 1.0, sizes[-1]).astype(np.float32))])
        y = g.node("Add", [y, g.const(rng.normal(size=sizes[-1]).astype(np.float32))])
        x = bipolar_input(rng, (batch, sizes[0]))
        return g, g.model(["N", sizes[0]], y, ["N", sizes[-1]]), x

    return without_sign_ties(build, rng)


def mlp_gemm(rng: np.random.Generator, batch: int = 8) -> tuple[onnx.ModelProto, np.ndarray]:
    """Gemm (transB, bias), scalar Mul, Div and Sub before the Sign, Gemm to the logits."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        w = g.const(g.bipolar((32, 40)), "w")
        a = g.node("Gemm", ["x", w, g.const(rng.normal(size=32).astype(np.float32))], transB=1)
        a = g.node("Mul", [a, g.const(np.float32(0.37))])
        a = g.node("Div", [a, g.const(rng.uniform(0.5, 2, 32).astype(np.float32))])
        a = g.node("Sub", [a, g.const(rng.normal(size=(1, 32)).astype(np.float32))])
        h = g.sign(a)
        w2 = g.const(g.bipolar((10, 32)), "w")
        y = g.node("Gemm", [h, w2, g.const(rng.normal(size=10).astype(np.float32))],
                   transB=1, alpha=0.5)
        x = bipolar_input(rng, (batch, 40))
        return g, g.model(["N", 40], y, ["N", 10]), x

    return without_sign_ties(build, rng)


def _cnv(rng: np.random.Generator, explicit_pad: bool, reshape: bool, batch: int = 4):
    def build(rng: np.random.Generator):
        g = Graph(rng)
        h = g.sign(g.batch_norm(g.conv("x", 3, 8, 3, pad=1), 8, 27 * 255))
        if explicit_pad:
            pads = g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
            h = g.node("Pad", [h, pads, g.const(np.float32(-1.0))], mode="constant")
            h = g.conv(h, 8, 16, 3, pad=0)
        else:
            h = g.conv(h, 8, 16, 3, pad=1)
        h = g.sign(g.batch_norm(h, 16, 72))
        h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        h = g.sign(g.batch_norm(g.conv(h, 16, 16, 3), 16, 144))  # 4x4 -> 2x2, no padding
        if reshape:
            h = g.node("Identity", [h])
            h = g.node("Reshape", [h, g.const(np.array([-1, 64], np.int64), "shape")])
        else:
            h = g.node("Flatten", [h], axis=1)
        h = g.sign(g.batch_norm(g.matmul(h, 64, 32), 32, 64))
        y = g.matmul(h, 32, 10)
        return g, g.model(["N", 3, 8, 8], y, ["N", 10]), image(rng, (batch, 3, 8, 8))

    return without_sign_ties(build, rng)


def cnv_small(rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
    """8-bit image, zero-padded convs, BN, Sign, max-pool, unpadded conv, Flatten, dense layers."""
    return _cnv(rng, explicit_pad=False, reshape=False)


def cnv_minus_one_pad(rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
    """As cnv_small, but the second conv reads an explicit ONNX Pad with value -1."""
    return _cnv(rng, explicit_pad=True, reshape=False)


def cnv_reshape(rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
    """As cnv_small, with Identity + Reshape([-1, 64]) instead of Flatten."""
    return _cnv(rng, explicit_pad=False, reshape=True)


def conv_strided(rng: np.random.Generator, batch: int = 4) -> tuple[onnx.ModelProto, np.ndarray]:
    """A stride-2 padded bipolar conv and a 3x3 stride-2 max-pool with padding."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        h = g.sign(g.batch_norm(g.conv("x", 3, 8, 3, pad=1), 8, 27 * 255))
        h = g.sign(g.batch_norm(g.conv(h, 8, 12, 3, pad=1, stride=2), 12, 72))
        h = g.node("MaxPool", [h], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        h = g.node("Flatten", [h], axis=1)
        y = g.matmul(h, 12 * 3 * 3, 10)
        return g, g.model(["N", 3, 9, 9], y, ["N", 10]), image(rng, (batch, 3, 9, 9))

    return without_sign_ties(build, rng)


def bn_near_integer_boundary(rng: np.random.Generator, batch: int = 64):
    """A bipolar MLP whose batch norm switches within one float32 ulp of an integer accumulator:
    mean = k ± 1 ulp for an attainable k, gamma = 1, beta = 0."""
    fan_in, width = 16, 12

    def build(rng: np.random.Generator):
        g = Graph(rng)
        a = g.matmul("x", fan_in, width)
        k = rng.choice(np.arange(-6, 7, 2), width).astype(np.float32)  # same parity as 16
        mean = np.where(rng.random(width) < 0.5, np.nextafter(k, np.float32(np.inf)),
                        np.nextafter(k, np.float32(-np.inf))).astype(np.float32)
        params = [np.ones(width), np.zeros(width), mean, np.ones(width)]
        names = [g.const(np.asarray(p, np.float32), "bn") for p in params]
        h = g.sign(g.node("BatchNormalization", [a, *names], epsilon=1e-5))
        y = g.matmul(h, width, 4)
        x = bipolar_input(rng, (batch, fan_in))
        return g, g.model(["N", fan_in], y, ["N", 4]), x

    return without_sign_ties(build, rng)


def random_bnn(
    rng: np.random.Generator, depth: int = 2, channels: int = 8, size: int = 8, kernel: int = 3,
    pad: int = 1, pool: bool = True, pad_mode: str = "zero", input_kind: str = "ui8",
    batch: int = 3,
) -> tuple[onnx.ModelProto, np.ndarray]:
    """A random conv BNN: `depth` conv + BN + Sign layers of `channels` channels (padding `pad`,
    as conv pads or, with pad_mode "minus_one_pad_node", as an explicit -1 Pad on bipolar
    inputs), an optional 2x2 max-pool after the first layer, Flatten and a dense to 10 logits."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        h, cin, hw = "x", 3, size
        bipolar = input_kind == "bipolar"
        for layer in range(depth):
            if hw + 2 * pad < kernel:
                break
            if pad and bipolar and pad_mode == "minus_one_pad_node":
                pads = g.const(np.array([0, 0, pad, pad, 0, 0, pad, pad], np.int64), "pads")
                h = g.node("Pad", [h, pads, g.const(np.float32(-1.0))], mode="constant")
                h = g.conv(h, cin, channels, kernel, pad=0)
            else:
                h = g.conv(h, cin, channels, kernel, pad=pad)
            fan_in = cin * kernel * kernel * (1 if bipolar else 255)
            h = g.sign(g.batch_norm(h, channels, fan_in))
            cin, hw, bipolar = channels, hw + 2 * pad - kernel + 1, True
            if pool and layer == 0 and hw >= 2:
                h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
                hw //= 2
        h = g.node("Flatten", [h], axis=1)
        y = g.matmul(h, cin * hw * hw, 10)
        x_shape = (batch, 3, size, size)
        x = bipolar_input(rng, x_shape) if input_kind == "bipolar" else image(rng, x_shape)
        return g, g.model(["N", 3, size, size], y, ["N", 10]), x

    return without_sign_ties(build, rng)


# ===----------------------------------------------------------------------=== #
# QONNX / FINN-ONNX networks
# ===----------------------------------------------------------------------=== #


def _quant(g: Graph, x: str, scale: float, bits: int, signed: bool) -> str:
    args = [x, g.const(np.float32(scale), "s"), g.const(np.float32(0), "z"),
            g.const(np.float32(bits), "b")]
    return g.node("Quant", args, domain=QONNX_DOMAIN, signed=int(signed), narrow=0,
                  rounding_mode="ROUND")


def qonnx_mlp(rng: np.random.Generator, batch: int = 8) -> tuple[onnx.ModelProto, np.ndarray]:
    """Brevitas style: BipolarQuant input, float weights behind BipolarQuant / 1-bit Quant,
    BatchNorm, BipolarQuant activations, a bipolar MultiThreshold layer, final Mul scale."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        one = g.const(np.float32(1.0), "s")
        h = g.node("BipolarQuant", ["x", one], domain=QONNX_DOMAIN)
        w0 = g.node("BipolarQuant", [g.const(rng.normal(0, 0.1, (24, 16)).astype(np.float32)),
                                     one], domain=QONNX_DOMAIN)
        a = g.node("BatchNormalization", [g.node("MatMul", [h, w0]), *_bn_consts(g, 16, 24)])
        h = g.node("BipolarQuant", [a, one], domain=QONNX_DOMAIN)
        w1 = _quant(g, g.const(rng.normal(0, 0.1, (16, 12)).astype(np.float32)), 1.0, 1, True)
        a = g.node("MatMul", [h, w1])
        thresholds = np.sort(rng.integers(-4, 5, (12, 1)).astype(np.float32) + 0.5, axis=1)
        h = g.node("MultiThreshold", [a, g.const(thresholds, "t")], domain=QONNX_DOMAIN,
                   out_scale=2.0, out_bias=-1.0, out_dtype="BIPOLAR")
        y = g.node("MatMul", [h, g.const(g.bipolar((12, 10)), "w")])
        y = g.node("Mul", [y, g.const(np.float32(0.25))])
        x = rng.normal(size=(batch, 24)).astype(np.float32)
        return g, g.model(["N", 24], y, ["N", 10], domains=(QONNX_DOMAIN,)), x

    return without_sign_ties(build, rng)


def _bn_consts(g: Graph, channels: int, fan_in: int) -> list[str]:
    rng = g.rng
    gamma = rng.uniform(0.2, 2.0, channels) * rng.choice([-1.0, 1.0], channels)
    params = [gamma, rng.normal(0, 1, channels), rng.normal(0, np.sqrt(fan_in) / 2, channels),
              rng.uniform(0.5, 2.0, channels) * fan_in]
    return [g.const(p.astype(np.float32), "bn") for p in params]


def qonnx_multibit(rng: np.random.Generator, batch: int = 8):
    """A 2-bit unsigned Quant activation (scale 0.5, round half even) feeding a bipolar dense."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        a = g.matmul("x", 20, 16)
        a = g.node("Mul", [a, g.const(np.float32(0.25))])
        h = _quant(g, a, 0.5, 2, False)
        y = g.matmul(h, 16, 6)
        x = bipolar_input(rng, (batch, 20))
        return g, g.model(["N", 20], y, ["N", 6], domains=(QONNX_DOMAIN,)), x

    return without_sign_ties(build, rng)


def qonnx_topk(rng: np.random.Generator, batch: int = 16):
    """A bipolar MLP ending in TopK(k=1), whose int64 indices are the output."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        h = g.sign(g.batch_norm(g.matmul("x", 32, 24), 24, 32))
        logits = g.matmul(h, 24, 10)
        k = g.const(np.array([1], np.int64), "k")
        g.nodes.append(helper.make_node("TopK", [logits, k], ["values", "label"], axis=1,
                                        name="topk"))
        x = bipolar_input(rng, (batch, 32))
        return g, g.model(["N", 32], "label", ["N", 1], TensorProto.INT64), x

    return without_sign_ties(build, rng)


def finn_onnx_mlp(rng: np.random.Generator, batch: int = 8):
    """FINN-ONNX after streamlining: an 8-bit input binarized by a BIPOLAR MultiThreshold, a
    MatMul with ±1 weights, a BINARY MultiThreshold into XnorPopcountMatMul with {0, 1} weights,
    popcount-domain MultiThreshold (UINT2), TopK."""

    def build(rng: np.random.Generator):
        g = Graph(rng)
        t0 = np.full((1, 1), 127.5, np.float32)
        b = g.node("MultiThreshold", ["x", g.const(t0, "t")], domain=FINN_DOMAIN,
                   out_scale=2.0, out_bias=-1.0, out_dtype="BIPOLAR")
        a = g.matmul(b, 16, 12)
        t1 = rng.integers(-3, 4, (12, 1)).astype(np.float32)
        c = g.node("MultiThreshold", [a, g.const(t1, "t")], domain=FINN_DOMAIN,
                   out_scale=1.0, out_bias=0.0, out_dtype="BINARY")
        w = g.const(rng.integers(0, 2, (12, 8)).astype(np.float32), "w")
        p = g.node("XnorPopcountMatMul", [c, w], domain=FINN_DOMAIN)
        t2 = np.sort(rng.integers(2, 11, (8, 3)).astype(np.float32), axis=1)
        m = g.node("MultiThreshold", [p, g.const(t2, "t")], domain=FINN_DOMAIN, out_dtype="UINT2")
        k = g.const(np.array([1], np.int64), "k")
        g.nodes.append(helper.make_node("TopK", [m, k], ["values", "label"], axis=1, name="top"))
        x = image(rng, (batch, 16))
        model = g.model(["N", 16], "label", ["N", 1], TensorProto.INT64, (FINN_DOMAIN,))
        return g, model, x

    return without_sign_ties(build, rng)
