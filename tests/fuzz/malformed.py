"""Malformed inputs for the four tools, mutated from good ones by a seeded generator.

The good inputs (`Seeds`) are the bundled example network (bnnir/examples/tiny_cnv.onnx), its
input batch, the .mlir module after each stage of the flow, and a folding file. A case is one
mutation of one of them, or of a command line or pass option, and the tool run that reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.context import Context

EXAMPLES = Path(__file__).resolve().parents[2] / "bnnir" / "examples"

EXTREMES = ["0", "-1", "1", "2", "3", "-0.0", "1e-300", "1e303", "1e308", "1e400", "nan", "inf",
            "-inf", "4611686018427387904", "9223372036854775808", "18446744073709551616",
            "0x7FC00000", "1.5", "", "abc", "-9223372036854775809", "65536", "7"]


@dataclass(frozen=True)
class Case:
    kind: str  # what was mutated
    tool: str
    args: list[str]
    files: dict[str, bytes]  # written into the case's folder before the run


class Seeds:
    """The good inputs, made once per campaign in `folder`."""

    def __init__(self, folder: Path):
        from bnnir.frontend.onnx import import_onnx
        from bnnir.passes.bnn_to_hwstream import BnnToHwstream
        from bnnir.passes.fold import Fold
        from bnnir.passes.legalize_padding import LegalizePadding
        from bnnir.passes.size_fifos import SizeFifos
        from bnnir.passes.threshold_fusion import ThresholdFusion
        from bnnir.tools.cli import print_module

        self.onnx = (EXAMPLES / "tiny_cnv.onnx").read_bytes()
        self.npy = (EXAMPLES / "tiny_cnv_input.npy").read_bytes()
        module = import_onnx(EXAMPLES / "tiny_cnv.onnx", "ui8")
        self.mlir = {"imported": print_module(module)}
        stages: list[tuple[str, Callable[[], object]]] = [
            ("hardware", lambda: [p.apply(Context(), module)
                                  for p in (ThresholdFusion(), LegalizePadding("exact"))]),
            ("folded", lambda: Fold(target_fps=20000, clock_mhz=100).apply(Context(), module)),
            ("streaming", lambda: [p.apply(Context(), module)
                                   for p in (BnnToHwstream(), SizeFifos())]),
        ]
        for name, step in stages:
            step()
            self.mlir[name] = print_module(module)
        layers = re.findall(r'layer = "([^"]+)"', self.mlir["folded"])
        self.layers = sorted(set(layers)) or ["conv1"]
        self.folding = json.dumps({self.layers[0]: {"pe": 1, "simd": 1}}).encode()
        folder.mkdir(parents=True, exist_ok=True)


# ===----------------------------------------------------------------------=== #
# Mutations
# ===----------------------------------------------------------------------=== #


def mutate_text(rng: np.random.Generator, text: str) -> str:
    """One to three edits of an .mlir text: cut, delete, duplicate or swap lines, replace a
    number by an extreme, drop a quote or bracket, rename a value, change a type, add bytes."""
    for _ in range(int(rng.integers(1, 4))):
        text = _EDITS[int(rng.integers(len(_EDITS)))](rng, text)
    return text


def _cut(rng: np.random.Generator, text: str) -> str:
    return text[: int(rng.integers(0, max(1, len(text))))]


def _lines(rng: np.random.Generator, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i, j = sorted(int(k) for k in rng.integers(0, len(lines), 2))
    match int(rng.integers(3)):
        case 0:
            del lines[i]
        case 1:
            lines.insert(j, lines[i])
        case _:
            lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _number(rng: np.random.Generator, text: str) -> str:
    numbers = list(re.finditer(r"-?\b\d+(\.\d+)?(e[+-]?\d+)?\b", text))
    if not numbers:
        return text
    m = numbers[int(rng.integers(len(numbers)))]
    return text[: m.start()] + str(rng.choice(EXTREMES)) + text[m.end():]


def _delimiter(rng: np.random.Generator, text: str) -> str:
    spots = [m.start() for m in re.finditer(r'["<>{}()\[\],:=]', text)]
    if not spots:
        return text
    at = spots[int(rng.integers(len(spots)))]
    return text[:at] + text[at + 1:]


def _value(rng: np.random.Generator, text: str) -> str:
    names = sorted(set(re.findall(r"%[\w.$-]+", text)))
    if len(names) < 2:
        return text
    a, b = (names[int(k)] for k in rng.integers(0, len(names), 2))
    return re.sub(re.escape(a) + r"\b", b, text, count=int(rng.integers(1, 3)))


def _type(rng: np.random.Generator, text: str) -> str:
    types = list(re.finditer(r"\b[su]?i\d+\b|\bf(16|32|64)\b|\d+x", text))
    if not types:
        return text
    m = types[int(rng.integers(len(types)))]
    new = str(rng.choice(["i1", "i2", "si32", "ui8", "f32", "f64", "i64", "0x", "3x", "index"]))
    return text[: m.start()] + new + text[m.end():]


def _bytes(rng: np.random.Generator, text: str) -> str:
    at = int(rng.integers(0, len(text) + 1))
    junk = str(rng.choice(['"', "\\", "\x00", "\ufeff", "}", "{", "%", "^bb1:", "// -----",
                           '"0xAB', "dense<", "#", "!", "@"]))
    return text[:at] + junk + text[at:]


_EDITS = [_cut, _lines, _number, _number, _delimiter, _value, _type, _bytes]


def mutate_onnx(rng: np.random.Generator, data: bytes) -> bytes:
    """Either damaged bytes, or a parseable model with a damaged attribute, initializer, shape
    or type."""
    if rng.random() < 0.3:
        raw = bytearray(data[: int(rng.integers(1, len(data) + 1))])
        for _ in range(int(rng.integers(0, 4))):
            raw[int(rng.integers(len(raw)))] ^= int(rng.integers(1, 256))
        return bytes(raw)
    model = onnx.ModelProto.FromString(data)
    graph = model.graph
    match int(rng.integers(5)):
        case 0:  # an attribute
            node = graph.node[int(rng.integers(len(graph.node)))]
            if node.attribute:
                attr = node.attribute[int(rng.integers(len(node.attribute)))]
                if attr.ints:
                    attr.ints[int(rng.integers(len(attr.ints)))] = int(rng.choice(
                        [-1, 0, 7, 2**31, 2**62]))
                elif attr.type == onnx.AttributeProto.INT:
                    attr.i = int(rng.choice([-1, 0, 5, 2**40]))
                elif attr.type == onnx.AttributeProto.FLOAT:
                    attr.f = float(rng.choice([0.0, -1.0, np.nan, np.inf, 1e30]))
        case 1:  # an initializer's values or shape
            init = graph.initializer[int(rng.integers(len(graph.initializer)))]
            values = numpy_helper.to_array(init).copy()
            if values.size and rng.random() < 0.6:
                flat = values.reshape(-1)
                flat[int(rng.integers(flat.size))] = rng.choice([np.nan, np.inf, 0, -1, 1e30]) \
                    if values.dtype.kind == "f" else int(rng.choice([0, -1, 2**20]))
                init.CopyFrom(numpy_helper.from_array(values, init.name))
            elif init.dims:
                init.dims[int(rng.integers(len(init.dims)))] += int(rng.choice([-1, 1]))
        case 2:  # a node's inputs
            node = graph.node[int(rng.integers(len(graph.node)))]
            if node.input and rng.random() < 0.5:
                del node.input[int(rng.integers(len(node.input)))]
            else:
                node.input.append(str(rng.choice(["x", "nothing", ""])))
        case 3:  # the graph input's type or shape
            tensor = graph.input[0].type.tensor_type
            if rng.random() < 0.5:
                tensor.elem_type = int(rng.choice([0, 2, 6, 7, 9, 10, 11, 999]))
            elif tensor.shape.dim:
                tensor.shape.dim[int(rng.integers(len(tensor.shape.dim)))].dim_value = \
                    int(rng.choice([0, 1, 5, 2**40]))
        case _:  # a node's type or domain
            node = graph.node[int(rng.integers(len(graph.node)))]
            if rng.random() < 0.5:
                node.op_type = str(rng.choice(["Relu", "Sign", "Conv", "MaxPool", "Identity",
                                               "Foo"]))
            else:
                node.domain = str(rng.choice(["qonnx.custom_op.general", "finn", "ai.onnx.ml"]))
    return model.SerializeToString()


def mutate_npy(rng: np.random.Generator, good: bytes, shape: tuple[int, ...]) -> bytes:
    """A batch of the wrong shape, dtype or values, or damaged .npy bytes."""
    import io

    match int(rng.integers(5)):
        case 0:
            raw = bytearray(good[: int(rng.integers(0, len(good) + 1))])
            if raw and rng.random() < 0.5:
                raw[int(rng.integers(len(raw)))] ^= 0xFF
            return bytes(raw)
        case 1:
            dims = [int(d) for d in rng.integers(0, 10, int(rng.integers(0, 6)))]
            x = rng.integers(0, 256, dims).astype(np.float32)
        case 2:
            dtype = rng.choice(["bool", "int8", "uint8", "int64", "float16", "float64",
                                "complex64", "U3"])
            x = rng.integers(0, 256, shape).astype(str(dtype))
        case 3:
            x = rng.integers(0, 256, shape).astype(np.float32)
            x.reshape(-1)[int(rng.integers(x.size))] = rng.choice(
                [np.nan, np.inf, -np.inf, -1.0, 256.0, 0.5, -0.0, 1e30])
        case _:
            x = np.zeros((0, *shape[1:]), np.float32) if rng.random() < 0.5 else \
                rng.integers(0, 256, (int(rng.integers(1, 6)), *shape[1:])).astype(np.float32)
    out = io.BytesIO()
    np.save(out, x, allow_pickle=False)
    return out.getvalue()


def mutate_json(rng: np.random.Generator, seeds: Seeds) -> bytes:
    layer = str(rng.choice([*seeds.layers, "nothing", ""]))
    value = rng.choice([1, 0, -1, 3, 7, 2**40, 1.5, "4", None, "nan"])
    key = str(rng.choice(["pe", "simd", "PE", "SIMD", "window_simd", "bogus"]))
    entry: object = {key: value.item() if hasattr(value, "item") else value}
    match int(rng.integers(4)):
        case 0:
            return json.dumps({layer: entry}).encode()
        case 1:
            return json.dumps([layer, entry]).encode()
        case 2:
            return seeds.folding[: int(rng.integers(0, len(seeds.folding)))]
        case _:
            return json.dumps({layer: {"pe": 1, "simd": 1}, "Defaults": {}}).encode()


def pass_option(rng: np.random.Generator) -> str:
    """A pass with random (often out-of-range) options."""
    value = lambda: str(rng.choice(EXTREMES))  # noqa: E731
    match int(rng.integers(5)):
        case 0:
            return f"bnn-fold{{target-fps={value()} clock-mhz={value()}}}"
        case 1:
            return f"bnn-fold{{max-luts={value()} clock-mhz=100}}"
        case 2:
            return f"bnn-fold{{part={rng.choice(['xcku115', 'nope', ''])} clock-mhz={value()}}}"
        case 3:
            return f"hwstream-size-fifos{{min-depth={value()}}}"
        case _:
            return f"bnn-legalize-padding{{mode={rng.choice(['exact', 'minus-one', 'zero', ''])}}}"


# ===----------------------------------------------------------------------=== #
# Cases
# ===----------------------------------------------------------------------=== #


def make_case(rng: np.random.Generator, seeds: Seeds) -> Case:
    """One malformed input and the tool run reading it."""
    kind = str(rng.choice(["mlir", "mlir", "mlir", "onnx", "npy", "options", "pass-options",
                           "folding-file"]))
    batch = np.load(EXAMPLES / "tiny_cnv_input.npy")
    good_npy = {"x.npy": seeds.npy}
    if kind == "mlir":
        stage = str(rng.choice(list(seeds.mlir)))
        text = mutate_text(rng, seeds.mlir[stage]).encode("utf-8", "surrogatepass")
        runs = {"imported": [("bnn-opt", ["-p", "bnn-threshold-fusion,bnn-legalize-padding"]),
                             ("bnn-run", ["--input", "x.npy"])],
                "hardware": [("bnn-opt", ["-p", "bnn-fold{target-fps=20000 clock-mhz=100}"]),
                             ("bnn-run", ["--input", "x.npy"])],
                "folded": [("bnn-opt", ["-p", "bnn-to-hwstream,hwstream-size-fifos"]),
                           ("bnn-translate", ["--emit-report"])],
                "streaming": [("bnn-run", ["--input", "x.npy", "--cycles"]),
                              ("bnn-translate", ["--emit-hls"]),
                              ("bnn-translate", ["--emit-report", "--format", "json"])]}[stage]
        tool, args = runs[int(rng.integers(len(runs)))]
        return Case(f"mlir ({stage})", tool, ["in.mlir", *args], {"in.mlir": text, **good_npy})
    if kind == "onnx":
        data = mutate_onnx(rng, seeds.onnx)
        if rng.random() < 0.7:
            return Case("onnx", "bnn-translate", ["--import-onnx", "m.onnx", "--input-type",
                                                  "ui8"], {"m.onnx": data})
        return Case("onnx", "bnn-compile", ["m.onnx", "-o", "build", "--input-type", "ui8",
                                            "--target-fps", "20000", "--clock-mhz", "100"],
                    {"m.onnx": data})
    if kind == "npy":
        data = mutate_npy(rng, seeds.npy, batch.shape)
        stage = str(rng.choice(["imported", "streaming"]))
        return Case("npy", "bnn-run", ["in.mlir", "--input", "x.npy"],
                    {"in.mlir": seeds.mlir[stage].encode(), "x.npy": data})
    if kind == "folding-file":
        data = mutate_json(rng, seeds)
        if rng.random() < 0.5:
            return Case("folding file", "bnn-opt",
                        ["in.mlir", "-p", "bnn-fold{folding-file=f.json clock-mhz=100}"],
                        {"in.mlir": seeds.mlir["hardware"].encode(), "f.json": data})
        return Case("folding file", "bnn-compile",
                    ["m.onnx", "-o", "build", "--input-type", "ui8", "--folding-file", "f.json"],
                    {"m.onnx": seeds.onnx, "f.json": data})
    if kind == "pass-options":
        stage = "streaming" if rng.random() < 0.3 else "hardware"
        return Case("pass options", "bnn-opt", ["in.mlir", "-p", pass_option(rng)],
                    {"in.mlir": seeds.mlir[stage].encode()})
    return _options_case(rng, seeds)


def _options_case(rng: np.random.Generator, seeds: Seeds) -> Case:
    value = lambda: str(rng.choice(EXTREMES))  # noqa: E731
    files = {"m.onnx": seeds.onnx, "x.npy": seeds.npy,
             "in.mlir": seeds.mlir["streaming"].encode()}
    choices = [
        ("bnn-compile", ["m.onnx", "-o", "build", "--input-type", "ui8", "--target-fps", value(),
                         "--clock-mhz", value()]),
        ("bnn-compile", ["m.onnx", "-o", "build", "--input-type", "ui8", "--max-luts", value()]),
        ("bnn-compile", ["m.onnx", "-o", str(rng.choice(["m.onnx", "x.npy/b", ""])),
                         "--input-type", "ui8", "--target-fps", "1000"]),
        ("bnn-compile", ["m.onnx", "-o", "build", "--input-type",
                         str(rng.choice(["ui8", "bipolar", "binary", "si8", "f32"])),
                         "--target-fps", "1000", "--verify", "x.npy"]),
        ("bnn-translate", ["--import-onnx", str(rng.choice(["m.onnx", "x.npy", "in.mlir",
                                                            "none.onnx"])),
                           "--input-type", str(rng.choice(["ui8", "bipolar", "x"]))]),
        ("bnn-translate", ["in.mlir", str(rng.choice(["--emit-report", "--emit-hls"])),
                           "--format", str(rng.choice(["text", "json", "xml"]))]),
        ("bnn-run", ["in.mlir", "--input", str(rng.choice(["x.npy", "m.onnx", "in.mlir"])),
                     "--engine", str(rng.choice(["interp", "csim", "verilator"]))]),
        ("bnn-run", ["in.mlir", "--input", "x.npy", "-o", str(rng.choice(["in.mlir/y.npy",
                                                                          ".", "y.npy"]))]),
        ("bnn-opt", ["in.mlir", "--pass-pipeline",
                     str(rng.choice(["builtin.module(", "builtin.module(cse)", "(", "x{y=z}"]))]),
    ]
    tool, args = choices[int(rng.integers(len(choices)))]
    return Case("options", tool, args, files)
