"""Time emitting and compiling the HLS C simulation of FINN's CNV (about 1.5 M weights) at a
fast folding (few, wide weight words) and a slow one (many narrow words), and run frames
through it against the interpreter.

Goal: g++ -O2 compiles the emitted project in under a minute on this machine. The compiler's
CPU time is reported beside the wall time, which depends on the machine's load.

    python benchmarks/hls_compile.py [--fps 12000 300] [--clock-mhz 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np
from xdsl.context import Context

from bnnir.backends.hls import csim
from bnnir.backends.hls.emit import emit_project
from bnnir.examples.reference_networks import FINN_CNV, build
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(fps: float, clock_mhz: float) -> None:
    model, _ = build(FINN_CNV)
    weights = sum(int(np.prod(i.dims)) for i in model.graph.initializer if len(i.dims) >= 2)
    module = import_onnx(model, "ui8")
    for p in (ThresholdFusion(), LegalizePadding(), Fold(target_fps=fps, clock_mhz=clock_mhz),
              BnnToHwstream(), SizeFifos()):
        p.apply(Context(), module)
    start = time.perf_counter()
    files = emit_project(module)
    emitted = time.perf_counter() - start
    size = sum(len(text) for text in files.values())
    print(f"FINN CNV at {fps:g} fps: {weights / 1e6:.2f} M weights; emitted {len(files)} "
          f"files, {size / 1e6:.1f} MB (params.hpp {len(files['params.hpp']) / 1e6:.1f} MB), "
          f"in {emitted:.2f} s")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["BNNIR_CACHE"] = cache  # a cold compile, not the cache's answer
        cpu, start = children_cpu(), time.perf_counter()
        csim.compiled(files)
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
        print(f"  g++ -O2 compile: {cpu:.1f} s CPU, {wall:.1f} s wall (goal: < 60 s)")
        x = np.random.default_rng(0).integers(0, 256, size=(4, 3, 32, 32)).astype(np.float32)
        expected = run_module(module, x)
        start = time.perf_counter()
        got = run_module(module, x, engine=csim.run)
        run = time.perf_counter() - start
    print(f"  C simulation of {len(x)} frames: {run:.2f} s; equals the interpreter: "
          f"{np.array_equal(got, expected)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, nargs="+", default=[12_000, 300])
    parser.add_argument("--clock-mhz", type=float, default=200)
    args = parser.parse_args()
    for fps in args.fps:
        measure(fps, args.clock_mhz)


if __name__ == "__main__":
    main()
