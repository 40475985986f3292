"""Time emitting and compiling the HLS C simulation of a CNV-sized network (about 1.5 M weights),
and run one frame through it against the interpreter.

Goal: g++ -O2 compiles the emitted project in under a minute on this machine.

    python benchmarks/hls_compile.py [--fps 12000] [--clock-mhz 200]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from xdsl.context import Context

from bnnir.backends.hls.emit import emit_project
from bnnir.examples.reference_networks import FINN_CNV, build
from bnnir.frontend.onnx_import import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=12_000)
    parser.add_argument("--clock-mhz", type=float, default=200)
    args = parser.parse_args()
    model, _ = build(FINN_CNV)
    weights = sum(int(np.prod(i.dims)) for i in model.graph.initializer if len(i.dims) >= 2)
    module = import_onnx(model, "ui8")
    for p in (ThresholdFusion(), LegalizePadding(), Fold(target_fps=args.fps,
                                                          clock_mhz=args.clock_mhz),
              BnnToHwstream(), SizeFifos()):
        p.apply(Context(), module)
    start = time.perf_counter()
    files = emit_project(module)
    emitted = time.perf_counter() - start
    size = sum(len(text) for text in files.values())
    print(f"FINN CNV: {weights / 1e6:.2f} M weights; emitted {len(files)} files, "
          f"{size / 1e6:.1f} MB, in {emitted:.2f} s")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["BNNIR_CACHE"] = cache  # a cold compile, not the cache's answer
        x = np.random.default_rng(0).integers(0, 256, size=(1, 3, 32, 32)).astype(np.float32)
        expected = run_module(module, x)
        start = time.perf_counter()
        got = run_module(module, x, engine="csim")
        total = time.perf_counter() - start
        start = time.perf_counter()
        run_module(module, x, engine="csim")
        cached = time.perf_counter() - start
    print(f"g++ -O2 compile + one frame: {total:.1f} s (goal: compile < 60 s); "
          f"again from the cache: {cached:.1f} s")
    print(f"C simulation equals the interpreter: {np.array_equal(got, expected)}")


if __name__ == "__main__":
    main()
