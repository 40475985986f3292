"""Fold the paper's CIFAR-10 network and FINN's CNV for 12 000 fps at 200 MHz, print the report and
the wall time of each compiler stage, and compare with FINN's greedy SetFolding under the same
cost model.

The paper's network (Fraser et al. 2017) is BinaryNet's CIFAR-10 topology with "same" padding:
2x128C3 - MP2 - 2x256C3 - MP2 - 2x512C3 - MP2 - FC1024 - FC1024 - FC10 (1.234 GOP/frame). FINN's
CNV is 64C3 - 64C3 - MP2 - 128C3 - 128C3 - MP2 - 256C3 - 256C3 - FC512 - FC512 - FC10, unpadded.
Weights are random ±1 (folding does not depend on their values).

    python benchmarks/fold_paper_network.py [--fps 12000] [--clock-mhz 200] [--part xcku115]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from xdsl.context import Context

from bnnir.analysis import targets
from bnnir.analysis.cost_model import divisors
from bnnir.analysis.folding import Choice, Folding, Layer, fold_for_cycles, hardware_layers
from bnnir.analysis.stream_schedule import simulate
from bnnir.backends.hls.emit import emit_project
from bnnir.backends.report import build_report, render_text
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.dialects.hwstream import DesignOp
from bnnir.examples.reference_networks import FINN_CNV, PAPER, build
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

T = TypeVar("T")

# ===----------------------------------------------------------------------=== #
# FINN's SetFolding under our cost model
# ===----------------------------------------------------------------------=== #

MVAU_WWIDTH_MAX = 36
"""SetFolding's default bound on an MVAU's weight word per PE: SIMD · weight bits."""

WEIGHT_BITS = 1


def finn_set_folding(layers: list[Layer], target: float,
                     two_pass_relaxation: bool = True) -> Folding:
    """FINN's SetFolding (Xilinx/finn src/finn/transformation/fpgadataflow/set_folding.py),
    node by node in stream order, under our cost model (notes/finn.md §3):

    * MVAU: PE = SIMD = 1; SIMD over the divisors of MW, ascending, stopping at the first whose
      cycles beat the target, or, when SIMD · weight bits exceeds mvau_wwidth_max (36) without
      beating it, at the SIMD before; then PE over the divisors of MH until the target is met;
    * ConvolutionInputGenerator and FMPadding (its simd_ops): SIMD over the divisors of the
      channels until the node's cycles beat the target. Our conv streams its padding and its
      sliding window at one SIMD, so that SIMD rises until both beat it: the larger of the two
      SIMDs FINN would set, each node's own choice being the first divisor beating the target;
    * Thresholding (pe_ops) and LabelSelect: PE over the divisors of the channels (labels);
    * StreamingMaxPool: no folding attribute (SetFolding warns and leaves it);
    * two_pass_relaxation: if the slowest node misses the target, once more with the target
      set to its cycles, so the other nodes balance to the bottleneck.

    "Beats" is FINN's strict `cycles < target`. Width converters are not nodes yet when FINN
    folds (InsertDWC runs later), so they do not count towards the slowest node; the LUTs of the
    folding count them, as ours do."""
    folding = Folding(tuple((layer, _set_folding(layer, target)) for layer in layers))
    slowest = max(k.cost.cycles for _, k in folding.kernels
                  if not isinstance(k.spec, hw.DwcSpec))
    if two_pass_relaxation and slowest > target:
        return finn_set_folding(layers, slowest, two_pass_relaxation=False)
    return folding


def _set_folding(layer: Layer, target: float) -> Choice:
    params = dict.fromkeys(_choices(layer)[0].params, 1)
    if "window_simd" in params:  # a conv: FMPadding and ConvolutionInputGenerator, then MVAU
        _first_beating(layer, params, "window_simd", target, (hw.PadSpec, hw.WindowSpec))
    if "simd" in params and "pe" in params:  # MVAU
        _mvau_simd(layer, params, target)
        _first_beating(layer, params, "pe", target, (hw.MvtuSpec,))
    elif params:  # FMPadding (simd), Thresholding or LabelSelect (pe)
        (key,) = params
        _first_beating(layer, params, key, target,
                       (hw.PadSpec, hw.ThresholdSpec, hw.LabelSelectSpec))
    return _choice(layer, params)


def _mvau_simd(layer: Layer, params: dict[str, int], target: float) -> None:
    for simd in _values(layer, "simd"):
        previous, params["simd"] = params["simd"], simd
        if _cycles(layer, params, (hw.MvtuSpec,)) < target:
            return
        if simd * WEIGHT_BITS > MVAU_WWIDTH_MAX:
            params["simd"] = previous
            return


def _first_beating(layer: Layer, params: dict[str, int], key: str, target: float,
                   kinds: tuple[type[hw.KernelSpec], ...]) -> None:
    """FINN's optimize_attribute_val: the first value (ascending), or the last, whose kernels
    of `kinds` beat the target."""
    for value in _values(layer, key):
        params[key] = value
        if _cycles(layer, params, kinds) < target:
            return


def _choices(layer: Layer) -> list[Choice]:
    """Every folding of the layer: FINN does not know our stream width limit."""
    return layer.choices + layer.too_wide


def _values(layer: Layer, key: str) -> list[int]:
    """The divisors SetFolding tries for `key`: of the dimension it divides."""
    return divisors(max(c.params[key] for c in _choices(layer)))


def _choice(layer: Layer, params: dict[str, int]) -> Choice:
    return next(c for c in _choices(layer) if c.params == params)


def _cycles(layer: Layer, params: dict[str, int],
            kinds: tuple[type[hw.KernelSpec], ...]) -> int:
    return max(k.cost.cycles for k in _choice(layer, params).kernels if isinstance(k.spec, kinds))


# ===----------------------------------------------------------------------=== #
# The benchmark
# ===----------------------------------------------------------------------=== #


class Stages:
    """Runs the compiler's stages, keeping the wall time of each."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    def run(self, stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = fn()
        self.times.append((stage, time.perf_counter() - start))
        return result

    def __str__(self) -> str:
        return "stage wall times: " + ", ".join(f"{s} {t * 1e3:.0f} ms" for s, t in self.times)


def compile_network(title: str, topology: list[tuple], fps: float, clock_mhz: float,
                    part: str) -> None:
    stages = Stages()
    model, macs = stages.run("build ONNX", lambda: build(topology))
    module = stages.run("import", lambda: import_onnx(model, "ui8"))
    stages.run("threshold fusion", lambda: ThresholdFusion().apply(Context(), module))
    stages.run("legalize padding", lambda: LegalizePadding().apply(Context(), module))
    layers = stages.run("fold: layers", lambda: hardware_layers(module))
    budget_module = module.clone()
    print(f"\n=== {title}: {macs * 2 / 1e9:.3f} GOP/frame, {fps:g} fps at {clock_mhz:g} MHz "
          f"on {part} ===")
    try:
        fold = Fold(target_fps=fps, clock_mhz=clock_mhz, part=part)
        stages.run("fold: target", lambda: fold.apply(Context(), module))
    except BnnirError as e:  # an infeasible target is a result here
        print(f"bnn-fold: {e}")
        return
    report = stages.run("report", lambda: build_report(module))
    print(render_text(report), end="")
    device = targets.PARTS[part]
    part_luts, part_brams = device.luts, device.bram18
    fits = report["total_luts"] <= part_luts and report["total_brams"] <= part_brams
    print(f"on {part} ({part_luts} LUTs, {part_brams} BRAM18s): "
          f"{'fits' if fits else 'does NOT fit'}")

    bound = clock_mhz * 1e6 / fps
    greedy = finn_set_folding(layers, bound)
    optimum = fold_for_cycles(layers, greedy.max_cycles)
    assert optimum is not None
    print(f"FINN SetFolding (greedy, mvau_wwidth_max {MVAU_WWIDTH_MAX}): "
          f"{clock_mhz * 1e6 / greedy.max_cycles:.0f} fps, {greedy.luts} LUTs, {greedy.brams} "
          f"BRAM18s; the optimum at its {greedy.max_cycles} cycles per frame: {optimum.luts} "
          f"LUTs, {optimum.brams} BRAM18s (greedy / optimum LUTs: "
          f"{greedy.luts / optimum.luts:.2f})")

    stages.run("fold: budget", lambda: Fold(clock_mhz=clock_mhz, part=part).apply(
        Context(), budget_module))
    fastest = build_report(budget_module)
    print(f"fastest folding on {part} (bnn-fold{{part={part}}}): {fastest['fps']:.0f} fps, "
          f"{fastest['total_luts']} LUTs, {fastest['total_brams']} BRAM18s")

    stages.run("bnn-to-hwstream", lambda: BnnToHwstream().apply(Context(), module))
    stages.run("hwstream-size-fifos", lambda: SizeFifos().apply(Context(), module))
    design = next(op for op in module.ops if isinstance(op, DesignOp))
    schedule = stages.run("cycle schedule", lambda: simulate(design))
    stages.run("emit HLS", lambda: emit_project(module))
    print(f"cycle schedule with the sized FIFOs: {schedule.bounded_cycles_per_frame} cycles per "
          f"frame in steady state, first-frame latency {schedule.bounded_latency} cycles "
          f"({schedule.bounded_latency / clock_mhz:.0f} us)")
    print(stages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=12_000)
    parser.add_argument("--clock-mhz", type=float, default=200)
    parser.add_argument("--part", choices=sorted(targets.PARTS), default="xcku115")
    args = parser.parse_args()
    compile_network("paper network (BinaryNet CIFAR-10, same padding)", PAPER, args.fps,
                    args.clock_mhz, args.part)
    compile_network("FINN CNV", FINN_CNV, args.fps, args.clock_mhz, args.part)


if __name__ == "__main__":
    main()
