"""The paper's network (BinaryNet for CIFAR-10, same padding) folded for 12 000 fps at 200 MHz on
xcku115, through the CIRCT backend: the time to build its hw/comb/seq circuit and to export it to
SystemVerilog (goal: under 60 s on this machine), then the Verilator build and one frame
simulated, checked bit for bit against the interpreter.

    python benchmarks/rtl_paper_network.py [--fps 12000] [--clock-mhz 200] [--export-only]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from xdsl.context import Context

from bnnir.backends.circt import sim
from bnnir.backends.circt.lowering import verilog
from bnnir.backends.circt.top import circuit
from bnnir.examples.reference_networks import PAPER, build
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion


def timed(what: str, fn: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = fn()
    print(f"{what}: {time.perf_counter() - start:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=12_000)
    parser.add_argument("--clock-mhz", type=float, default=200)
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    module = import_onnx(build(PAPER)[0], "ui8")
    for p in (ThresholdFusion(), LegalizePadding(),
              Fold(target_fps=args.fps, clock_mhz=args.clock_mhz, part="xcku115"),
              BnnToHwstream(), SizeFifos()):
        p.apply(Context(), module)
    c = timed("hw/comb/seq circuit", lambda: circuit(module))
    text = timed("SystemVerilog export through CIRCT", lambda: verilog(c))
    print(f"SystemVerilog: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines")
    if args.export_only:
        return
    timed("Verilator build", lambda: sim.simulator(circuit(module)))
    x = np.random.default_rng(0).integers(0, 256, size=(1, 3, 32, 32)).astype(np.float32)
    got = timed("one frame in Verilator", lambda: run_module(module, x, engine=sim.RtlEngine()))
    expected = run_module(module, x)
    print(f"bit-exact against the interpreter: {got.tobytes() == expected.tobytes()}")


if __name__ == "__main__":
    main()
