"""Fold the paper's CIFAR-10 network and FINN's CNV for 12 000 fps at 200 MHz, and compare with
FINN's greedy SetFolding under the same cost model.

The paper's network (Fraser et al. 2017) is BinaryNet's CIFAR-10 topology with "same" padding:
2x128C3 - MP2 - 2x256C3 - MP2 - 2x512C3 - MP2 - FC1024 - FC1024 - FC10 (1.234 GOP/frame). FINN's
CNV is 64C3 - 64C3 - MP2 - 128C3 - 128C3 - MP2 - 256C3 - 256C3 - FC512 - FC512 - FC10, unpadded.
Weights are random ±1 (folding does not depend on their values).

    python benchmarks/fold_paper_network.py [--fps 12000] [--clock-mhz 200]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from bnnir.analysis import cost_model as cm
from bnnir.analysis.folding import (
    Choice,
    Folding,
    Layer,
    fold_for_cycles,
    hardware_layers,
)
from bnnir.analysis.stream_schedule import simulate
from bnnir.backends.report import build_report, render_text
from bnnir.dialects.hwstream import DesignOp
from bnnir.examples.reference_networks import FINN_CNV, PAPER, build
from bnnir.frontend.onnx_import import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import PARTS, Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

T = TypeVar("T")

def finn_set_folding(layers: list[Layer], target: int, wwidth_max: int = 36) -> Folding:
    """FINN's greedy SetFolding (Xilinx/finn transformation/fpgadataflow/set_folding.py) under
    our cost model: per kernel, raise SIMD over its divisors (MVAU: while SIMD·wbits <=
    mvau_wwidth_max) until it beats the target, then PE; with the two-pass relaxation. Its
    LUTs count the width converters between layers as ours do (FINN inserts them later)."""

    def greedy(bound: int) -> Folding:
        picked = []
        for layer in layers:
            params = {k: 1 for k in layer.choices[0].params}
            for key, limit in (("window_simd", None), ("simd", wwidth_max), ("pe", None)):
                if key not in params:
                    continue
                for value in _divisors_for(layer, key):
                    if limit is not None and value > limit:
                        break
                    params[key] = value
                    if _kernel_cycles(layer, params, key) < bound:
                        break
            picked.append((layer, _choice(layer, params)))
        return Folding(tuple(picked))

    first = greedy(target)
    return greedy(first.max_cycles) if first.max_cycles > target else first


def _divisors_for(layer: Layer, key: str) -> list[int]:
    return sorted({c.params[key] for c in layer.choices})


def _choice(layer: Layer, params: dict[str, int]) -> Choice:
    # FINN sets the window's and the MVAU's SIMD independently and joins them with a width
    # converter (its NoMultiple variant when neither divides the other): so do we.
    return next(c for c in layer.choices if c.params == params)


def _kernel_cycles(layer: Layer, params: dict[str, int], key: str) -> int:
    """Cycles of the kernel that `key` folds (the window for window_simd, else the MVTU or the
    layer's only kernel), whatever the other kernels' parameters."""
    kind = "window" if key == "window_simd" else None
    relevant = ("window_simd",) if key == "window_simd" else ("pe", "simd")
    for choice in layer.choices:
        if all(choice.params.get(k) == params[k] for k in relevant if k in params):
            for kernel in choice.kernels:
                if kernel.kind == (kind or ("mvtu" if "simd" in params else kernel.kind)):
                    return kernel.cost.cycles
    raise AssertionError(f"no choice of {layer.name} matches {params}")


def timed(stage: str, timings: list[tuple[str, float]], fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    timings.append((stage, time.perf_counter() - start))
    return result


def compile_network(title: str, topology: list[tuple], fps: float, clock_mhz: float) -> None:
    timings: list[tuple[str, float]] = []
    model, macs = timed("build ONNX", timings, lambda: build(topology))
    module: ModuleOp = timed("import", timings, lambda: import_onnx(model, "ui8"))
    timed("threshold fusion", timings, lambda: ThresholdFusion().apply(Context(), module))
    timed("legalize padding", timings, lambda: LegalizePadding().apply(Context(), module))
    layers = timed("fold: enumerate", timings, lambda: hardware_layers(module))
    print(f"\n=== {title}: {macs * 2 / 1e9:.3f} GOP/frame, target {fps:g} fps at "
          f"{clock_mhz:g} MHz ===")
    try:
        fold = Fold(target_fps=fps, clock_mhz=clock_mhz, part="xcku115")
        timed("fold: search", timings, lambda: fold.apply(Context(), module))
        print(render_text(build_report(module)), end="")
    except Exception as e:  # an infeasible target is a result here, not a crash
        print(f"bnn-fold: {e}")
    bound = int(clock_mhz * 1e6 // fps)
    greedy = finn_set_folding(layers, bound)
    optimum = fold_for_cycles(layers, greedy.max_cycles)
    luts, brams = PARTS["xcku115"]
    print(f"FINN SetFolding (greedy, SIMD <= 36): {clock_mhz * 1e6 / greedy.max_cycles:.0f} fps, "
          f"{greedy.luts} LUTs, {greedy.brams} BRAM18s")
    if optimum is not None:
        print(f"optimum at the greedy's throughput: {optimum.luts} LUTs, {optimum.brams} "
              f"BRAM18s; greedy/optimum LUT ratio {greedy.luts / optimum.luts:.2f}")
    print(f"xcku115: {luts} LUTs, {brams} BRAM18s")
    on_part = module.clone()
    timed("fold: budget search", timings,
          lambda: Fold(clock_mhz=clock_mhz, part="xcku115").apply(Context(), on_part))
    summary = build_report(on_part)
    print(f"fastest folding within xcku115 (part=xcku115 alone): {summary['fps']:.0f} fps, "
          f"{summary['total_luts']} LUTs, {summary['total_brams']} BRAM18s")
    if "fold: search" in dict(timings):
        timed("bnn-to-hwstream", timings, lambda: BnnToHwstream().apply(Context(), module))
        timed("size FIFOs", timings, lambda: SizeFifos().apply(Context(), module))
        design = next(op for op in module.ops if isinstance(op, DesignOp))
        schedule = timed("stream schedule", timings, lambda: simulate(design))
        print(f"simulated with the sized FIFOs: {schedule.bounded_cycles_per_frame:.0f} cycles "
              f"per frame in steady state, first-frame latency {schedule.bounded_latency:.0f} "
              f"cycles ({schedule.bounded_latency / clock_mhz:.0f} us)")
    print("stage wall times: " + ", ".join(f"{s} {t * 1e3:.0f} ms" for s, t in timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=12_000)
    parser.add_argument("--clock-mhz", type=float, default=200)
    args = parser.parse_args()
    compile_network("paper network (BinaryNet CIFAR-10, same padding)", PAPER, args.fps,
                    args.clock_mhz)
    compile_network("FINN CNV", FINN_CNV, args.fps, args.clock_mhz)
    print(f"\n(divisors of 4608: {cm.divisors(4608)})")


if __name__ == "__main__":
    main()
