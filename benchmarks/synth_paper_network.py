"""The paper's network (BinaryNet for CIFAR-10, same padding) folded for 12 000 fps at 200 MHz on
an xcku115, synthesized kernel by kernel by yosys: the cost model's figures beside yosys', the
wall time, and whether the design fits an xcku115 by yosys' count.

    python benchmarks/synth_paper_network.py [--jobs 2] [--cluster tcp://HOST:8786]

Long (dozens of kernels, the largest of many minutes each): results go to the usual cache
(BNNIR_CACHE, default ~/.cache/bnnir, folder synth/), so an interrupted run resumes where it
stopped, and the cache's entries count the kernels done. yosys maps to 7-series primitives
(synth_xilinx -family xc7), whose LUT6, carry and block RAM match the UltraScale xcku115's closely
enough for a fit check; the top module and port adapters are not counted.
"""

from __future__ import annotations

import argparse
import os
import time

from synth_cnv import ratio, table
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from bnnir.analysis.targets import find_part
from bnnir.backends.report import build_report
from bnnir.backends.yosys import synthesize_design, yosys_version
from bnnir.backends.yosys.synth import cache_root
from bnnir.examples.reference_networks import PAPER, build
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

PART = "xcku115"


def paper_network(fps: float, clock_mhz: float) -> ModuleOp:
    module = import_onnx(build(PAPER)[0], "ui8")
    for p in (ThresholdFusion(), LegalizePadding(),
              Fold(target_fps=fps, clock_mhz=clock_mhz, part=PART), BnnToHwstream(),
              SizeFifos()):
        p.apply(Context(), module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=12_000)
    parser.add_argument("--clock-mhz", type=float, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cluster", help="a Dask scheduler address (default: local processes)")
    args = parser.parse_args()
    print(f"yosys: {yosys_version()}, synth_xilinx -family xc7; cache {cache_root()}", flush=True)
    module = paper_network(args.fps, args.clock_mhz)
    report = build_report(module)
    rows = report["layers"]
    print(f"the paper's network at {report['fps']:.0f} fps, {args.clock_mhz:g} MHz: "
          f"{len(rows)} kernels (FIFOs included), model {report['total_luts']} LUTs, "
          f"{report['total_brams']} BRAM18s", flush=True)
    start = time.perf_counter()
    measured = synthesize_design(module, cluster=args.cluster, jobs=args.jobs)
    wall = time.perf_counter() - start
    table(rows, measured)
    luts, brams = sum(r.luts for r in measured), sum(r.bram18 for r in measured)
    dsps, ffs = sum(r.dsps for r in measured), sum(r.ffs for r in measured)
    print(f"total: model {report['total_luts']} LUTs, yosys {luts} "
          f"({ratio(luts, report['total_luts'])} of the model), {ffs} FFs; BRAM18s model "
          f"{report['total_brams']}, yosys {brams}; DSPs {dsps}")
    part = find_part(PART)
    assert part is not None
    fits = luts <= part.luts and ffs <= part.ffs and brams <= part.bram18 and dsps <= part.dsps
    print(f"fits an {PART} ({part.luts} LUTs, {part.ffs} FFs, {part.bram18} BRAM18s, "
          f"{part.dsps} DSPs) by yosys' count: {'yes' if fits else 'no'} ({luts / part.luts:.1%} "
          f"of its LUTs, {ffs / part.ffs:.1%} of its FFs, {brams / part.bram18:.1%} of its "
          "BRAM18s)")
    print(f"synthesis: {wall:.1f} s wall, {sum(r.synth_seconds for r in measured):.1f} s of "
          f"yosys runs, {sum(r.cpu_seconds for r in measured):.1f} s of their CPU time (load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{sum(r.cached for r in measured)} of {len(measured)} kernels from the cache)")


if __name__ == "__main__":
    main()
