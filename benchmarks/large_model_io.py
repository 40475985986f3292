"""Time importing, printing and re-parsing a BNN with about 10 million binary weights.

Goal (issue: foundation): import + print + parse + verify in under 20 s in total. Weights travel
bit-packed, so the printed module is about 2.5 MB of hex for 10 M weights.

    python benchmarks/large_model_io.py [--weights 10000000]
"""

from __future__ import annotations

import argparse
import io
import itertools
import platform
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser
from xdsl.printer import Printer

from bnnir.dialects.bnn import Bnn
from bnnir.frontend.onnx import import_onnx

T = TypeVar("T")


def bipolar_mlp(n_weights: int, seed: int = 0) -> onnx.ModelProto:
    """A 784-input MLP of equal hidden layers with about `n_weights` ±1 weights, BN + Sign."""
    rng = np.random.default_rng(seed)
    width = 2048
    layers = max(1, round((n_weights - 784 * width) / (width * width)) + 1)
    sizes = [784] + [width] * layers + [10]
    nodes, inits, prev = [], [], "x"
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        weights = rng.choice(np.array([-1.0, 1.0], np.float32), size=(fan_in, fan_out))
        inits.append(numpy_helper.from_array(weights, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [f"a{i}"], name=f"fc{i}"))
        prev = f"a{i}"
        if i < len(sizes) - 2:
            for name, values in (("g", rng.normal(size=fan_out)), ("b", rng.normal(size=fan_out)),
                                 ("m", rng.normal(size=fan_out)), ("v", rng.random(fan_out) + 1)):
                inits.append(numpy_helper.from_array(values.astype(np.float32), f"{name}{i}"))
            nodes.append(helper.make_node("BatchNormalization",
                                          [prev, f"g{i}", f"b{i}", f"m{i}", f"v{i}"],
                                          [f"n{i}"], name=f"bn{i}"))
            nodes.append(helper.make_node("Sign", [f"n{i}"], [f"s{i}"], name=f"sign{i}"))
            prev = f"s{i}"
    graph = helper.make_graph(
        nodes, "big_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 784])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, ["N", 10])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=int, default=10_000_000)
    args = parser.parse_args()

    model = bipolar_mlp(args.weights)
    count = sum(int(np.prod(i.dims)) for i in model.graph.initializer if i.name.startswith("w"))
    print(f"model: {count / 1e6:.2f} M binary weights, {model.ByteSize() / 1e6:.1f} MB ONNX")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}")

    timings: list[tuple[str, float]] = []

    def timed(stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = fn()
        timings.append((stage, time.perf_counter() - start))
        return result

    module = timed("import", lambda: import_onnx(model, "bipolar"))
    text = timed("print", lambda: _print(module))
    ctx = Context()
    for dialect in (Builtin, Func, Bnn):
        ctx.load_dialect(dialect)
    parsed = timed("parse", lambda: Parser(ctx, text, "big.mlir").parse_module())
    timed("verify", parsed.verify)
    for stage, seconds in timings:
        print(f"{stage:>8}: {seconds:7.2f} s")
    print(f"{'total':>8}: {sum(s for _, s in timings):7.2f} s   (goal < 20 s); "
          f"printed module {len(text) / 1e6:.1f} MB")


def _print(module: ModuleOp) -> str:
    out = io.StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


if __name__ == "__main__":
    main()
