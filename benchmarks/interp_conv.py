"""Binary GMAC/s of the interpreter's conv kernel (XNOR-popcount over packed words).

The layer of daBNN's table: 3x3, 56x56x64 -> 56x56x64, pad 1, batch 1, including im2col and
packing (see the speed notes). Goal: >= 10 G binary MAC/s.

    python benchmarks/interp_conv.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i64
from xdsl.ir import Block, Region
from xdsl.rewriter import InsertPoint

from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import bipolar
from bnnir.interp import run_module


def conv_module(channels: int, size: int, pad_value: int | None) -> ModuleOp:
    in_type = TensorType(bipolar, [1, channels, size, size])
    block = Block(arg_types=[in_type])
    b = Builder(InsertPoint.at_end(block))
    rng = np.random.default_rng(0)
    weights = rng.choice(np.array([-1, 1], np.int8), size=(channels, channels, 3, 3))
    w = b.insert(bnn.ConstantOp.from_bipolar(weights)).result
    properties = {} if pad_value is None else {"pad_value": IntegerAttr(pad_value, i64)}
    acc = b.insert(bnn.Conv2dOp(block.args[0], w, (1, 1), (1, 1, 1, 1), properties=properties))
    b.insert(func.ReturnOp(acc.output))
    return ModuleOp([func.FuncOp("main", ([in_type], [acc.output.type]), Region(block))])


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    channels, size = 64, 56
    macs = size * size * channels * channels * 9
    x = np.random.default_rng(1).choice(np.array([-1.0, 1.0], np.float32),
                                        size=(1, channels, size, size))
    print(f"cpu: {cpu_name()}, threads: {os.cpu_count()} (numpy kernels are single-threaded)")
    print("| layer (input -> output) | padding | time | binary GMAC/s |")
    print("|---|---|---|---|")
    for label, pad_value in (("zero (as -1 + border table)", None), ("-1 (1-bit)", -1)):
        module = conv_module(channels, size, pad_value)
        run_module(module, x)  # warm up: unpack the constant once
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run_module(module, x)
            times.append(time.perf_counter() - start)
        best = min(times)
        print(f"| 3x3, {size}x{size}x{channels} -> {size}x{size}x{channels} | {label} | "
              f"{best * 1e3:.1f} ms | {macs / best / 1e9:.1f} |")


if __name__ == "__main__":
    main()
