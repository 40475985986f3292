"""The folding report: per streaming kernel its parallelism, cycles and resources, and totals.

    bnn-translate IN.mlir --emit-report [--format text|json]

The module must be folded (bnn-fold). After bnn-to-hwstream the rows are the design's kernels
(FIFOs included); before it, each folded layer expands into the kernels it will become (a conv
into pad, window, dwc and mvtu), with the width converters between layers: the same rows and
totals as after conversion, FIFOs aside. The numbers are the cost model's; the latency comes from
the word-level schedule of the design with its FIFO depths (bnnir/analysis/stream_schedule.py),
or before conversion is the sum of the kernels' cycles per frame, an upper bound.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from xdsl.dialects.builtin import DictionaryAttr, FloatAttr, IntegerAttr, ModuleOp, StringAttr

from bnnir.analysis.folding import Choice, Folding, Layer, hardware_layers
from bnnir.diagnostics import BnnirError


def _folded_choice(layer: Layer) -> Choice:
    fold = layer.op.attributes.get("fold")
    if not isinstance(fold, DictionaryAttr):
        raise BnnirError(f"layer '{layer.name}'", "has no folding; run bnn-fold first")
    candidates = layer.choices + layer.too_wide
    params = {k: v.value.data for k, v in fold.data.items()
              if isinstance(v, IntegerAttr) and k in candidates[0].params}
    for choice in candidates:
        if choice.params == params:
            return choice
    raise BnnirError(f"layer '{layer.name}'", f"folding {params} is not legal for this layer")


def _clock_mhz(module: ModuleOp) -> float:
    summary = module.attributes.get("bnn.fold")
    if isinstance(summary, DictionaryAttr):
        clock = summary.data.get("clock_mhz")
        if isinstance(clock, FloatAttr):
            return clock.value.data
    raise BnnirError("module", "has no bnn.fold summary; run bnn-fold first")


def _kernel_rows(module: ModuleOp) -> tuple[list[dict[str, Any]], int, int]:
    """Rows of a module already converted to hwstream designs: one per kernel op."""
    from bnnir.analysis.kernel_costs import kernel_cost
    from bnnir.dialects import hwstream as hw

    rows, macs, lanes = [], 0, 0
    for design in [op for op in module.ops if isinstance(op, hw.DesignOp)]:
        for index, op in enumerate(design.kernels()):
            kind = op.name.removeprefix("hwstream.")
            layer = op.attributes.get("layer")
            layer_name = layer.data if isinstance(layer, StringAttr) else f"k{index}"
            cost = kernel_cost(op)
            pe = op.prop_int("pe") if "pe" in op.properties else 1
            simd = op.prop_int("simd") if "simd" in op.properties else op.lanes_in
            if isinstance(op, hw.MvtuOp):
                macs += op.prop_int("rows") * op.prop_int("columns") * op.prop_int("vectors")
                lanes += pe * simd
            rows.append({"name": f"{layer_name}.{kind}", "layer": layer_name, "kind": kind,
                         "shape": f"{op.words_in()} -> {op.words_out()} words",
                         "pe": pe, "simd": simd, "cycles": cost.cycles, "luts": cost.luts,
                         "brams": cost.brams})
    return rows, macs, lanes


def build_report(module: ModuleOp) -> dict[str, Any]:
    clock_mhz = _clock_mhz(module)
    rows, macs, lanes = _kernel_rows(module)
    simulated = rows != []
    if not rows:
        rows, macs, lanes = _layer_rows(module)
    if not rows:
        raise BnnirError("module", "has no hardware layers to report")
    report = _summary(rows, macs, lanes, clock_mhz)
    if simulated:
        from bnnir.analysis.stream_schedule import simulate
        from bnnir.dialects import hwstream as hw

        designs = [op for op in module.ops if isinstance(op, hw.DesignOp)]
        latency = sum(simulate(design).bounded_latency for design in designs)
        report["latency_cycles"] = round(latency)
        report["latency_us"] = round(latency / clock_mhz, 3)
    report["latency_source"] = "simulation" if simulated else "sum of kernel cycles"
    return report


def _layer_rows(module: ModuleOp) -> tuple[list[dict[str, Any]], int, int]:
    """Rows of a folded bnn module: the kernels its layers become as bnn-fold chose them, the
    width converters between layers included, in stream order."""
    layers = hardware_layers(module)
    folding = Folding(tuple((layer, _folded_choice(layer)) for layer in layers))
    kernels_of = Counter(layer.name for layer, _ in folding.kernels)
    rows: list[dict[str, Any]] = []
    for layer, kernel in folding.kernels:
        rows.append({
            "name": layer.name if kernels_of[layer.name] == 1 else f"{layer.name}.{kernel.kind}",
            "layer": layer.name, "kind": kernel.kind, "shape": _shape(layer),
            "pe": kernel.pe, "simd": kernel.simd, "cycles": kernel.cost.cycles,
            "luts": kernel.cost.luts, "brams": kernel.cost.brams,
        })
    lanes = sum(k.pe * k.simd for _, k in folding.kernels if k.kind == "mvtu")
    return rows, sum(layer.macs for layer in layers), lanes


def _summary(rows: list[dict[str, Any]], macs: int, lanes: int, clock_mhz: float) -> dict[str, Any]:
    max_cycles = max(r["cycles"] for r in rows)
    for row in rows:
        row["bottleneck_share"] = round(row["cycles"] / max_cycles, 4)
    return {
        "layers": rows,
        "clock_mhz": clock_mhz,
        "max_cycles": max_cycles,
        "bottleneck": max(rows, key=lambda r: r["cycles"])["name"],
        "fps": round(clock_mhz * 1e6 / max_cycles, 3),
        "latency_cycles": sum(r["cycles"] for r in rows),
        "latency_us": round(sum(r["cycles"] for r in rows) / clock_mhz, 3),
        "total_luts": sum(r["luts"] for r in rows),
        "total_brams": sum(r["brams"] for r in rows),
        "total_macs": macs,
        "ideal_cycles": round(macs / lanes, 3) if lanes else 0.0,
        "efficiency": round(macs / lanes / max_cycles, 4) if lanes else 0.0,
    }


def _shape(layer: Layer) -> str:
    from bnnir.dialects import bnn

    op = layer.op
    out = bnn.tensor_type(op.results[0]).get_shape()
    dims = "x".join(str(d) for d in out[1:])
    if isinstance(op, bnn.Conv2dOp | bnn.DenseOp):
        w = bnn.tensor_type(op.weights).get_shape()
        return f"{'x'.join(str(d) for d in w)} -> {dims}"
    return dims


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def render_text(report: dict[str, Any]) -> str:
    header = f"{'kernel':<22} {'kind':<12} {'shape':<24} {'PE':>5} {'SIMD':>5} {'cycles':>9} " \
             f"{'LUT':>8} {'BRAM18':>7} {'of max':>7}"
    lines = [header, "-" * len(header)]
    for r in report["layers"]:
        lines.append(
            f"{r['name']:<22.22} {r['kind']:<12} {r['shape']:<24.24} {r['pe']:>5} {r['simd']:>5} "
            f"{r['cycles']:>9} {r['luts']:>8} {r['brams']:>7} {r['bottleneck_share']:>7.1%}"
        )
    lines += [
        "-" * len(header),
        f"total: {report['total_luts']} LUTs, {report['total_brams']} BRAM18s",
        f"throughput: {report['fps']:.1f} fps at {report['clock_mhz']:g} MHz "
        f"(bottleneck {report['bottleneck']}, {report['max_cycles']} cycles per frame)",
        f"latency: {report['latency_cycles']} cycles ({report['latency_us']:.1f} us, "
        f"{report['latency_source']})",
        f"ideal bound: {report['ideal_cycles']:.1f} cycles (total MACs / sum of PE x SIMD); "
        f"efficiency {report['efficiency']:.1%}",
    ]
    return "\n".join(lines) + "\n"
