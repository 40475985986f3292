"""Random plain-ONNX BNNs compared with onnxruntime after every compiler stage.

The generator is broader than tests/models.py's: see the package docstring for what it draws.
Sign ties are intended (batch norms are fitted to the accumulators), so the reference is
onnxruntime on `models.with_bnn_sign(model)`, bnn.sign's convention (0 -> +1, the contract).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto
from xdsl.context import Context

import models
from bnnir.diagnostics import BnnirError

INPUT_KINDS = ("ui8", "si8", "bipolar", "binary", "uint8-cast")

STAGES = ("import", "fusion", "padding", "streaming")


@dataclass
class Network:
    """A generated network: the model, its input batch, the --input-type it needs, and what
    it was drawn with (for the reproducer)."""

    model: onnx.ModelProto
    x: np.ndarray
    input_type: str | None
    features: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    g: models.Graph
    x: np.ndarray
    rng: np.random.Generator
    h: str = "x"
    bipolar: bool = False  # the current map is ±1 (else integer levels of the input)
    stats: tuple[float, float] = models.UI8_STATS
    features: list[str] = field(default_factory=list)

    def shape(self) -> tuple[int, ...]:
        """The current tensor's shape, from onnxruntime (pools with ceil_mode and auto_pad make
        it subtle)."""
        probe = self.g.model(list(self.x.shape), self.h, None)
        probe.graph.input[0].type.tensor_type.elem_type = _elem_type(self.x)
        return models.ort_run(probe, self.x).shape

    def conv(self) -> None:
        rng = self.rng
        c, h, w = self.shape()[1:]
        kh, kw = int(rng.integers(1, min(5, h) + 1)), int(rng.integers(1, min(5, w) + 1))
        if rng.random() < 0.5:
            kw = kh if kh <= w else kw
        cout = int(rng.choice([1, 2, 3, 5, 7, 8, 9]))
        weights = models.bipolar(rng, (cout, c, kh, kw))
        attrs: dict[str, object] = {"kernel_shape": [kh, kw]}
        strides = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        if rng.random() < 0.2:
            attrs["auto_pad"] = str(rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID"]))
            self.features.append(f"auto_pad={attrs['auto_pad']}")
        else:
            pads = [int(p) for p in rng.integers(0, 3, 4)]
            pads = [min(p, k - 1) for p, k in zip(pads, [kh, kw, kh, kw], strict=True)]
            attrs["pads"] = pads
        if (h - kh) < 0 or (w - kw) < 0:
            strides = [1, 1]
        attrs["strides"] = strides
        self.features.append(f"conv {kh}x{kw}/{strides} {attrs.get('pads', '')}->{cout}")
        fan_in = c * kh * kw
        center, spread = models.acc_stats(weights.reshape(cout, -1).sum(1), fan_in, self.stats)
        y = self.g.node("Conv", [self.h, self.g.const(weights, "w")], **attrs)
        bn = models.bn_params(rng, center, max(spread, 1.0), zero_gamma=rng.random() < 0.1)
        self.h = self.g.sign(self.g.batch_norm(y, bn))
        self.bipolar, self.stats = True, models.BIPOLAR_STATS

    def after_sign(self) -> None:
        """Maybe Neg, a pool, an explicit zero Pad of the (Sign+1)/2 map."""
        rng = self.rng
        if rng.random() < 0.1:
            self.h = self.g.node("Neg", [self.h])
            self.features.append("Neg")
        if rng.random() < 0.5:
            self.pool()
        if rng.random() < 0.1:
            half = self.g.node("Mul", [self.g.node("Add", [self.h, self.g.const(np.float32(1))]),
                                       self.g.const(np.float32(0.5))])
            pads = [0, 0, *(int(p) for p in rng.integers(0, 2, 2)), 0, 0,
                    *(int(p) for p in rng.integers(0, 2, 2))]
            self.h = self.g.node("Pad", [half, self.g.const(np.array(pads, np.int64), "pads")],
                                 mode="constant")
            self.bipolar, self.stats = False, (0.5, 0.5)
            self.features.append(f"Pad(Sign+1)/2 {pads}")

    def pool(self) -> None:
        rng = self.rng
        h, w = self.shape()[2:]
        kh, kw = int(rng.integers(1, min(3, h) + 1)), int(rng.integers(1, min(3, w) + 1))
        strides = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        pads = [int(rng.integers(0, k)) if rng.random() < 0.3 else 0 for k in (kh, kw, kh, kw)]
        ceil = int(rng.random() < 0.3)
        self.h = self.g.node("MaxPool", [self.h], kernel_shape=[kh, kw], strides=strides,
                             pads=pads, ceil_mode=ceil)
        self.features.append(f"MaxPool {kh}x{kw}/{strides} {pads} ceil={ceil}")

    def dense(self, classes: int) -> None:
        rng = self.rng
        features = int(np.prod(self.shape()[1:]))
        w = models.bipolar(rng, (features, classes))
        if rng.random() < 0.5:
            self.h = self.g.matmul(self.h, w)
            self.features.append(f"MatMul {features}->{classes}")
            return
        trans_b = int(rng.random() < 0.5)
        alpha = float(rng.choice([1.0, 0.5, 2.0, 0.25]))
        beta = float(rng.choice([1.0, 0.5, 0.0, 3.0]))
        inputs = [self.h, self.g.const(w.T.copy() if trans_b else w, "w")]
        if rng.random() < 0.7:
            inputs.append(self.g.const(rng.integers(-4, 5, classes).astype(np.float32), "c"))
        self.h = self.g.node("Gemm", inputs, transB=trans_b, alpha=alpha, beta=beta)
        self.features.append(f"Gemm transB={trans_b} alpha={alpha} beta={beta} "
                             f"C={len(inputs) == 3}")


def _elem_type(x: np.ndarray) -> int:
    return TensorProto.UINT8 if x.dtype == np.uint8 else TensorProto.FLOAT


def _input(rng: np.random.Generator, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    if kind in ("ui8", "uint8-cast"):
        x = rng.integers(0, 256, shape)
    elif kind == "si8":
        x = rng.integers(-128, 128, shape)
    elif kind == "binary":
        x = rng.integers(0, 2, shape)
    else:
        x = rng.integers(0, 2, shape) * 2 - 1
    return x.astype(np.uint8 if kind == "uint8-cast" else np.float32)


def random_network(seed: int) -> Network:
    rng = np.random.default_rng(seed)
    kind = str(rng.choice(INPUT_KINDS))
    batch, channels = int(rng.integers(1, 6)), int(rng.choice([1, 2, 3, 5]))
    height = int(rng.integers(3, 12))
    width = height if rng.random() < 0.7 else int(rng.integers(3, 12))
    x = _input(rng, kind, (batch, channels, height, width))
    g = models.Graph(rng)
    stats = {"ui8": models.UI8_STATS, "uint8-cast": models.UI8_STATS, "si8": (0.0, 74.0),
             "binary": (0.5, 0.5), "bipolar": models.BIPOLAR_STATS}[kind]
    net = _Builder(g, x, rng, stats=stats, features=[f"input {kind} {x.shape}"])
    if kind == "uint8-cast":
        net.h = g.node("Cast", ["x"], to=TensorProto.FLOAT)
    for _ in range(int(rng.integers(1, 4))):
        if min(net.shape()[2:]) < 1:
            break
        net.conv()
        net.after_sign()
    net.h = g.node("Flatten", [net.h], axis=1)
    if rng.random() < 0.3:
        hidden = int(rng.integers(2, 12))
        features = int(np.prod(net.shape()[1:]))
        w = models.bipolar(rng, (features, hidden))
        net.h = g.sign(g.dense_bn(net.h, w, net.stats))
        net.stats = models.BIPOLAR_STATS
        net.features.append(f"dense {features}->{hidden}")
    net.dense(int(rng.integers(2, 11)))
    model = g.model(["N", channels, height, width], net.h, ["N", None])
    model.graph.input[0].type.tensor_type.elem_type = _elem_type(x)
    input_type = None if kind == "uint8-cast" else kind
    return Network(model, x, input_type, net.features)


# ===----------------------------------------------------------------------=== #
# The differential check
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Verdict:
    outcome: str  # one of campaign.NETWORK_OUTCOMES
    stage: str
    detail: str


def same_bits(a: np.ndarray, b: np.ndarray) -> str | None:
    """None if equal bit for bit, else what differs."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return f"{a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}"
    if a.dtype.kind == "f":
        differ = a.view(f"u{a.itemsize}") != b.view(f"u{b.itemsize}")
    else:
        differ = a != b
    if not differ.any():
        return None
    first = tuple(int(i) for i in np.argwhere(differ)[0])
    zeros = a.dtype.kind == "f" and bool(np.all((a[differ] == 0) & (b[differ] == 0)))
    return ("signed zero: " if zeros else "") + \
        f"{int(differ.sum())} of {differ.size} differ, first at {first}: {a[first]!r} vs " \
        f"{b[first]!r}"


def check_network(network: Network, fold_seed: int) -> Verdict:
    """Import, fuse, legalize padding, fold at random and stream; compare each stage's output
    with onnxruntime's."""
    from bnnir.frontend.onnx import import_onnx
    from bnnir.interp import run_module
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.threshold_fusion import ThresholdFusion
    from test_hwstream_exact import fold_with

    try:
        expected = models.ort_run(models.with_bnn_sign(network.model), network.x)
    except Exception as e:  # onnxruntime refuses the draw: not a case
        return Verdict("refused", "onnxruntime", " ".join(str(e).split())[:200])
    remarks = io.StringIO()
    stage = "import"
    try:
        with contextlib.redirect_stderr(remarks):
            module = import_onnx(network.model, network.input_type)
            steps = [("import", None), ("fusion", ThresholdFusion()),
                     ("padding", LegalizePadding("exact")), ("streaming", BnnToHwstream())]
            for stage, step in steps:
                if step is not None:
                    if stage == "streaming":
                        fold_with(module, "random", np.random.default_rng(fold_seed))
                    step.apply(Context(), module)
                    module.verify()
                got = run_module(module, network.x)
                if (why := same_bits(got, expected)) is not None:
                    remarked = "remark:" in remarks.getvalue()
                    outcome = "mismatch (remarked)" if remarked else \
                        "mismatch (signed zero)" if why.startswith("signed zero") else "mismatch"
                    return Verdict(outcome, stage, why + _remark_of(remarks.getvalue()))
    except BnnirError as e:
        return Verdict("refused", stage, str(e))
    except Exception as e:
        return Verdict("internal error", stage, f"{type(e).__name__}: "
                       + " ".join(str(e).split())[:300])
    return Verdict("match", "streaming", "")


def _remark_of(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("remark:")]
    return f"; {lines[0]}" if lines else ""
