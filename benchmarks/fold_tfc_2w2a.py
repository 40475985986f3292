"""Fold the qonnx model zoo's TFC_2W2A (784-64-64-64-10 on MNIST, 2-bit weights and 2-bit signed
activations; tests/real_models/) at FINN's TFC operating points and print, per layer, the folding,
cycles per frame and LUTs of bnnir's cost model beside FINN's LUT estimate formula.

Operating points:
* FINN's TFC folding, (PE, SIMD) = (16, 49), (8, 8), (8, 8), (10, 8) with ram_style block,
  auto, auto, distributed (`fold_tfc` in Xilinx/finn tests/end2end/test_end2end_bnn_pynq.py,
  the BNN-PYNQ TFC configuration): 64 cycles per frame;
* bnn-fold's optimum at the same 64-cycle bound (the cheapest folding meeting it);
* PE = SIMD = 1, where FINN's SetFolding starts.

FINN's estimate is Xilinx/finn's MVAU lut_estimation (src/finn/custom_op/fpgadataflow/hls/
matrixvectoractivation_hls.py, FINN-R, Blott et al. 2018), written out here on its own from a
node's attributes: mem_mode internal_decoupled (FINN's default), resType lut, and
ram_style_thresholds block (its default), under which FINN counts no threshold or comparator
LUTs; weights count as LUTs only with ram_style distributed. bnnir's model is the same formula
with the thresholds and comparators always counted and weights in LUTRAM when at most 128 words
deep (bnnir/analysis/cost_model.py MatrixVectorUnit).

    python benchmarks/fold_tfc_2w2a.py [--clock-mhz 100]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from xdsl.context import Context

from bnnir.analysis.folding import Folding, fold_for_cycles, hardware_layers
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.dialects import hwstream as hw
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion

MODEL = Path(__file__).parent.parent / "tests" / "real_models" / "qonnx_model_zoo" / "TFC_2W2A.onnx"

FINN_TFC = [(16, 49, "block"), (8, 8, "auto"), (8, 8, "auto"), (10, 8, "distributed")]
"""FINN's TFC folding: (PE, SIMD, ram_style) per MVAU (test_end2end_bnn_pynq.py: fold_tfc)."""


def finn_luts(spec: hw.MvtuSpec, ram_style: str, mem_mode: str = "internal_decoupled",
              ram_style_thresholds: str = "block") -> int:
    """FINN's MVAU lut_estimation for this unit, its node attributes as given."""
    p, q, w, a = spec.pe, spec.simd, spec.weight_bits, spec.input_bits
    wmem = spec.rows * spec.columns // (p * q)
    tmem = spec.rows // p
    c0, c1, c2 = 300, 1.1, 0
    if (mem_mode == "internal_decoupled" and ram_style == "distributed") or (
            mem_mode == "internal_embedded" and wmem <= 128):
        c2 = p * q * w * math.ceil(wmem / 64)
    mult = q * (2 * math.ceil((w + a) / 6) - 1) * (w + a)
    adder_tree = (w + a) * (2 * q - 1)
    alpha = math.log2(spec.columns) + w + a - 1 - int(spec.signed_input)
    acc = min(32, math.ceil(alpha + math.log2(1 + 2**-alpha) + 1))  # accDataType INT32 at most
    thresholds = comparators = 0
    if spec.steps and ram_style_thresholds == "distributed":
        thresholds = spec.steps * acc * math.ceil(tmem / 64)
        comparators = spec.steps * acc
    return int(c0 + c1 * (p * (mult + adder_tree + acc + thresholds + comparators)) + c2)


def units(folding: Folding) -> list[tuple[str, hw.MvtuSpec]]:
    return [(layer.name, kernel.spec) for layer, kernel in folding.kernels
            if isinstance(kernel.spec, hw.MvtuSpec)]


def print_point(title: str, folding: Folding, ram_styles: list[str], clock_mhz: float) -> None:
    rows = units(folding)
    cycles = max(kernel_cost(spec).cycles for _, spec in rows)
    print(f"\n{title}: {cycles} cycles per frame, {clock_mhz * 1e6 / cycles:,.0f} fps at "
          f"{clock_mhz:g} MHz")
    print(f"  {'layer':<10} {'MH x MW':>9} {'W':>2} {'A':>2} {'PE':>3} {'SIMD':>4} "
          f"{'cycles':>7} {'bnnir LUT':>10} {'BRAM18':>6} {'FINN LUT':>9} {'ram_style':>12}")
    total_ours = total_finn = total_brams = 0
    for (name, spec), style in zip(rows, ram_styles, strict=True):
        cost = kernel_cost(spec)
        finn = finn_luts(spec, style)
        total_ours, total_finn, total_brams = (total_ours + cost.luts, total_finn + finn,
                                               total_brams + cost.brams)
        print(f"  {name:<10} {spec.rows:>4}x{spec.columns:<4} {spec.weight_bits:>2} "
              f"{spec.input_bits:>2} {spec.pe:>3} {spec.simd:>4} {cost.cycles:>7} "
              f"{cost.luts:>10} {cost.brams:>6} {finn:>9} {style:>12}")
    print(f"  {'total':<10} {'':>9} {'':>2} {'':>2} {'':>3} {'':>4} {cycles:>7} "
          f"{total_ours:>10} {total_brams:>6} {total_finn:>9}")
    converters = folding.luts - total_ours
    print(f"  with the width converters between layers ({converters} LUTs, bnnir's): "
          f"{folding.luts} LUTs, {folding.brams} BRAM18")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-mhz", type=float, default=100.0)
    args = parser.parse_args()

    module = import_onnx(str(MODEL))
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
    layers = hardware_layers(module)
    assert len(layers) == len(FINN_TFC), [layer.name for layer in layers]

    finn = Folding(tuple(
        (layer, next(c for c in layer.choices if c.params == {"pe": pe, "simd": simd}))
        for layer, (pe, simd, _) in zip(layers, FINN_TFC, strict=True)))
    styles = [style for _, _, style in FINN_TFC]
    print(f"{MODEL.name}: {len(layers)} MVTUs, weights of "
          f"{sorted({spec.weight_bits for _, spec in units(finn)})} bits")
    print_point("FINN's TFC folding", finn, styles, args.clock_mhz)

    bound = finn.max_cycles
    best = fold_for_cycles(layers, bound)
    assert best is not None
    print_point(f"bnn-fold's optimum within {bound} cycles", best, ["auto"] * len(layers),
                args.clock_mhz)

    slowest = Folding(tuple(
        (layer, next(c for c in layer.choices if c.params == {"pe": 1, "simd": 1}))
        for layer in layers))
    print_point("PE = SIMD = 1", slowest, ["auto"] * len(layers), args.clock_mhz)


if __name__ == "__main__":
    main()
