"""Small binarized networks built with onnx.helper, and their reference executions.

Every builder takes a numpy Generator (plus size parameters) and returns `(model, x)`: an ONNX
model (opset 17, IR version 8, so onnxruntime 1.32 loads it) whose graph input and output have the
dynamic batch dimension "N", and a float32 input batch for it (4 rows unless a builder says
otherwise). Plain ONNX models run in onnxruntime with graph optimizations disabled (`ort_run`);
QONNX / FINN-ONNX models in QONNX's executor (`qonnx_run`). `ZOO` lists every small builder with
the `--input-type` its input needs and its reference executor.

Batch-norm parameters have gamma of mixed signs kept away from 0 (unless a builder is asked for
`zero_gamma=True`), var > 0, and a mean centred on the accumulator's expected value so that outputs
are balanced. Networks are re-drawn until no value entering an ONNX `Sign` is exactly 0 on `x` (a
sign tie, where ONNX Sign(0) = 0 and bnn.sign(0) = +1 differ; see `sign_ties`). QONNX's
BipolarQuant maps 0 to +1 as bnn.sign does, so QONNX models need no such check.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import onnx
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8
QONNX_DOMAIN = "qonnx.custom_op.general"
FINN_DOMAIN = "finn.custom_op.general"
BATCH = 4
MAX_DRAWS = 50

UI8_STATS = (127.5, 255 / np.sqrt(12))
"""Mean and standard deviation of a uniform 8-bit pixel in 0..255."""
BIPOLAR_STATS = (0.0, 1.0)
"""Mean and standard deviation of a balanced ±1 value."""

Built = tuple[onnx.ModelProto, np.ndarray]
Builder = Callable[..., Built]


# ===----------------------------------------------------------------------=== #
# References
# ===----------------------------------------------------------------------=== #


def ort_run(model: onnx.ModelProto, x: np.ndarray, outputs: list[str] | None = None):
    """onnxruntime's result (CPU, graph optimizations off): the first graph output, or the list
    of tensors named in `outputs` if given."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    results = session.run(outputs, {name: x})
    return results if outputs else results[0]


def qonnx_run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    """QONNX's own execution (numpy custom ops, standard ops node by node) of the first output."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    static = onnx.ModelProto.FromString(model.SerializeToString())
    for info in (*static.graph.input, *static.graph.output):
        if info.name not in {i.name for i in static.graph.initializer}:
            info.type.tensor_type.shape.dim[0].dim_value = x.shape[0]  # QONNX needs static shapes
    wrapper = ModelWrapper(static).transform(InferShapes())
    name = wrapper.graph.input[0].name
    return execute_onnx(wrapper, {name: x})[wrapper.graph.output[0].name]


def uses_custom_ops(model: onnx.ModelProto) -> bool:
    """Whether any node lives outside the standard ONNX domain (so onnxruntime refuses it)."""
    return any(node.domain not in ("", "ai.onnx") for node in model.graph.node)


def reference_run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    """`qonnx_run` for models with QONNX / FINN custom ops, `ort_run` otherwise."""
    return qonnx_run(model, x) if uses_custom_ops(model) else ort_run(model, x)


# ===----------------------------------------------------------------------=== #
# Sign ties
# ===----------------------------------------------------------------------=== #


def sign_inputs(model: onnx.ModelProto) -> list[str]:
    """Names of the tensors that enter an ONNX `Sign` node."""
    return [node.input[0] for node in model.graph.node if node.op_type == "Sign"]


def intermediate_values(model: onnx.ModelProto, x: np.ndarray,
                        names: list[str]) -> list[np.ndarray]:
    """onnxruntime's values of the named intermediate tensors on x."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    known = {o.name for o in probe.graph.output}
    for name in names:
        if name not in known:
            probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    return ort_run(probe, x, names)


def sign_ties(model: onnx.ModelProto, x: np.ndarray) -> list[str]:
    """The Sign inputs that are exactly 0 somewhere on x (empty: the model has no sign ties)."""
    names = sign_inputs(model)
    if not names:
        return []
    values = intermediate_values(model, x, names)
    return [n for n, v in zip(names, values, strict=True) if np.any(v == 0)]


def with_bnn_sign(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of the model whose Sign nodes compute Where(x >= 0, 1, −1), bnn.sign's
    convention (0 ↦ +1): a reference for networks whose sign ties are intended."""
    copy = onnx.ModelProto.FromString(model.SerializeToString())
    nodes = []
    for node in copy.graph.node:
        if node.op_type != "Sign":
            nodes.append(node)
            continue
        x, y = node.input[0], node.output[0]
        names = [f"{y}.zero", f"{y}.plus", f"{y}.minus", f"{y}.ge"]
        for name, value in zip(names, (0.0, 1.0, -1.0), strict=False):
            copy.graph.initializer.append(numpy_helper.from_array(np.float32(value), name))
        nodes += [helper.make_node("GreaterOrEqual", [x, names[0]], [names[3]]),
                  helper.make_node("Where", [names[3], names[1], names[2]], [y])]
    del copy.graph.node[:]
    copy.graph.node.extend(nodes)
    return copy


def without_sign_ties(build: Callable[[np.random.Generator], Built],
                      rng: np.random.Generator) -> Built:
    """Call `build(rng)` (drawing fresh parameters each time) until the model has no sign ties
    on its input batch."""
    for _ in range(MAX_DRAWS):
        model, x = build(rng)
        if not sign_ties(model, x):
            return model, x
    raise RuntimeError(f"could not build a network without sign ties in {MAX_DRAWS} draws")


# ===----------------------------------------------------------------------=== #
# Parameters and inputs
# ===----------------------------------------------------------------------=== #


def bipolar(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform random ±1 as float32."""
    return (rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1).astype(np.float32)


def image(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform random 8-bit pixels 0..255 as float32."""
    return rng.integers(0, 256, size=shape).astype(np.float32)


def mixed_signs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random ±1.0, with both signs present whenever n ≥ 2."""
    signs = rng.choice(np.array([-1.0, 1.0]), n)
    if n >= 2 and abs(signs.sum()) == n:
        signs[rng.integers(n)] *= -1
    return signs


@dataclass
class BatchNorm:
    """BatchNormalization parameters of one layer (float32 arrays of one value per channel)."""

    gamma: np.ndarray
    beta: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    epsilon: float = 1e-5

    def inputs(self) -> list[np.ndarray]:
        """The ONNX input order: scale, bias, mean, var."""
        return [self.gamma, self.beta, self.mean, self.var]


def bn_params(rng: np.random.Generator, center: np.ndarray, spread: float,
              zero_gamma: bool = False) -> BatchNorm:
    """Random batch norm for accumulators around `center` (per channel) with standard deviation
    `spread`: |gamma| in [0.25, 2] of mixed signs (about a quarter of the channels, at least one,
    exactly 0 if `zero_gamma`), mean within about half a spread of the centre, var ≈ spread²."""
    channels = len(center)
    gamma = rng.uniform(0.25, 2.0, channels) * mixed_signs(rng, channels)
    if zero_gamma:
        zero = rng.random(channels) < 0.25
        zero[rng.integers(channels)] = True
        gamma[zero] = 0.0
    params = [
        gamma,
        rng.normal(0.0, 0.5, channels),
        center + rng.normal(0.0, spread / 2, channels),
        rng.uniform(0.5, 2.0, channels) * spread**2,
    ]
    return BatchNorm(*(np.asarray(p, np.float32) for p in params))


def acc_stats(w_sums: np.ndarray, fan_in: int,
              in_stats: tuple[float, float]) -> tuple[np.ndarray, float]:
    """Expected value per channel and standard deviation of Σ w·x for ±1 weights with the given
    per-channel sums, fan_in terms, and inputs of the given mean and standard deviation."""
    mean, std = in_stats
    return w_sums * mean, float(np.sqrt(fan_in) * std)


# ===----------------------------------------------------------------------=== #
# A small graph builder
# ===----------------------------------------------------------------------=== #


@dataclass
class Graph:
    """Accumulates nodes and initializers; every tensor gets a fresh name."""

    rng: np.random.Generator
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    inits: list[onnx.TensorProto] = field(default_factory=list)
    count: int = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, values: np.ndarray | float, prefix: str = "c") -> str:
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(values), name))
        return name

    def node(self, op: str, inputs: list[str], domain: str = "", **attrs: object) -> str:
        out = self.name(op.lower())
        self.nodes.append(
            helper.make_node(op, inputs, [out], name=out, domain=domain or None, **attrs)
        )
        return out

    def conv(self, x: str, w: np.ndarray, pad: int = 0, stride: int = 1) -> str:
        """Conv with weights [Cout, Cin, K, K], symmetric pads and strides."""
        k = w.shape[-1]
        return self.node("Conv", [x, self.const(w, "w")], pads=[pad] * 4,
                         strides=[stride] * 2, kernel_shape=[k, k])

    def matmul(self, x: str, w: np.ndarray) -> str:
        return self.node("MatMul", [x, self.const(w, "w")])

    def batch_norm(self, x: str, bn: BatchNorm) -> str:
        names = [self.const(p, "bn") for p in bn.inputs()]
        return self.node("BatchNormalization", [x, *names], epsilon=bn.epsilon)

    def conv_bn(self, x: str, w: np.ndarray, in_stats: tuple[float, float], pad: int = 0,
                stride: int = 1, zero_gamma: bool = False) -> str:
        """Conv then a batch norm fitted to its accumulators."""
        fan_in = int(np.prod(w.shape[1:]))
        center, spread = acc_stats(w.reshape(len(w), -1).sum(1), fan_in, in_stats)
        bn = bn_params(self.rng, center, spread, zero_gamma)
        return self.batch_norm(self.conv(x, w, pad, stride), bn)

    def dense_bn(self, x: str, w: np.ndarray, in_stats: tuple[float, float] = BIPOLAR_STATS,
                 zero_gamma: bool = False) -> str:
        """MatMul with weights [in, out] then a batch norm fitted to its accumulators."""
        center, spread = acc_stats(w.sum(0), w.shape[0], in_stats)
        return self.batch_norm(self.matmul(x, w), bn_params(self.rng, center, spread, zero_gamma))

    def sign(self, x: str) -> str:
        return self.node("Sign", [x])

    def topk_label(self, logits: str) -> str:
        """TopK(k=1) along the class axis; returns the name of its int64 indices."""
        out = self.name("label")
        k = self.const(np.array([1], np.int64), "k")
        self.nodes.append(helper.make_node("TopK", [logits, k], [self.name("values"), out],
                                           axis=1, name=self.name("topk")))
        return out

    def model(self, x_shape: list[int | str], y: str, y_shape: list[int | str],
              y_type: int = TensorProto.FLOAT, domains: tuple[str, ...] = ()) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, "bnn",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(y, y_type, y_shape)],
            self.inits,
        )
        opsets = [helper.make_opsetid("", OPSET)] + [helper.make_opsetid(d, 1) for d in domains]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="bnnir-tests")
        model.ir_version = IR_VERSION
        return model


def annotate(model: onnx.ModelProto, datatypes: dict[str, str]) -> onnx.ModelProto:
    """Add FINN `finn_datatype` tensor annotations (BIPOLAR, BINARY, UINT8, ...) in place."""
    for tensor, datatype in datatypes.items():
        entry = onnx.StringStringEntryProto(key="finn_datatype", value=datatype)
        model.graph.quantization_annotation.append(
            onnx.TensorAnnotation(tensor_name=tensor, quant_parameter_tensor_names=[entry])
        )
    return model


# ===----------------------------------------------------------------------=== #
# Plain ONNX networks
# ===----------------------------------------------------------------------=== #


def mlp_bipolar(rng: np.random.Generator, sizes: tuple[int, ...] = (64, 32, 32, 10),
                batch: int = BATCH, zero_gamma: bool = False) -> Built:
    """±1 input [N, sizes[0]]; per hidden layer MatMul (±1 float weights [in, out]),
    BatchNormalization on [N, C], Sign; a last MatMul and a per-channel Mul/Add affine to the
    logits. `zero_gamma` sets some batch-norm scales to exactly 0 (constant channels)."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = "x"
        for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
            h = g.sign(g.dense_bn(h, bipolar(rng, (fan_in, fan_out)), zero_gamma=zero_gamma))
        y = g.matmul(h, bipolar(rng, sizes[-2:]))
        y = g.node("Mul", [y, g.const(rng.uniform(0.1, 1.0, sizes[-1]).astype(np.float32))])
        y = g.node("Add", [y, g.const(rng.normal(size=sizes[-1]).astype(np.float32))])
        x = bipolar(rng, (batch, sizes[0]))
        return g.model(["N", sizes[0]], y, ["N", sizes[-1]]), x

    return without_sign_ties(build, rng)


def mlp_gemm(rng: np.random.Generator, sizes: tuple[int, int, int, int] = (40, 32, 24, 10),
             batch: int = BATCH) -> Built:
    """±1 input; Gemm(transB=1, bias vector) → scalar Mul → Div by a scalar constant → Sub of a
    per-channel [1, C] constant → Sign; Gemm(transB=1, bias) → BatchNormalization → Sign;
    Gemm(transB=1, bias, alpha=0.5) to the logits."""
    n_in, h1, h2, n_out = sizes

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        bias1 = rng.normal(0, 1, h1).astype(np.float32)
        a = g.node("Gemm", ["x", g.const(bipolar(rng, (h1, n_in)), "w"), g.const(bias1)],
                   transB=1)
        a = g.node("Mul", [a, g.const(np.float32(rng.uniform(0.2, 0.8)))])
        a = g.node("Div", [a, g.const(np.float32(rng.uniform(1.5, 3.0)))])
        a = g.node("Sub", [a, g.const(rng.normal(0, 0.5, (1, h1)).astype(np.float32))])
        h = g.sign(a)
        w2 = bipolar(rng, (h2, h1))
        bias2 = rng.normal(0, 1, h2).astype(np.float32)
        a = g.node("Gemm", [h, g.const(w2, "w"), g.const(bias2)], transB=1)
        center, spread = acc_stats(w2.sum(1), h1, BIPOLAR_STATS)
        h = g.sign(g.batch_norm(a, bn_params(rng, center + bias2, spread)))
        bias3 = rng.normal(size=n_out).astype(np.float32)
        y = g.node("Gemm", [h, g.const(bipolar(rng, (n_out, h2)), "w"), g.const(bias3)],
                   transB=1, alpha=0.5)
        return g.model(["N", n_in], y, ["N", n_out]), bipolar(rng, (batch, n_in))

    return without_sign_ties(build, rng)


def _cnv(rng: np.random.Generator, ch: tuple[int, int], pad: int, size: int,
         explicit_pad: bool, reshape: bool, batch: int) -> Built:
    """The shared body of cnv_small, cnv_minus_one_pad and cnv_reshape."""
    c1, c2 = ch
    after_pool = (size + 4 * pad - 4) // 2
    if after_pool < 3:
        raise ValueError(f"input size {size} with pad {pad} is too small for the third conv")
    final = after_pool - 2

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.sign(g.conv_bn("x", bipolar(rng, (c1, 3, 3, 3)), UI8_STATS, pad=pad))
        w = bipolar(rng, (c2, c1, 3, 3))
        if explicit_pad and pad:
            pads = g.const(np.array([0, 0, pad, pad, 0, 0, pad, pad], np.int64), "pads")
            h = g.node("Pad", [h, pads, g.const(np.float32(-1.0))], mode="constant")
            h = g.sign(g.conv_bn(h, w, BIPOLAR_STATS))
        else:
            h = g.sign(g.conv_bn(h, w, BIPOLAR_STATS, pad=pad))
        h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        h = g.sign(g.conv_bn(h, bipolar(rng, (c2, c2, 3, 3)), BIPOLAR_STATS))  # no padding
        flat = c2 * final * final
        if reshape:
            h = g.node("Identity", [h])
            h = g.node("Reshape", [h, g.const(np.array([-1, flat], np.int64), "shape")])
        else:
            h = g.node("Flatten", [h], axis=1)
        h = g.sign(g.dense_bn(h, bipolar(rng, (flat, 32))))
        y = g.matmul(h, bipolar(rng, (32, 10)))
        x = image(rng, (batch, 3, size, size))
        return g.model(["N", 3, size, size], y, ["N", 10]), x

    return without_sign_ties(build, rng)


def cnv_small(rng: np.random.Generator, ch: tuple[int, int] = (8, 16), pad: int = 1,
              size: int = 8, batch: int = BATCH) -> Built:
    """8-bit image [N, 3, size, size] (integers 0..255 as float32): conv 3×3 with zero pads `pad`
    on the 8-bit input, BN, Sign; conv 3×3 pads `pad` on bipolar, BN, Sign; MaxPool 2×2; conv 3×3
    without padding, BN, Sign; Flatten; MatMul + BN + Sign; MatMul to 10 logits.
    Needs size + 4·pad ≥ 10."""
    return _cnv(rng, ch, pad, size, explicit_pad=False, reshape=False, batch=batch)


def cnv_minus_one_pad(rng: np.random.Generator, ch: tuple[int, int] = (8, 16), pad: int = 1,
                      size: int = 8, batch: int = BATCH) -> Built:
    """As cnv_small, but the bipolar conv reads an explicit ONNX Pad (mode constant, value -1,
    pads on H and W only) and has pads 0: −1 padding that a 1-bit datapath holds as is."""
    return _cnv(rng, ch, pad, size, explicit_pad=True, reshape=False, batch=batch)


def cnv_reshape(rng: np.random.Generator, ch: tuple[int, int] = (8, 16), pad: int = 1,
                size: int = 8, batch: int = BATCH) -> Built:
    """As cnv_small, with Identity + Reshape(shape initializer [-1, C·H·W]) instead of Flatten."""
    return _cnv(rng, ch, pad, size, explicit_pad=False, reshape=True, batch=batch)


def conv_strided(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """8-bit image [N, 3, 9, 9]: zero-padded conv + BN + Sign; a bipolar conv with stride 2 and
    pads 1 (9×9 → 5×5), BN, Sign; MaxPool kernel 3, stride 2, pads 1 (5×5 → 3×3, still exact in
    float: padding never wins a max); Flatten; MatMul to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.sign(g.conv_bn("x", bipolar(rng, (8, 3, 3, 3)), UI8_STATS, pad=1))
        h = g.sign(g.conv_bn(h, bipolar(rng, (12, 8, 3, 3)), BIPOLAR_STATS, pad=1, stride=2))
        h = g.node("MaxPool", [h], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        h = g.node("Flatten", [h], axis=1)
        y = g.matmul(h, bipolar(rng, (12 * 3 * 3, 10)))
        return g.model(["N", 3, 9, 9], y, ["N", 10]), image(rng, (batch, 3, 9, 9))

    return without_sign_ties(build, rng)


def random_bnn(
    rng: np.random.Generator, depth: int = 2, channels: int = 8, size: int = 8, kernel: int = 3,
    pad: int = 1, pool: bool = True, pad_mode: Literal["zero", "minus_one_pad_node"] = "zero",
    input_kind: Literal["ui8", "bipolar"] = "ui8", batch: int = 3, zero_gamma: bool = False,
) -> Built:
    """A random conv BNN for property-based tests; any parameters give a valid model.

    - depth: number of conv + BatchNormalization + Sign layers (fewer if the map gets smaller
      than the kernel; with none left, the input goes straight to the dense layer).
    - channels: output channels of every conv (≥ 1); the input always has 3 channels.
    - size: input height and width.
    - kernel: square conv kernel size; stride is 1.
    - pad: padding on each side of every conv (0, 1, 2, ...).
    - pool: a 2×2 stride-2 MaxPool after the first layer (when the map is at least 2×2).
    - pad_mode: "zero" puts the padding in the Conv's pads (zeros, also on bipolar maps);
      "minus_one_pad_node" pads bipolar maps with an explicit Pad node of value −1 and gives the
      conv pads 0. The 8-bit input is always zero padded by the Conv itself.
    - input_kind: "ui8" (pixels 0..255) or "bipolar" (±1) input values.
    - batch: rows of x. zero_gamma: some batch-norm scales exactly 0.
    Ends with Flatten and a MatMul to 10 logits.
    """

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h, cin, hw, is_bipolar = "x", 3, size, input_kind == "bipolar"
        for layer in range(depth):
            if hw + 2 * pad < kernel:
                break
            w = bipolar(rng, (channels, cin, kernel, kernel))
            stats = BIPOLAR_STATS if is_bipolar else UI8_STATS
            if pad and is_bipolar and pad_mode == "minus_one_pad_node":
                pads = g.const(np.array([0, 0, pad, pad, 0, 0, pad, pad], np.int64), "pads")
                h = g.node("Pad", [h, pads, g.const(np.float32(-1.0))], mode="constant")
                h = g.sign(g.conv_bn(h, w, stats, zero_gamma=zero_gamma))
            else:
                h = g.sign(g.conv_bn(h, w, stats, pad=pad, zero_gamma=zero_gamma))
            cin, hw, is_bipolar = channels, hw + 2 * pad - kernel + 1, True
            if pool and layer == 0 and hw >= 2:
                h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
                hw //= 2
        h = g.node("Flatten", [h], axis=1)
        y = g.matmul(h, bipolar(rng, (cin * hw * hw, 10)))
        x_shape = (batch, 3, size, size)
        x = bipolar(rng, x_shape) if input_kind == "bipolar" else image(rng, x_shape)
        return g.model(["N", 3, size, size], y, ["N", 10]), x

    return without_sign_ties(build, rng)


def raw_conv_output(rng: np.random.Generator, size: int = 6, kernel: int = 3,
                    pads: tuple[int, int, int, int] = (1, 1, 1, 1), stride: int = 1,
                    channels: tuple[int, int] = (6, 5), batch: int = BATCH) -> Built:
    """A last conv whose raw accumulators are the output: 8-bit image [N, 3, size, size] →
    conv 3×3 (zero pads 1) + BN + Sign → conv kernel×kernel with zero `pads` (top, left, bottom,
    right) and `stride` on the bipolar map, no batch norm: the output [N, C, OH, OW] holds
    its exact dot products, so zero padding needs an additive border correction."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.sign(g.conv_bn("x", bipolar(rng, (channels[0], 3, 3, 3)), UI8_STATS, pad=1))
        top, left, bottom, right = pads
        w = g.const(bipolar(rng, (channels[1], channels[0], kernel, kernel)), "w")
        y = g.node("Conv", [h, w], pads=[top, left, bottom, right], strides=[stride] * 2,
                   kernel_shape=[kernel, kernel])
        out = [(size + a + b - kernel) // stride + 1 for a, b in ((top, bottom), (left, right))]
        x = image(rng, (batch, 3, size, size))
        return g.model(["N", 3, size, size], y, ["N", channels[1], *out]), x

    return without_sign_ties(build, rng)


def raw_conv_networks() -> st.SearchStrategy[tuple[onnx.ModelProto, np.ndarray, str]]:
    """Hypothesis strategy of `raw_conv_output` networks with drawn kernels, pads and strides."""

    @st.composite
    def networks(draw: st.DrawFn) -> tuple[onnx.ModelProto, np.ndarray, str]:
        kernel = draw(st.integers(1, 4))
        pads = tuple(draw(st.integers(0, kernel - 1)) for _ in range(4))
        size = draw(st.integers(max(1, kernel - min(pads[0] + pads[2], pads[1] + pads[3])), 7))
        model, x = raw_conv_output(
            np.random.default_rng(draw(st.integers(0, 2**32 - 1))), size=size, kernel=kernel,
            pads=pads, stride=draw(st.integers(1, 3)),
            channels=(draw(st.integers(1, 6)), draw(st.integers(1, 6))), batch=3)
        return model, x, "ui8"

    return networks()


LayerOrder = Literal["bn", "bn_pool", "pool_bn", "bn_pool_scale", "pool_bn_pool"]
FlattenAt = Literal["after_sign", "before_sign", "before_bn"]


def pool_order_sizes(size: int, pad: int, orders: tuple[LayerOrder, ...],
                     consumer_pad: int) -> list[int]:
    """The map size after each conv of `pool_order_cnv` (3×3 kernels, 2×2 pools); raises
    ValueError when a map gets smaller than a kernel."""
    sizes, hw = [], size
    for index, order in enumerate((*orders, "bn")):
        hw = hw + 2 * (consumer_pad if index == len(orders) else pad) - 2
        if hw < 1 or (order != "bn" and hw < 2):
            raise ValueError(f"input size {size} is too small for pads {pad}, {consumer_pad} "
                             f"and pools {orders}")
        sizes.append(hw)
        hw = hw // 2 if order != "bn" else hw
        if order == "pool_bn_pool":
            if hw < 2:
                raise ValueError(f"input size {size} is too small for pads {pad}, "
                                 f"{consumer_pad} and pools {orders}")
            hw //= 2
    return sizes


def pool_order_cnv(
    rng: np.random.Generator, channels: tuple[int, int, int] = (4, 6, 5), size: int = 8,
    pad: int = 1, orders: tuple[LayerOrder, LayerOrder] = ("pool_bn", "bn_pool_scale"),
    consumer_pad: int = 1, flatten: FlattenAt = "before_sign",
    input_kind: Literal["ui8", "bipolar"] = "ui8", batch: int = BATCH,
    consumer_pad_node: bool = False,
) -> Built:
    """Where max-pools and flattens sit around the batch norms. Input [N, 3, size, size]; two
    layers of conv 3×3 (zero pads `pad`, `channels[i]` outputs) followed, by `orders[i]`, by
    - "bn": BatchNormalization → Sign;
    - "bn_pool": BN → Sign → MaxPool 2×2 (the hardware's order);
    - "pool_bn": MaxPool 2×2 → BN with gamma of mixed signs → Sign (BinaryNet's and Larq's);
    - "bn_pool_scale": BN → MaxPool 2×2 → Mul by a per-channel constant of mixed signs → Sign;
    - "pool_bn_pool": MaxPool 2×2 → BN with gamma of mixed signs → Sign → MaxPool 2×2 (a min-pool
      then a max-pool of the same channel);
    then a consumer conv 3×3 (zero pads `consumer_pad`, or with `consumer_pad_node` an explicit
    Pad node of −1 and no conv pads: it cannot absorb a negation) → BN → Sign with a Flatten
    placed by
    `flatten`: "after_sign", "before_sign" (BN → Flatten → Sign, Larq's order) or "before_bn"
    (Flatten → 1-D BN whose parameters repeat each channel's over its features → Sign); a
    MatMul to 10 logits. Sizes must fit (`pool_order_sizes`)."""
    maps = pool_order_sizes(size, pad, orders, consumer_pad)
    is_bipolar = input_kind == "bipolar"

    def layer(g: Graph, h: str, cin: int, cout: int, order: LayerOrder, stats: tuple) -> str:
        w = bipolar(g.rng, (cout, cin, 3, 3))
        center, spread = acc_stats(w.reshape(cout, -1).sum(1), cin * 9, stats)
        a = g.conv(h, w, pad)
        if order in ("pool_bn", "pool_bn_pool"):  # a window's max: about one spread above
            a = g.node("MaxPool", [a], kernel_shape=[2, 2], strides=[2, 2])
            h = g.sign(g.batch_norm(a, bn_params(g.rng, center + spread, spread)))
            if order == "pool_bn_pool":
                h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
            return h
        a = g.batch_norm(a, bn_params(g.rng, center, spread))
        if order == "bn_pool_scale":
            a = g.node("MaxPool", [a], kernel_shape=[2, 2], strides=[2, 2])
            scale = g.rng.uniform(0.5, 2.0, cout) * mixed_signs(g.rng, cout)
            a = g.node("Mul", [a, g.const(scale.astype(np.float32).reshape(1, cout, 1, 1))])
        h = g.sign(a)
        if order == "bn_pool":
            h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        return h

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h, cin = "x", 3
        for index, order in enumerate(orders):
            stats = BIPOLAR_STATS if index or is_bipolar else UI8_STATS
            h, cin = layer(g, h, cin, channels[index], order, stats), channels[index]
        cout, hw = channels[2], maps[-1]
        w = bipolar(rng, (cout, cin, 3, 3))
        center, spread = acc_stats(w.reshape(cout, -1).sum(1), cin * 9, BIPOLAR_STATS)
        bn = bn_params(rng, center, spread)
        if consumer_pad_node and consumer_pad:
            pads = g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64) * consumer_pad, "pads")
            h = g.node("Pad", [h, pads, g.const(np.float32(-1.0))], mode="constant")
        a = g.conv(h, w, 0 if consumer_pad_node else consumer_pad)
        if flatten == "before_bn":
            a = g.node("Flatten", [a], axis=1)
            bn = BatchNorm(*(np.repeat(p, hw * hw) for p in bn.inputs()), epsilon=bn.epsilon)
        a = g.batch_norm(a, bn)
        if flatten == "before_sign":
            a = g.node("Flatten", [a], axis=1)
        h = g.sign(a)
        if flatten == "after_sign":
            h = g.node("Flatten", [h], axis=1)
        y = g.matmul(h, bipolar(rng, (cout * hw * hw, 10)))
        x_shape = (batch, 3, size, size)
        x = bipolar(rng, x_shape) if is_bipolar else image(rng, x_shape)
        return g.model(["N", 3, size, size], y, ["N", 10]), x

    return without_sign_ties(build, rng)


def gemm_fused(rng: np.random.Generator, sizes: tuple[int, int, int] = (24, 16, 10),
               input_kind: Literal["bipolar", "ui8"] = "bipolar", batch: int = 16) -> Built:
    """Input [N, 24] (±1 or 8-bit pixels) → Gemm with alpha not a power of two, beta and a bias
    C (onnxruntime adds alpha · acc and fl(beta · C) with one rounding, a fused multiply-add) →
    Sign → Gemm(transB=1, alpha, C) to 10 logits: the fused epilogue in a hidden layer (where
    threshold fusion must search it exactly) and at the output."""
    n_in, hidden, n_out = sizes

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        w1 = bipolar(rng, (n_in, hidden))
        mean, std = UI8_STATS if input_kind == "ui8" else BIPOLAR_STATS
        centre = w1.sum(0) * mean
        alpha = np.float32(rng.uniform(0.1, 3.0))
        beta = np.float32(rng.uniform(0.5, 2.0))
        c1 = (-(alpha * centre) / beta + rng.normal(0, std * 2, hidden)).astype(np.float32)
        h = g.sign(g.node("Gemm", ["x", g.const(w1, "w"), g.const(c1)], alpha=float(alpha),
                          beta=float(beta)))
        c2 = rng.normal(0, 3, n_out).astype(np.float32)
        y = g.node("Gemm", [h, g.const(bipolar(rng, (n_out, hidden)), "w"), g.const(c2)],
                   transB=1, alpha=float(rng.uniform(0.1, 3.0)), beta=float(rng.uniform(0.5, 2)))
        x = image(rng, (batch, n_in)) if input_kind == "ui8" else bipolar(rng, (batch, n_in))
        return g.model(["N", n_in], y, ["N", n_out]), x

    return without_sign_ties(build, rng)


def torch_view_cnn(rng: np.random.Generator, size: int = 9, batch: int = BATCH) -> Built:
    """8-bit image [N, 3, 9, 9] → conv 3×3 (pads 1) + BN + Sign → MaxPool 2×2 stride 2 with
    ceil_mode=1 (9×9 → 5×5, the last window partial) → conv 3×3 (pads 1) + BN + Sign →
    PyTorch's `x.view(x.size(0), -1)` with a dynamic batch: Shape → Gather(0) → Unsqueeze →
    Concat with [-1] → Reshape → MatMul to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.sign(g.conv_bn("x", bipolar(rng, (8, 3, 3, 3)), UI8_STATS, pad=1))
        h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
        pooled = -(-size // 2)
        h = g.sign(g.conv_bn(h, bipolar(rng, (6, 8, 3, 3)), BIPOLAR_STATS, pad=1))
        batch_size = g.node("Gather", [g.node("Shape", [h]), g.const(np.array(0, np.int64))],
                            axis=0)
        batch_dim = g.node("Unsqueeze", [batch_size, g.const(np.array([0], np.int64))])
        shape = g.node("Concat", [batch_dim, g.const(np.array([-1], np.int64))], axis=0)
        flat = g.node("Reshape", [h, shape])
        y = g.matmul(flat, bipolar(rng, (6 * pooled * pooled, 10)))
        return g.model(["N", 3, size, size], y, ["N", 10]), image(rng, (batch, 3, size, size))

    return without_sign_ties(build, rng)


def scaled_pool_cnn(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """Pools of scaled levels in plain ONNX: 8-bit image [N, 3, 8, 8] → Div 256 → MaxPool 2×2
    → conv 3×3 (pads 1) + BN + Sign → Mul 0.5 → MaxPool 2×2 → Flatten → MatMul to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.node("Div", ["x", g.const(np.float32(256))])
        h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        h = g.sign(g.conv_bn(h, bipolar(rng, (6, 3, 3, 3)), (0.5, 0.29), pad=1))
        h = g.node("MaxPool", [g.node("Mul", [h, g.const(np.float32(0.5))])],
                   kernel_shape=[2, 2], strides=[2, 2])
        y = g.matmul(g.node("Flatten", [h], axis=1), bipolar(rng, (6 * 2 * 2, 10)))
        return g.model(["N", 3, 8, 8], y, ["N", 10]), image(rng, (batch, 3, 8, 8))

    return without_sign_ties(build, rng)


def pad_value_cnn(rng: np.random.Generator, value: float = 3.0, batch: int = BATCH) -> Built:
    """8-bit image [N, 3, 6, 6] → conv 3×3 + BN + Sign → Pad of the ±1 map with `value` (not a
    bipolar value: the map becomes integers −1/+1/value) → conv 3×3 + BN + Sign → Flatten →
    MatMul to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.sign(g.conv_bn("x", bipolar(rng, (4, 3, 3, 3)), UI8_STATS, pad=1))
        pads = g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
        h = g.node("Pad", [h, pads, g.const(np.float32(value))], mode="constant")
        h = g.sign(g.conv_bn(h, bipolar(rng, (5, 4, 3, 3)), (value / 4, 1.5)))
        y = g.matmul(g.node("Flatten", [h], axis=1), bipolar(rng, (5 * 6 * 6, 10)))
        return g.model(["N", 3, 6, 6], y, ["N", 10]), image(rng, (batch, 3, 6, 6))

    return without_sign_ties(build, rng)


FLATTENED_MAP_READERS = ("add_sign_dense", "batch_norm_sign_dense", "top_k", "sign_output")


def flattened_map_reader(rng: np.random.Generator, reader: str, batch: int = BATCH) -> Built:
    """Bipolar [N, 3, 5, 5] → conv 3×3 → Flatten of the 2×3×3 accumulator map → `reader`, which
    works per feature of the flattened (c, h, w) order: a per-feature Add (or a BatchNorm1d)
    and Sign then MatMul to 4 logits, a TopK label over the 18 features, or a Sign whose ±1
    features are the output. A stream carries the map (h, w, c)."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.node("Flatten", [g.conv("x", bipolar(rng, (2, 3, 3, 3)))], axis=1)
        features, y_shape, y_type = 18, ["N", 4], TensorProto.FLOAT
        if reader == "add_sign_dense":
            offsets = rng.integers(-6, 6, features) + np.float32(0.5)
            h = g.sign(g.node("Add", [h, g.const(offsets.astype(np.float32))]))
        elif reader == "batch_norm_sign_dense":
            h = g.sign(g.batch_norm(h, bn_params(rng, np.zeros(features), 3.0)))
        if reader.endswith("dense"):
            y = g.matmul(h, bipolar(rng, (features, 4)))
        elif reader == "top_k":
            y, y_shape, y_type = g.topk_label(h), ["N", 1], TensorProto.INT64
        else:
            offsets = rng.integers(-6, 6, features) + np.float32(0.5)
            y = g.sign(g.node("Add", [h, g.const(offsets.astype(np.float32))]))
            y_shape = ["N", features]
        return g.model(["N", 3, 5, 5], y, y_shape, y_type), bipolar(rng, (batch, 3, 5, 5))

    return without_sign_ties(build, rng)


# ===----------------------------------------------------------------------=== #
# Batch norm switching within one ulp of an integer
# ===----------------------------------------------------------------------=== #


def unit_var(epsilon: float) -> np.float32:
    """A float32 var with float32(var + epsilon) == 1 exactly, so 1/sqrt(var + eps) is 1."""
    eps = np.float32(epsilon)
    var = np.float32(1) - eps
    while var + eps != np.float32(1):
        var = np.nextafter(var, np.float32(1 if var + eps < 1 else -1), dtype=np.float32)
    return var


def ulp_neighbours(k: np.ndarray) -> np.ndarray:
    """Rows k − 1 ulp, k, k + 1 ulp (float32)."""
    k = np.asarray(k, np.float32)
    return np.stack([np.nextafter(k, np.float32(-np.inf)), k, np.nextafter(k, np.float32(np.inf))])


def bn_only_model(bn: BatchNorm) -> onnx.ModelProto:
    """A model of one BatchNormalization on [N, C] with the given parameters."""
    g = Graph(np.random.default_rng(0))
    y = g.batch_norm("x", bn)
    return g.model(["N", len(bn.gamma)], y, ["N", len(bn.gamma)])


def bn_switches_within_ulp(bn: BatchNorm, k: np.ndarray) -> np.ndarray:
    """Per channel: onnxruntime's float32 batch norm y crosses zero within one ulp of the integer
    k (y(k − 1 ulp) ≤ 0 ≤ y(k + 1 ulp) or the reverse, not both 0; y is monotone) and y(k) ≠ 0."""
    lo, at, hi = ort_run(bn_only_model(bn), ulp_neighbours(k))
    crosses = ((lo <= 0) & (hi >= 0)) | ((lo >= 0) & (hi <= 0))
    return crosses & ((lo != 0) | (hi != 0)) & (at != 0)


def _near_boundary_bn(rng: np.random.Generator, ks: np.ndarray) -> BatchNorm:
    """Batch norm switching within one ulp of ks: beta = 0, mean = k ± 1 ulp, var + eps = 1,
    gamma = ±1 on half the channels (y = ±(acc − mean) exactly), ±[1, 3] on the others."""
    width = len(ks)
    magnitude = np.where(rng.random(width) < 0.5, 1.0, rng.uniform(1.0, 3.0, width))
    gamma = (magnitude * mixed_signs(rng, width)).astype(np.float32)
    up = rng.random(width) < 0.5
    mean = np.where(up, np.nextafter(ks, np.float32(np.inf)), np.nextafter(ks, np.float32(-np.inf)))
    var = np.full(width, unit_var(1e-5), np.float32)
    return BatchNorm(gamma, np.zeros(width, np.float32), mean.astype(np.float32), var)


def _fit_near_boundary_bn(rng: np.random.Generator, ks: np.ndarray) -> BatchNorm:
    """`_near_boundary_bn`, re-drawing the channels that onnxruntime does not switch within one
    ulp of k (or that are exactly 0 at k)."""
    bn = _near_boundary_bn(rng, ks)
    for _ in range(MAX_DRAWS):
        bad = ~bn_switches_within_ulp(bn, ks)
        if not bad.any():
            return bn
        redraw = _near_boundary_bn(rng, ks)
        bn.gamma[bad], bn.mean[bad] = redraw.gamma[bad], redraw.mean[bad]
    raise RuntimeError("could not place batch-norm switching points within one ulp")


def _attaining_rows(rng: np.random.Generator, w: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """One ±1 row per column c of w with row @ w[:, c] == ks[c] (ks of fan_in's parity)."""
    fan_in = w.shape[0]
    rows = np.array(w.T, np.float32)
    for row, k in zip(rows, ks, strict=True):
        flips = rng.choice(fan_in, size=int(fan_in - k) // 2, replace=False)
        row[flips] *= -1
    return rows


def bn_near_integer_boundary(rng: np.random.Generator, fan_in: int = 16, width: int = 12,
                             batch: int = BATCH) -> Built:
    """±1 input [N, fan_in] → MatMul → BatchNormalization → Sign → MatMul to 4 logits, where
    every channel's float32 batch norm switches sign within one ulp of a nonzero integer
    accumulator value k (mean = k ± 1 ulp, beta = 0, gamma = ±1 or ±[1, 3], var + eps = 1),
    checked with onnxruntime; no exact tie on x. x has one row per channel that makes that
    channel's accumulator exactly k, then `batch` random rows."""
    ks_all = np.arange(-fan_in + 2, fan_in - 1, 2)
    ks_all = ks_all[(ks_all != 0) & (np.abs(ks_all) <= 6)]

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        w = bipolar(rng, (fan_in, width))
        ks = rng.choice(ks_all, width).astype(np.float32)
        bn = _fit_near_boundary_bn(rng, ks)
        h = g.sign(g.batch_norm(g.matmul("x", w), bn))
        y = g.matmul(h, bipolar(rng, (width, 4)))
        x = np.concatenate([_attaining_rows(rng, w, ks), bipolar(rng, (batch, fan_in))])
        return g.model(["N", fan_in], y, ["N", 4]), x

    return without_sign_ties(build, rng)


# ===----------------------------------------------------------------------=== #
# QONNX / FINN-ONNX networks
# ===----------------------------------------------------------------------=== #


def _quant(g: Graph, x: str, scale: float, bits: int, signed: bool,
           rounding: str = "ROUND") -> str:
    """QONNX Quant with zero point 0, narrow=0."""
    args = [x, g.const(np.float32(scale), "s"), g.const(np.float32(0), "z"),
            g.const(np.float32(bits), "b")]
    return g.node("Quant", args, domain=QONNX_DOMAIN, signed=int(signed), narrow=0,
                  rounding_mode=rounding)


def _bipolar_quant(g: Graph, x: str, scale: float = 1.0) -> str:
    return g.node("BipolarQuant", [x, g.const(np.float32(scale), "s")], domain=QONNX_DOMAIN)


def _float_weights(g: Graph, shape: tuple[int, int]) -> tuple[str, np.ndarray]:
    """Brevitas-like latent float weights N(0, 0.1) and their BipolarQuant pattern (0 → +1)."""
    w = g.rng.normal(0, 0.1, shape).astype(np.float32)
    return g.const(w, "w"), np.where(w >= 0, 1.0, -1.0)


def _qdense_bn(g: Graph, h: str, shape: tuple[int, int], one_bit_quant: bool = False) -> str:
    """MatMul with float weights behind BipolarQuant (or 1-bit signed Quant), then batch norm."""
    name, pattern = _float_weights(g, shape)
    w = _quant(g, name, 1.0, 1, True) if one_bit_quant else _bipolar_quant(g, name)
    center, spread = acc_stats(pattern.sum(0), shape[0], BIPOLAR_STATS)
    return g.batch_norm(g.node("MatMul", [h, w]), bn_params(g.rng, center, spread))


def qonnx_mlp(rng: np.random.Generator, sizes: tuple[int, ...] = (24, 32, 16, 16, 10),
              batch: int = BATCH) -> Built:
    """Brevitas-style QONNX on a float input [N, 24]: BipolarQuant(scale 1); MatMul with float
    weights behind BipolarQuant, BN, BipolarQuant; MatMul with weights behind a 1-bit signed
    Quant (narrow 0), BN, BipolarQuant; MatMul, MultiThreshold (one sorted threshold per channel,
    some on attainable accumulators, out_scale 2, out_bias −1, BIPOLAR); MatMul with BipolarQuant
    weights and a scalar Mul to the logits."""
    n_in, h1, h2, h3, n_out = sizes

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = _bipolar_quant(g, "x")
        h = _bipolar_quant(g, _qdense_bn(g, h, (n_in, h1)))
        h = _bipolar_quant(g, _qdense_bn(g, h, (h1, h2), one_bit_quant=True))
        name, _ = _float_weights(g, (h2, h3))
        a = g.node("MatMul", [h, _bipolar_quant(g, name)])
        thresholds = (rng.integers(-4, 5, (h3, 1)) + rng.choice([0.0, 0.5], (h3, 1)))
        h = g.node("MultiThreshold", [a, g.const(thresholds.astype(np.float32), "t")],
                   domain=QONNX_DOMAIN, out_scale=2.0, out_bias=-1.0, out_dtype="BIPOLAR")
        name, _ = _float_weights(g, (h3, n_out))
        y = g.node("MatMul", [h, _bipolar_quant(g, name)])
        y = g.node("Mul", [y, g.const(np.float32(rng.uniform(0.05, 0.5)))])
        x = rng.normal(size=(batch, n_in)).astype(np.float32)
        return g.model(["N", n_in], y, ["N", n_out], domains=(QONNX_DOMAIN,)), x

    return build(rng)


def qonnx_multibit(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """±1 input [N, 20] → MatMul (±1) → Mul 0.25 → 2-bit unsigned Quant (scale 1, ROUND =
    half-even, hit by accumulator/4 ∈ ½ℤ, clamped to 0..3) → MatMul with bipolar weights → BN
    → 2-bit unsigned Quant (scale 0.5) → MatMul to 6 logits: integer activations into dense
    layers."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        a = g.node("Mul", [g.matmul("x", bipolar(rng, (20, 16))), g.const(np.float32(0.25))])
        h = _quant(g, a, 1.0, 2, False)
        w = bipolar(rng, (16, 12))
        center, spread = acc_stats(w.sum(0), 16, (1.0, 1.0))
        a = g.batch_norm(g.matmul(h, w), bn_params(rng, center, spread))
        h = _quant(g, a, 0.5, 2, False)
        y = g.matmul(h, bipolar(rng, (12, 6)))
        return g.model(["N", 20], y, ["N", 6], domains=(QONNX_DOMAIN,)), bipolar(rng, (batch, 20))

    return build(rng)


def qonnx_topk(rng: np.random.Generator, sizes: tuple[int, int, int] = (32, 24, 10),
               batch: int = 16) -> Built:
    """The Brevitas-style MLP ending in a label: ±1 input → BipolarQuant → MatMul (BipolarQuant
    float weights) → BN → BipolarQuant → MatMul (BipolarQuant weights) → Mul → TopK(k=1, axis 1),
    whose int64 indices [N, 1] are the graph output (integer logits tie often: ONNX picks the
    lower index)."""
    n_in, hidden, n_out = sizes

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = _bipolar_quant(g, _qdense_bn(g, _bipolar_quant(g, "x"), (n_in, hidden)))
        name, _ = _float_weights(g, (hidden, n_out))
        logits = g.node("MatMul", [h, _bipolar_quant(g, name)])
        logits = g.node("Mul", [logits, g.const(np.float32(0.5))])
        label = g.topk_label(logits)
        model = g.model(["N", n_in], label, ["N", 1], TensorProto.INT64, (QONNX_DOMAIN,))
        return model, bipolar(rng, (batch, n_in))

    return build(rng)


def qonnx_levels_cnn(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """Integer levels with scales and offsets into padded convs, in QONNX: float input
    [N, 3, 6, 6] → BipolarQuant → conv (pads 1) → MultiThreshold to BINARY {0, 1} (out_scale 1,
    out_bias 0) → conv (pads 1; zero padding of {0, 1} is level −1 of the bipolar bit) →
    MultiThreshold with out_bias −1 (levels −1..2) → conv (pads 1) → BN → signed 3-bit Quant
    with zero point 1 and scale 0.5 → conv (pads 1) → MultiThreshold with out_scale 2 and
    out_bias −3 ({−3, −1, 1, 3}) → Flatten → MatMul with BipolarQuant weights to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        t = lambda c, steps, spread: g.const(  # noqa: E731
            np.sort(rng.normal(0, spread, (c, steps)).astype(np.float32), axis=1), "t")
        h = _bipolar_quant(g, "x")
        h = g.conv(h, bipolar(rng, (4, 3, 3, 3)), pad=1)
        h = g.node("MultiThreshold", [h, t(4, 1, 3)], domain=QONNX_DOMAIN, out_dtype="BINARY")
        h = g.conv(h, bipolar(rng, (5, 4, 3, 3)), pad=1)
        h = g.node("MultiThreshold", [h, t(5, 3, 3)], domain=QONNX_DOMAIN, out_bias=-1.0)
        h = g.conv(h, bipolar(rng, (6, 5, 3, 3)), pad=1)
        center, spread = acc_stats(np.zeros(6), 45, (0.5, 1.0))
        h = g.batch_norm(h, bn_params(rng, center, spread))
        args = [h, g.const(np.float32(0.5), "s"), g.const(np.float32(1.0), "z"),
                g.const(np.float32(3), "b")]
        h = g.node("Quant", args, domain=QONNX_DOMAIN, signed=1, narrow=0,
                   rounding_mode="ROUND")
        h = g.conv(h, bipolar(rng, (4, 6, 3, 3)), pad=1)
        h = g.node("MultiThreshold", [h, t(4, 3, 4)], domain=QONNX_DOMAIN, out_scale=2.0,
                   out_bias=-3.0)
        name, _ = _float_weights(g, (4 * 6 * 6, 10))
        y = g.node("MatMul", [g.node("Flatten", [h], axis=1), _bipolar_quant(g, name)])
        x = rng.normal(0, 1, (batch, 3, 6, 6)).astype(np.float32)
        return g.model(["N", 3, 6, 6], y, ["N", 10], domains=(QONNX_DOMAIN,)), x

    return build(rng)


def qonnx_pooled_levels(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """Brevitas' CNV block at 2-bit activations, pools after scaled quantizers: float input
    [N, 3, 8, 8] → BipolarQuant → conv (pads 1) → BN → unsigned 2-bit Quant of scale 0.5 →
    MaxPool 2×2 → conv (pads 1) → BN → BipolarQuant of scale 0.5 → MaxPool 2×2 → Flatten →
    MatMul with BipolarQuant weights to 10 logits."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        h = g.conv(_bipolar_quant(g, "x"), bipolar(rng, (6, 3, 3, 3)), pad=1)
        h = g.batch_norm(h, bn_params(rng, *acc_stats(np.zeros(6), 27, (0.0, 1.0))))
        h = g.node("MaxPool", [_quant(g, h, 0.5, 2, False)], kernel_shape=[2, 2], strides=[2, 2])
        h = g.conv(h, bipolar(rng, (8, 6, 3, 3)), pad=1)
        h = g.batch_norm(h, bn_params(rng, *acc_stats(np.zeros(8), 54, (0.75, 0.5))))
        h = g.node("MaxPool", [_bipolar_quant(g, h, 0.5)], kernel_shape=[2, 2], strides=[2, 2])
        name, _ = _float_weights(g, (8 * 2 * 2, 10))
        y = g.node("MatMul", [g.node("Flatten", [h], axis=1), _bipolar_quant(g, name)])
        x = rng.normal(0, 1, (batch, 3, 8, 8)).astype(np.float32)
        return g.model(["N", 3, 8, 8], y, ["N", 10], domains=(QONNX_DOMAIN,)), x

    return build(rng)


def qonnx_zero_points(rng: np.random.Generator, batch: int = BATCH) -> Built:
    """1-bit signed Quants with non-zero zero points, whose outputs are (±1 − z) · s: float input
    [N, 12] → Quant(1 bit, scale 0.5, zeropt 0.5) → MatMul (±1) → Quant(1 bit, scale 0.25,
    zeropt −1) as the output."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)

        def quant(x: str, scale: float, zeropt: float) -> str:
            args = [x, g.const(np.float32(scale), "s"), g.const(np.float32(zeropt), "z"),
                    g.const(np.float32(1), "b")]
            return g.node("Quant", args, domain=QONNX_DOMAIN, signed=1, narrow=0,
                          rounding_mode="ROUND")

        h = g.matmul(quant("x", 0.5, 0.5), bipolar(rng, (12, 8)))
        y = quant(h, 0.25, -1.0)
        x = rng.normal(0, 1, (batch, 12)).astype(np.float32)
        return g.model(["N", 12], y, ["N", 8], domains=(QONNX_DOMAIN,)), x

    return build(rng)


def finn_onnx_mlp(rng: np.random.Generator, batch: int = 8) -> Built:
    """FINN-ONNX after streamlining (domain finn.custom_op.general, finn_datatype annotations):
    UINT8 input [N, 16] → MultiThreshold(127.5, out_scale 2, out_bias −1, BIPOLAR) → MatMul with
    ±1 weights → MultiThreshold to BINARY {0, 1} → XnorPopcountMatMul with BINARY {0, 1}
    weights → MultiThreshold in the popcount domain (three sorted thresholds in 0..12, UINT2) →
    TopK(k=1) label."""

    def build(rng: np.random.Generator) -> Built:
        g = Graph(rng)
        t0 = np.full((1, 1), 127.5, np.float32)
        b = g.node("MultiThreshold", ["x", g.const(t0, "t")], domain=FINN_DOMAIN,
                   out_scale=2.0, out_bias=-1.0, out_dtype="BIPOLAR")
        w1 = g.const(bipolar(rng, (16, 12)), "w")
        a = g.node("MatMul", [b, w1])
        t1 = rng.integers(-3, 4, (12, 1)).astype(np.float32)
        c = g.node("MultiThreshold", [a, g.const(t1, "t")], domain=FINN_DOMAIN,
                   out_scale=1.0, out_bias=0.0, out_dtype="BINARY")
        w2 = g.const(rng.integers(0, 2, (12, 8)).astype(np.float32), "w")
        p = g.node("XnorPopcountMatMul", [c, w2], domain=FINN_DOMAIN)
        t2 = np.sort(rng.integers(2, 11, (8, 3)).astype(np.float32), axis=1)
        m = g.node("MultiThreshold", [p, g.const(t2, "t")], domain=FINN_DOMAIN,
                   out_dtype="UINT2")
        label = g.topk_label(m)
        model = g.model(["N", 16], label, ["N", 1], TensorProto.INT64, (FINN_DOMAIN,))
        annotate(model, {"x": "UINT8", b: "BIPOLAR", w1: "BIPOLAR", a: "INT32", c: "BINARY",
                         w2: "BINARY", p: "UINT4", m: "UINT2"})
        return model, image(rng, (batch, 16))

    return build(rng)


# ===----------------------------------------------------------------------=== #
# The benchmark network
# ===----------------------------------------------------------------------=== #


def big_mlp_sizes(n_weights: int, n_in: int = 784, width: int = 2048,
                  n_out: int = 10) -> list[int]:
    """Layer sizes n_in-width-...-width-n_out with about n_weights weights in total."""
    hidden = max(1, round((n_weights - (n_in + n_out) * width) / (width * width)) + 1)
    return [n_in] + [width] * hidden + [n_out]


def big_mlp(rng: np.random.Generator | None = None, *, n_weights: int = 10_000_000,
            width: int = 2048, batch: int = BATCH, check_ties: bool = True) -> Built:
    """A bipolar MLP 784-2048-2048-2048-10 (for the default ≈ 10.03 M ±1 weights; more or fewer
    hidden layers of `width` for other counts): MatMul + BatchNormalization + Sign per hidden
    layer, a final MatMul to logits. Builds in a few seconds; `check_ties` re-draws the input
    batch (not the weights) until onnxruntime sees no sign tie."""
    rng = np.random.default_rng(0) if rng is None else rng
    sizes = big_mlp_sizes(n_weights, width=width)
    g = Graph(rng)
    h = "x"
    for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
        h = g.sign(g.dense_bn(h, bipolar(rng, (fan_in, fan_out))))
    y = g.matmul(h, bipolar(rng, (sizes[-2], sizes[-1])))
    model = g.model(["N", sizes[0]], y, ["N", sizes[-1]])
    for _ in range(MAX_DRAWS):
        x = bipolar(rng, (batch, sizes[0]))
        if not check_ties or not sign_ties(model, x):
            return model, x
    raise RuntimeError("could not draw an input batch without sign ties")


def weight_count(model: onnx.ModelProto) -> int:
    """Number of weights: elements of the initializers read by MatMul, Gemm and Conv nodes."""
    weighted = {n.input[1] for n in model.graph.node if n.op_type in ("MatMul", "Gemm", "Conv")}
    return sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.name in weighted)


# ===----------------------------------------------------------------------=== #
# The zoo
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class ZooEntry:
    """A small builder, the --input-type its model needs (None: the importer can tell) and its
    reference executor."""

    build: Builder
    input_type: str | None
    reference: Callable[[onnx.ModelProto, np.ndarray], np.ndarray]


ZOO: dict[str, ZooEntry] = {
    "mlp_bipolar": ZooEntry(mlp_bipolar, "bipolar", ort_run),
    "mlp_gemm": ZooEntry(mlp_gemm, "bipolar", ort_run),
    "cnv_small": ZooEntry(cnv_small, "ui8", ort_run),
    "cnv_minus_one_pad": ZooEntry(cnv_minus_one_pad, "ui8", ort_run),
    "conv_strided": ZooEntry(conv_strided, "ui8", ort_run),
    "cnv_reshape": ZooEntry(cnv_reshape, "ui8", ort_run),
    "bn_near_integer_boundary": ZooEntry(bn_near_integer_boundary, "bipolar", ort_run),
    "random_bnn": ZooEntry(random_bnn, "ui8", ort_run),
    "gemm_fused": ZooEntry(gemm_fused, "bipolar", ort_run),
    "torch_view_cnn": ZooEntry(torch_view_cnn, "ui8", ort_run),
    "pad_value_cnn": ZooEntry(pad_value_cnn, "ui8", ort_run),
    "pool_order_cnv": ZooEntry(pool_order_cnv, "ui8", ort_run),
    "raw_conv_output": ZooEntry(raw_conv_output, "ui8", ort_run),
    "qonnx_mlp": ZooEntry(qonnx_mlp, None, qonnx_run),
    "qonnx_multibit": ZooEntry(qonnx_multibit, "bipolar", qonnx_run),
    "qonnx_topk": ZooEntry(qonnx_topk, "bipolar", qonnx_run),
    "finn_onnx_mlp": ZooEntry(finn_onnx_mlp, None, qonnx_run),
    "qonnx_levels_cnn": ZooEntry(qonnx_levels_cnn, None, qonnx_run),
    "qonnx_zero_points": ZooEntry(qonnx_zero_points, None, qonnx_run),
}


def random_networks(
    channels: st.SearchStrategy[int] | None = None, max_size: int = 9, max_pad: int = 2,
) -> st.SearchStrategy[tuple[onnx.ModelProto, np.ndarray, str]]:
    """Hypothesis strategy of (model, x, input kind) from `random_bnn` with drawn parameters."""

    @st.composite
    def networks(draw: st.DrawFn) -> tuple[onnx.ModelProto, np.ndarray, str]:
        input_kind = draw(st.sampled_from(["ui8", "bipolar"]))
        model, x = random_bnn(
            np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
            depth=draw(st.integers(1, 3)),
            channels=draw(channels if channels is not None else st.integers(1, 12)),
            size=draw(st.integers(4, max_size)),
            kernel=draw(st.sampled_from([1, 2, 3])),
            pad=draw(st.integers(0, max_pad)),
            pool=draw(st.booleans()),
            pad_mode=draw(st.sampled_from(["zero", "minus_one_pad_node"])),
            input_kind=input_kind,
        )
        return model, x, input_kind

    return networks()


def pool_order_networks() -> st.SearchStrategy[tuple[onnx.ModelProto, np.ndarray, str]]:
    """Hypothesis strategy of (model, x, input kind) from `pool_order_cnv` with drawn orders,
    pads (zero or a −1 Pad node before the consumer), flatten placement and channels, at the
    smallest input size that fits (or one more)."""

    @st.composite
    def networks(draw: st.DrawFn) -> tuple[onnx.ModelProto, np.ndarray, str]:
        orders = (draw(st.sampled_from(["bn", "bn_pool", "pool_bn", "bn_pool_scale"])),
                  draw(st.sampled_from(["bn_pool", "pool_bn", "bn_pool_scale", "pool_bn_pool"])))
        pad, consumer_pad = draw(st.integers(0, 1)), draw(st.integers(0, 1))
        smallest = next(size for size in range(3, 40) if _fits(size, pad, orders, consumer_pad))
        input_kind = draw(st.sampled_from(["ui8", "bipolar"]))
        model, x = pool_order_cnv(
            np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
            channels=tuple(draw(st.integers(1, 6)) for _ in range(3)),
            size=smallest + draw(st.integers(0, 1)), pad=pad, orders=orders,
            consumer_pad=consumer_pad, consumer_pad_node=draw(st.booleans()),
            flatten=draw(st.sampled_from(["after_sign", "before_sign", "before_bn"])),
            input_kind=input_kind, batch=3,
        )
        return model, x, input_kind

    return networks()


def _fits(size: int, pad: int, orders: tuple[LayerOrder, ...], consumer_pad: int) -> bool:
    try:
        pool_order_sizes(size, pad, orders, consumer_pad)
    except ValueError:
        return False
    return True


# ===----------------------------------------------------------------------=== #
# Random mixed networks
# ===----------------------------------------------------------------------=== #


def mixed_network(rng: np.random.Generator, input_kind: Literal["ui8", "bipolar"] = "ui8",
                  batch: int = 3) -> Built:
    """A random plain-ONNX BNN mixing what the importer and the passes must keep exact:

    - input: `input_kind`, 8-bit pixels or ±1, 1–4 channels, 3–9 pixels a side;
    - 1–2 convs (kernels 1–3, not always square; strides 1–2; pads 0–2, asymmetric, or
      auto_pad; maybe a bias), before a conv on ±1 maps maybe an explicit Pad of −1, +1 or 0;
    - after each conv, in a random order: a batch norm, a chain of scalar or per-channel
      Mul/Add/Sub/Div/Neg, a MaxPool (floor or ceil mode, maybe padded); then Sign, maybe
      another MaxPool. Batch-norm parameters sit at accumulator values seen on x: switching
      points on an integer (sign ties), one ulp beside one, gamma exactly 0, gamma < 0;
    - Flatten, Reshape [0, −1] or PyTorch's view (Shape/Gather/Unsqueeze/Concat), maybe a
      hidden MatMul + batch norm + Sign, then MatMul or Gemm (transB, alpha, beta, C) to the
      logits, maybe TopK(k=1) for the label.

    Sign ties are intended: compare with onnxruntime on `with_bnn_sign(model)`. Every float
    constant is finite and every input to a layer is integer or ±1, so imports are exact."""
    g = Graph(rng)
    channels, height = int(rng.integers(1, 5)), int(rng.integers(3, 10))
    width = height if rng.random() < 0.7 else int(rng.integers(3, 10))
    shape = (batch, channels, height, width)
    x = image(rng, shape) if input_kind == "ui8" else bipolar(rng, shape)
    net = _MixedNet(g, x, [channels, height, width])
    for _ in range(int(rng.integers(1, 3))):
        if net.h != "x" and rng.random() < 0.3:
            net.explicit_pad()
        net.conv()
        net.activation()
    net.flatten()
    if rng.random() < 0.4:
        net.matmul(int(rng.integers(2, 9)))
        net.batch_norm()
        net.h = g.sign(net.h)
    y, y_type = net.logits(), TensorProto.FLOAT
    if rng.random() < 0.2:
        y, y_type = g.topk_label(y), TensorProto.INT64
    return g.model(["N", channels, height, width], y, ["N", None], y_type), x


@dataclass
class _MixedNet:
    """The state of `mixed_network` while it grows: the graph, the input batch, the current
    tensor and its per-item shape (probed with onnxruntime where pools make it subtle)."""

    g: Graph
    x: np.ndarray
    shape: list[int]
    h: str = "x"

    def probe(self) -> np.ndarray:
        """onnxruntime's value of the current tensor on x (signs as bnn.sign)."""
        model = self.g.model(["N", *self.x.shape[1:]], self.h, None)
        return ort_run(with_bnn_sign(model), self.x)

    def explicit_pad(self) -> None:
        rng = self.g.rng
        pads = [int(p) for p in rng.integers(0, 2, 4)]
        pads[int(rng.integers(4))] = 1
        value = float(rng.choice([-1.0, 1.0, 0.0]))
        onnx_pads = np.array([0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], np.int64)
        self.h = self.g.node("Pad", [self.h, self.g.const(onnx_pads, "pads"),
                                     self.g.const(np.float32(value))], mode="constant")
        self.shape = list(self.probe().shape[1:])

    def conv(self) -> None:
        """Append a conv (its kernel no larger than the padded map)."""
        rng = self.g.rng
        c, h, w = self.shape
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        kw = kh if rng.random() < 0.6 else kw
        strides = [int(rng.integers(1, 3))] * 2
        pads = [int(p) for p in rng.integers(0, 3, 4)]
        attrs: dict[str, object] = {"kernel_shape": [kh, kw], "strides": strides}
        if rng.random() < 0.15:
            attrs["auto_pad"] = str(rng.choice(["SAME_UPPER", "SAME_LOWER"]))
        else:
            attrs["pads"] = pads
            # a kernel larger than the padded map shrinks to it: a conv must follow an explicit
            # Pad (a zero Pad of ±1 maps is legal only into a conv)
            kh, kw = min(kh, h + pads[0] + pads[2]), min(kw, w + pads[1] + pads[3])
            attrs["kernel_shape"] = [kh, kw]
        co = int(rng.integers(1, 6))
        inputs = [self.h, self.g.const(bipolar(rng, (co, c, kh, kw)), "w")]
        if rng.random() < 0.2:
            inputs.append(self.g.const(rng.normal(0, 2, co).astype(np.float32), "b"))
        self.h = self.g.node("Conv", inputs, **attrs)
        self.shape = list(self.probe().shape[1:])

    def max_pool(self) -> None:
        rng = self.g.rng
        _, h, w = self.shape
        kh, kw = min(int(rng.integers(1, 4)), h), min(int(rng.integers(1, 4)), w)
        attrs: dict[str, object] = {"kernel_shape": [kh, kw],
                                    "strides": [int(rng.integers(1, 3))] * 2}
        pads = [int(rng.integers(0, k)) for k in (kh, kw, kh, kw)]
        if rng.random() < 0.3:
            attrs["pads"] = pads
        else:
            pads = [0, 0, 0, 0]
        if rng.random() < 0.3 and _ceil_mode_agrees((h, w), (kh, kw), attrs["strides"], pads):
            attrs["ceil_mode"] = 1
        self.h = self.g.node("MaxPool", [self.h], **attrs)
        self.shape = list(self.probe().shape[1:])

    def batch_norm(self) -> None:
        """A batch norm whose parameters, per channel, sit at an accumulator value seen on x."""
        rng = self.g.rng
        values = np.moveaxis(self.probe(), 1, 0)
        values = values.reshape(len(values), -1)
        params = np.zeros((4, len(values)), np.float32)  # gamma, beta, mean, var
        for c, seen in enumerate(values):
            k, spread = np.float32(rng.choice(seen)), float(seen.std()) + 1.0
            mode = rng.integers(5)
            if mode == 0:  # a switching point on the integer k: a sign tie
                params[:, c] = (rng.choice([1.0, -1.0, 0.37, -2.5]), 0, k, 1 - 1e-5)
            elif mode == 1:  # one ulp beside k
                params[:, c] = (rng.choice([1.0, -0.7]), 0,
                                np.nextafter(k, np.float32(rng.choice([-np.inf, np.inf]))), 0.3)
            elif mode == 2:  # a constant channel
                params[:, c] = (0.0, rng.choice([-1.0, 0.0, 1.0]), k, 1.0)
            else:
                params[:, c] = (rng.uniform(0.2, 2) * rng.choice([-1, 1]), rng.normal(0, 0.5),
                                k + rng.normal(0, spread / 2), rng.uniform(0.5, 2) * spread**2)
        self.h = self.g.batch_norm(self.h, BatchNorm(*params))

    def scalar_chain(self) -> None:
        rng = self.g.rng
        for _ in range(int(rng.integers(1, 3))):
            op = str(rng.choice(["Mul", "Div", "Add", "Sub", "Neg"]))
            if op == "Neg":
                self.h = self.g.node("Neg", [self.h])
                continue
            count = self.shape[0] if rng.random() < 0.4 else 1
            if op in ("Mul", "Div"):
                c = rng.choice(np.array([0.1, 0.5, 2.0, -0.3, 1 / 3, -1.0, 7.0]), count)
            else:
                c = rng.choice(self.probe().reshape(-1), count) + rng.choice([0, 0.5, 1e-6])
            c = c.astype(np.float32).reshape((count, 1, 1) if count > 1 else ())
            self.h = self.g.node(op, [self.h, self.g.const(c)])

    def activation(self) -> None:
        rng = self.g.rng
        steps = [self.batch_norm, self.scalar_chain, self.max_pool]
        for index in rng.permutation(3)[: int(rng.integers(1, 4))]:
            steps[index]()
        self.h = self.g.sign(self.h)
        if rng.random() < 0.2:
            self.max_pool()

    def flatten(self) -> None:
        style = self.g.rng.integers(3)
        if style == 0:
            self.h = self.g.node("Flatten", [self.h], axis=1)
        elif style == 1:
            target = self.g.const(np.array([0, -1], np.int64), "shape")
            self.h = self.g.node("Reshape", [self.h, target])
        else:  # PyTorch's x.view(x.size(0), -1)
            n = self.g.node("Gather", [self.g.node("Shape", [self.h]),
                                       self.g.const(np.array(0, np.int64), "i")], axis=0)
            n = self.g.node("Unsqueeze", [n, self.g.const(np.array([0], np.int64), "axes")])
            shape = self.g.node("Concat", [n, self.g.const(np.array([-1], np.int64), "m")],
                                axis=0)
            self.h = self.g.node("Reshape", [self.h, shape])
        self.shape = [int(np.prod(self.shape))]

    def matmul(self, outputs: int) -> None:
        self.h = self.g.matmul(self.h, bipolar(self.g.rng, (self.shape[0], outputs)))
        self.shape = [outputs]

    def logits(self) -> str:
        rng = self.g.rng
        inputs, outputs = self.shape[0], int(rng.integers(2, 8))
        if rng.random() < 0.4:
            self.matmul(outputs)
            return self.h
        attrs: dict[str, object] = {"alpha": float(rng.choice([1.0, 0.5, 0.3]))}
        if inputs > 256:  # onnxruntime rounds each block of 256 inputs: keep them exact
            attrs["alpha"] = 0.5
        transposed = rng.random() < 0.5
        w = bipolar(rng, (outputs, inputs) if transposed else (inputs, outputs))
        names = [self.h, self.g.const(w, "w")]
        if rng.random() < 0.6:
            names.append(self.g.const(rng.normal(0, 2, outputs).astype(np.float32), "c"))
            attrs["beta"] = float(rng.choice([1.0, 2.0, 0.7]))
            if inputs > 256:
                attrs["beta"] = 0.25
                names[-1] = self.g.const(np.round(rng.normal(0, 2, outputs)).astype(np.float32))
        return self.g.node("Gemm", names, transB=int(transposed), **attrs)


def _ceil_mode_agrees(size: tuple[int, int], kernel: tuple[int, int], strides: object,
                      pads: list[int]) -> bool:
    """Whether ONNX's shape inference and onnxruntime agree on a ceil-mode pool: onnxruntime
    (like PyTorch) drops a last window that starts in the bottom or right padding."""
    assert isinstance(strides, list)
    for axis in range(2):
        extent = size[axis] + pads[axis] + pads[axis + 2] - kernel[axis]
        last = -(-extent // strides[axis])
        if last * strides[axis] >= size[axis] + pads[axis]:
            return False
    return True


def mixed_networks() -> st.SearchStrategy[tuple[onnx.ModelProto, np.ndarray, str]]:
    """Hypothesis strategy of (model, x, input kind) from `mixed_network` with a drawn seed."""

    @st.composite
    def networks(draw: st.DrawFn) -> tuple[onnx.ModelProto, np.ndarray, str]:
        kind = draw(st.sampled_from(["ui8", "bipolar"]))
        model, x = mixed_network(np.random.default_rng(draw(st.integers(0, 2**32 - 1))), kind)
        return model, x, kind

    return networks()


# ===----------------------------------------------------------------------=== #
# Multi-bit weights: the structure of the QONNX model zoo's UNSW-NB15 w2a2 and KWS w3a3 MLPs
# ===----------------------------------------------------------------------=== #

BREVITAS_DOMAIN = "onnx.brevitas"


def _weight_quant(g: Graph, w: np.ndarray, scale: np.ndarray | float, bits: int,
                  narrow: bool = True) -> str:
    """Float weights behind a signed QONNX Quant (Brevitas' export: domain onnx.brevitas)."""
    args = [g.const(w.astype(np.float32), "w"), g.const(np.asarray(scale, np.float32), "s"),
            g.const(np.float32(0), "z"), g.const(np.float32(bits), "b")]
    return g.node("Quant", args, domain=BREVITAS_DOMAIN, signed=1, narrow=int(narrow),
                  rounding_mode="ROUND")


def _act_quant(g: Graph, x: str, scale: float, bits: int, signed: bool = False,
               narrow: bool = False) -> str:
    args = [x, g.const(np.float32(scale), "s"), g.const(np.float32(0), "z"),
            g.const(np.float32(bits), "b")]
    return g.node("Quant", args, domain=BREVITAS_DOMAIN, signed=int(signed), narrow=int(narrow),
                  rounding_mode="ROUND")


def _quantized(w: np.ndarray, scale: np.ndarray | float, bits: int) -> np.ndarray:
    """What a narrow signed Quant makes of w (ROUND = half to even), for fitting batch norms."""
    top = (1 << (bits - 1)) - 1
    return np.round(np.clip(w / scale, -top, top)) * scale


def _fitted_bn(g: Graph, h: np.ndarray) -> tuple[BatchNorm, np.ndarray]:
    """A batch norm centring the sample pre-activations h [rows, C] (mixed-sign gamma), and its
    output on them."""
    mean, std = h.mean(axis=0), h.std(axis=0) + 1e-3
    gamma = g.rng.uniform(0.5, 1.5, mean.shape) * g.rng.choice([-1.0, 1.0], mean.shape, p=[.2, .8])
    beta = g.rng.uniform(0.0, 1.0, mean.shape)
    bn = BatchNorm(gamma.astype(np.float32), beta.astype(np.float32), mean.astype(np.float32),
                   (std * std).astype(np.float32), 1e-5)
    return bn, (h - mean) / std * gamma + beta


def unsw_nb15_like(rng: np.random.Generator, rows: int = 8) -> Built:
    """The zoo's UNSW-NB15 MLP w2a2 (models/UNSW_NB15/unsw_nb15_mlp_w2a2), random weights: a ±1
    input [1, 600] → Add 1 → Div 2 → four Gemm (transB, bias) with weights behind 2-bit narrow
    signed Quants (one scale per tensor: ternary), 600-64-64-64-1, each hidden one followed by
    BatchNormalization, Relu and an unsigned Quant (8 bits after the first layer, then 2), and a
    BipolarQuant of the last. Opset 14, Brevitas' onnx.brevitas domain, fixed batch 1."""
    g = Graph(rng)
    sample = bipolar(rng, (256, 600))
    h_name = g.node("Div", [g.node("Add", ["x", g.const(np.float32([1.0]))]),
                            g.const(np.float32(2.0))])
    h = (sample + 1) / 2
    for layer, (n_in, n_out) in enumerate([(600, 64), (64, 64), (64, 64), (64, 1)]):
        w = rng.normal(0, 1.0, (n_out, n_in)).astype(np.float32)
        scale = np.float32(rng.uniform(0.5, 30.0))
        bias = rng.normal(0, 1.0, n_out).astype(np.float32)
        a_name = g.node("Gemm", [h_name, _weight_quant(g, w * scale, scale, 2),
                                 g.const(bias, "bias")], transB=1)
        a = h @ _quantized(w * scale, scale, 2).T + bias
        if layer == 3:
            y = g.node("BipolarQuant", [a_name, g.const(np.float32(1.0), "s")],
                       domain=BREVITAS_DOMAIN)
            break
        bn, z = _fitted_bn(g, a)
        bits = 8 if layer == 0 else 2
        act_scale = float(np.quantile(np.maximum(z, 0), 0.9)) / ((1 << bits) - 1) + 1e-3
        h_name = _act_quant(g, g.node("Relu", [g.batch_norm(a_name, bn)]), act_scale, bits)
        h = np.clip(np.round(np.maximum(z, 0) / act_scale), 0, (1 << bits) - 1) * act_scale
    model = _fixed_batch_model(g, [1, 600], y, [1, 1], 14)
    return model, bipolar(rng, (rows, 600))


def kws_like(rng: np.random.Generator, rows: int = 8, hidden_output: bool = False) -> Built:
    """The zoo's KWS MLP w3a3 (models/GSCV2/kwsmlp_w3a3), random weights: a float input
    [1, 1, 10, 49] → 8-bit narrow signed Quant (scale 0.83) → Flatten → four MatMul with weights
    [out, in] behind 3-bit narrow signed Quants and a Transpose, 490-256-256-256-12 (a scale per
    output channel, then one for the last), each hidden one followed by BatchNormalization, Relu
    and a 3-bit unsigned Quant (scale 1/7). The logits are float; with `hidden_output` the graph
    ends at the last hidden activation instead. Opset 11, onnx.brevitas, fixed batch 1."""
    g = Graph(rng)
    sample = rng.normal(0, 30, (256, 490)).astype(np.float32)
    h_name = g.node("Flatten", [_act_quant(g, "x", 0.8298503756523132, 8, True, True)], axis=1)
    h = np.clip(np.round(sample / 0.83), -127, 127) * 0.83
    sizes = [(490, 256), (256, 256), (256, 256), (256, 12)]
    for layer, (n_in, n_out) in enumerate(sizes):
        last = layer == len(sizes) - 1
        w = rng.normal(0, 1.0, (n_out, n_in)).astype(np.float32)
        scale = (np.float32(rng.uniform(0.04, 0.09)) if last else
                 rng.uniform(0.04, 0.09, (n_out, 1)).astype(np.float32))
        wq = _weight_quant(g, w * scale, scale, 3)
        a_name = g.node("MatMul", [h_name, g.node("Transpose", [wq], perm=[1, 0])])
        if last:
            break
        bn, z = _fitted_bn(g, h @ _quantized(w * scale, scale, 3).T)
        h_name = _act_quant(g, g.node("Relu", [g.batch_norm(a_name, bn)]), 0.1428571492433548, 3)
        h = np.clip(np.round(np.maximum(z, 0) / 0.1428571492433548), 0, 7) * 0.1428571492433548
        if hidden_output and layer == len(sizes) - 2:
            model = _fixed_batch_model(g, [1, 1, 10, 49], h_name, [1, 256], 11)
            return model, _kws_input(rng, rows)
    model = _fixed_batch_model(g, [1, 1, 10, 49], a_name, [1, 12], 11)
    return model, _kws_input(rng, rows)


def _kws_input(rng: np.random.Generator, rows: int) -> np.ndarray:
    return rng.normal(0, 30, (rows, 1, 10, 49)).astype(np.float32)


def _fixed_batch_model(g: Graph, x_shape: list[int], y: str, y_shape: list[int],
                       opset: int) -> onnx.ModelProto:
    graph = helper.make_graph(
        g.nodes, "bnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT, y_shape)], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid(BREVITAS_DOMAIN, 1)],
                              producer_name="bnnir-tests")
    model.ir_version = IR_VERSION
    return model


# -- random QONNX networks mixing weight and activation widths ------------------


def _np_conv(x: np.ndarray, w: np.ndarray, pad: int) -> np.ndarray:
    """A float64 reference conv (NCHW, stride 1, zero padding) to fit batch norms with."""
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(2, 3))
    return np.einsum("nchwyx,ocyx->nohw", windows, w)


def _np_quant(x: np.ndarray, scale: float, bits: int, signed: bool, narrow: bool) -> np.ndarray:
    if bits == 1:
        return np.where(x >= 0, scale, -scale)
    low = (-(1 << (bits - 1)) + int(narrow)) if signed else 0
    high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1 - int(narrow)
    return np.round(np.clip(x / scale, low, high)) * scale


POWER_OF_TWO_SCALES = (0.25, 0.5, 1.0, 2.0)
"""Scales whose products and sums stay exact in float32, so that logits match bit for bit."""


def random_qnn(rng: np.random.Generator, weight_bits: tuple[int, ...],
               act_bits: tuple[int, ...], conv: bool = True, pad: int = 1,
               batch: int = 4) -> Built:
    """A random Brevitas-style QONNX network mixing weight and activation widths: a ±1 input
    [N, 3, 6, 6] (BipolarQuant), then one layer per entry of `weight_bits` (3×3 convs with
    `pad`, four channels, while `conv`; then Flatten and MatMuls of 12 outputs; the last one to
    5 logits), each but the last followed by BatchNormalization and the activation of the same
    entry of `act_bits` (1: BipolarQuant; else a Quant of that many bits, unsigned after a Relu
    or signed, narrow or not). Weights of 1 bit sit behind BipolarQuant, wider ones behind a
    signed Quant (narrow or not, one scale or one per output channel); scales are powers of two,
    so every float sum is exact."""
    g = Graph(rng)
    x = bipolar(rng, (batch, 3, 6, 6))
    h_name, h = _bipolar_quant(g, "x"), x.astype(np.float64)
    layers = len(weight_bits)
    for layer, (w_bits, a_bits) in enumerate(zip(weight_bits, act_bits, strict=True)):
        last = layer == layers - 1
        dense = not conv or last or h.ndim == 2 or h.shape[2] + 2 * pad < 3
        if dense and h.ndim == 4:
            h_name, h = g.node("Flatten", [h_name], axis=1), h.reshape(len(h), -1)
        n_out = 5 if last else (12 if dense else 4)
        shape = (n_out, h.shape[1]) if dense else (n_out, h.shape[1], 3, 3)
        w = rng.normal(0, 1.5, shape)
        per_channel = w_bits > 1 and rng.random() < 0.5
        scale = (rng.choice(POWER_OF_TWO_SCALES, (n_out,) + (1,) * (len(shape) - 1))
                 if per_channel else np.float32(rng.choice(POWER_OF_TWO_SCALES)))
        w = w * scale
        narrow = bool(rng.random() < 0.5)
        if w_bits == 1:
            w_name = _bipolar_quant(g, g.const(w.astype(np.float32), "w"), float(scale))
        else:
            w_name = _weight_quant(g, w, scale, w_bits, narrow)
        wq = _np_quant(w, scale, w_bits, True, narrow)
        if dense:
            h_name = g.node("MatMul", [h_name, g.node("Transpose", [w_name], perm=[1, 0])])
            a = h @ wq.T
        else:
            h_name = g.node("Conv", [h_name, w_name], pads=[pad] * 4, kernel_shape=[3, 3])
            a = _np_conv(h, wq, pad)
        if last:
            break
        bn, z = _fitted_bn(g, np.moveaxis(a, 1, -1).reshape(-1, n_out))
        z = np.moveaxis(z.reshape(np.moveaxis(a, 1, -1).shape), -1, 1)
        h_name = g.batch_norm(h_name, bn)
        if a_bits == 1:
            h_name, h = _bipolar_quant(g, h_name), np.where(z >= 0, 1.0, -1.0)
            continue
        relu = bool(rng.random() < 0.5)
        signed, act_narrow = not relu, bool(rng.random() < 0.5)
        act_scale = float(rng.choice(POWER_OF_TWO_SCALES)) / (1 << max(a_bits - 3, 0))
        if relu:
            h_name, z = g.node("Relu", [h_name]), np.maximum(z, 0)
        args = [h_name, g.const(np.float32(act_scale), "s"), g.const(np.float32(0), "z"),
                g.const(np.float32(a_bits), "b")]
        h_name = g.node("Quant", args, domain=QONNX_DOMAIN, signed=int(signed),
                        narrow=int(act_narrow), rounding_mode="ROUND")
        h = _np_quant(z, act_scale, a_bits, signed, act_narrow)
    model = g.model(["N", 3, 6, 6], h_name, ["N", 5], domains=(QONNX_DOMAIN, BREVITAS_DOMAIN))
    return model, x
