"""FINN's CNV at the BNN-PYNQ folding (cnvW1A1's published PE and SIMD, 100 MHz), synthesized
kernel by kernel by yosys (`synth_xilinx -family xc7`): the cost model's LUTs and BRAM18s beside
yosys' per kernel and in total, and BNN-PYNQ's published 26 072 LUTs (Vivado, xc7z020, the whole
accelerator); the wall time from an empty cache, then of a second run served from the cache.

    python benchmarks/synth_cnv.py [--jobs 2] [--cluster tcp://HOST:8786] [--cache DIR]

Without --cache the first run uses a fresh temporary cache, so it is timed from empty.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from bnnir.backends.report import build_report
from bnnir.backends.yosys import Resources, synthesize_design, yosys_version
from bnnir.examples.reference_networks import FINN_CNV, bnn_pynq_folding, build
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

BNN_PYNQ_LUTS = 26_072
"""cnvW1A1 on the PYNQ-Z1 (xc7z020) as BNN-PYNQ publishes it (Vivado, the whole accelerator)."""


def finn_cnv() -> ModuleOp:
    module = import_onnx(build(FINN_CNV)[0], "ui8")
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
    annotate(module, bnn_pynq_folding(module), 100.0)
    for p in (BnnToHwstream(), SizeFifos()):
        p.apply(Context(), module)
    return module


def ratio(measured: int, model: int) -> str:
    return f"{measured / model:.2f}" if model else "-"


def table(rows: Sequence[dict[str, object]], measured: Sequence[Resources]) -> None:
    width = max(len(str(r["name"])) for r in rows)
    print(f"{'kernel':<{width}} {'model LUT':>9} {'yosys LUT':>9} {'ratio':>6} {'FF':>7} "
          f"{'model BRAM18':>12} {'yosys BRAM18':>12} {'DSP':>4} {'s':>6}")
    for row, r in zip(rows, measured, strict=True):
        print(f"{row['name']:<{width}} {row['luts']:>9} {r.luts:>9} "
              f"{ratio(r.luts, int(row['luts'])):>6} {r.ffs:>7} {row['brams']:>12} "
              f"{r.bram18:>12} {r.dsps:>4} {r.synth_seconds:>6.1f}")


def timed_run(module: ModuleOp, cluster: str | None, jobs: int) -> tuple[list[Resources], float]:
    start = time.perf_counter()
    measured = synthesize_design(module, cluster=cluster, jobs=jobs)
    return measured, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cluster", help="a Dask scheduler address (default: local processes)")
    parser.add_argument("--cache", help="the cache folder (default: a fresh temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bnnir-synth-cnv-") as fresh:
        os.environ["BNNIR_CACHE"] = args.cache or fresh
        print(f"yosys: {yosys_version()}, synth_xilinx -family xc7, {args.jobs} local processes"
              if args.cluster is None else f"yosys: {yosys_version()}, Dask at {args.cluster}")
        module = finn_cnv()
        rows = build_report(module)["layers"]
        measured, first = timed_run(module, args.cluster, args.jobs)
        _, second = timed_run(module, args.cluster, args.jobs)
    print(f"FINN CNV at the BNN-PYNQ folding, {len(rows)} kernels (FIFOs included):")
    table(rows, measured)
    model = sum(int(r["luts"]) for r in rows)
    luts = sum(r.luts for r in measured)
    print(f"total LUTs: model {model}, yosys {luts} ({ratio(luts, model)} of the model), "
          f"BNN-PYNQ published {BNN_PYNQ_LUTS} (Vivado, xc7z020; yosys / published "
          f"{luts / BNN_PYNQ_LUTS:.2f})")
    print(f"total FFs {sum(r.ffs for r in measured)}, BRAM18s: model "
          f"{sum(int(r['brams']) for r in rows)}, yosys {sum(r.bram18 for r in measured)}; "
          f"DSPs {sum(r.dsps for r in measured)}")
    yosys_seconds = sum(r.synth_seconds for r in measured)
    cpu = sum(r.cpu_seconds for r in measured)
    print(f"synthesis, empty cache: {first:.1f} s wall ({yosys_seconds:.1f} s of yosys runs, "
          f"{cpu:.1f} s of their CPU time; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores); second run, from the cache: {second:.2f} s")


if __name__ == "__main__":
    main()
