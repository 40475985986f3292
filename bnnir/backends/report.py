"""The folding report: per streaming kernel its parallelism, cycles and resources, and totals.

    bnn-translate IN.mlir --emit-report [--format text|json]

The JSON report has exactly these fields, which scripts read: `layers` (one row per kernel in
stream order: name, kind, pe, simd, cycles, luts, brams), clock_mhz, max_cycles, fps,
latency_cycles, total_luts, total_brams and ideal_cycles (total MACs over Σ PE·SIMD of the
matrix-vector units); then what explains them: latency_name and latency_definition (which
latency `latency_cycles` is, see below), latency_bound_cycles, part and part_given (the part
folded for, or the HLS script's default when none was given), estimates (where LUTs and BRAM18s
come from) and legend (the meaning of each row field). The text report adds each row's layer
shape and share of the bottleneck, the bottleneck's name and the efficiency (ideal over actual
cycles), and ends with its legend.

Two latencies, each with its own name. Before bnn-to-hwstream the report gives the *latency
bound*: the sum of the kernels' cycles per frame, which bounds the latency with unbounded
streams (each kernel ends a frame at most its cycles after the last word it reads arrives).
After it, the *latency*: the cycle-level schedule of the design with its FIFO depths
(bnnir/analysis/stream_schedule.py), from the first input word to the first frame's last output
word; kernels overlap in a stream, so it is usually well below the bound. The bound is given
after conversion too (`latency_bound_cycles`), for comparison.

The module must be folded (bnn-fold). After bnn-to-hwstream the rows are the design's kernels,
FIFOs included and named after the stream they sit on (`kernel_names`); before it, each folded
layer expands into the kernel specs it will become (bnnir/analysis/lowering.py: a conv into
pad, window, dwc and mvtu), with the width converters between layers: the same specs, hence the
same rows, names and totals as after conversion, FIFOs aside. LUTs and BRAM18s are the cost
model's estimates (bnnir/analysis/kernel_costs.py, FINN's formulas), not synthesis results;
a module folded with bnn-fold{cost=measured} is costed under the measured model, and its
report says so (`estimates`, and a `cost_model` field in JSON).

With synthesis (`--synth`, `add_synthesis`) each kernel's module is also synthesized by yosys
(bnnir/backends/yosys): the JSON report gains `synthesis` (the yosys version and script, totals
and ratios) and each row `synth` (luts, ffs, bram18, dsps) and `synth_ratio` (luts and brams,
measured over the model's; null where the model says 0); the text report gains those columns.
Without it, the report is unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xdsl.dialects.builtin import ModuleOp, StringAttr

from bnnir.analysis import targets
from bnnir.analysis.cost_model import frames_per_second
from bnnir.analysis.folding import Folding, Layer, folded_choice, hardware_layers
from bnnir.analysis.kernel_costs import (
    FINN,
    ideal_cycles,
    kernel_cost,
    matrix_work,
    module_cost_model,
)
from bnnir.analysis.stream_schedule import simulate
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw

if TYPE_CHECKING:
    from bnnir.backends.yosys import Resources

REPORT_FIELDS = ("layers", "clock_mhz", "max_cycles", "fps", "latency_cycles", "total_luts",
                 "total_brams", "ideal_cycles", "latency_name", "latency_definition",
                 "latency_bound_cycles", "part", "part_given", "estimates", "legend")
"""The fields of the JSON report, in order (the first eight are the original ones)."""

ROW_FIELDS = ("name", "kind", "pe", "simd", "cycles", "luts", "brams")
"""The fields of each of its rows."""

LATENCY_BOUND = ("latency bound", "sum of the kernels' cycles per frame, a bound with "
                 "unbounded streams")
LATENCY_SCHEDULE = ("latency", "cycle schedule with the FIFO depths, first input word to a "
                    "frame's last output word")
"""Each latency figure's name and definition (the module docstring explains them)."""

ESTIMATES = "estimated by the cost model (FINN's formulas), not synthesized"
MEASURED_ESTIMATES = ("estimated by the measured cost model (fitted to yosys synthesis of the "
                      "RTL), not synthesized")

LEGEND = {
    "name": "kernel: its layer and kind; a FIFO is named after the stream it sits on (from->to)",
    "kind": "mvtu matrix-vector unit, window generator, pad, pool, dwc width converter, ...",
    "pe": "PE: output lanes computed per cycle (a FIFO computes nothing: 1)",
    "simd": "SIMD: input lanes read per cycle (a FIFO's: the lanes of its word)",
    "cycles": "cycles per frame of the kernel (its initiation interval); the largest sets the fps",
    "luts": f"LUTs, {ESTIMATES}",
    "brams": f"BRAM18s (18 Kb halves of block RAMs), {ESTIMATES}",
}
"""What each row field of the JSON report means."""

TEXT_LEGEND = (
    ("shape", "before streaming: weights -> layer output; after: stream words read -> written "
              "per frame; a FIFO's depth"),
    ("PE", "output lanes computed per cycle; SIMD: input lanes read per cycle (none on FIFOs)"),
    ("cycles", LEGEND["cycles"]),
    ("LUT", "LUTs and BRAM18s (18 Kb halves of block RAMs), estimated (see total)"),
    ("of max", "the kernel's cycles as a share of the bottleneck's (100% is the bottleneck)"),
)
"""The text report's legend: its columns and what they mean."""

SYNTHESIZED = ("synthesized kernel by kernel by yosys (synth_xilinx -family xc7; LUTs: LUT1-6, "
               "INV, and LUT-RAM/SRL cells as the LUTs they take, as Vivado's CLB LUTs; BRAM18s: "
               "RAMB36 as 2); FIFOs included, the top module and port adapters not")
SYNTH_LEGEND = {
    "synth": f"luts, ffs, bram18, dsps {SYNTHESIZED}",
    "synth_ratio": "luts and brams: synthesized over the cost model's (null where the model "
                   "says 0)",
}
SYNTH_TEXT_LEGEND = (
    ("yLUT", "LUTs, FFs, BRAM18s and DSPs measured by yosys (see synthesized); LUT x: yLUT over "
             "the model's LUT"),
)
"""The fields and columns synthesis adds."""


def _fold_summary(module: ModuleOp) -> bnn.FoldSummaryAttr:
    summary = module.attributes.get("bnn.fold")
    if isinstance(summary, bnn.FoldSummaryAttr):
        return summary
    raise BnnirError("module", "has no bnn.fold summary; run bnn-fold first")


def _part(summary: bnn.FoldSummaryAttr) -> tuple[str, bool]:
    """The Vivado part string the build targets (as hls.tcl does) and whether it was given."""
    name = summary.part.data
    part = targets.find_part(name or targets.DEFAULT_PART)
    return (name if part is None else part.part), bool(name)


def kernel_names(design: hw.DesignOp) -> dict[hw.KernelOp, str]:
    """A unique name per kernel: its layer and kind (`conv3.mvtu`), numbered from the second of
    a kind in a layer on (`conv3.dwc2`); a FIFO is named after the stream it sits on, from its
    producer to its consumer (`conv3.dwc->mvtu`, `input->conv0.pad`)."""
    kernels = [op for op in design.kernels() if not isinstance(op, hw.FifoOp)]
    names = dict(zip(kernels, _numbered([f"{_layer_name(op, index)}.{op.spec.kind}"
                                         for index, op in enumerate(kernels)]), strict=True))
    fifos = [op for op in design.kernels() if isinstance(op, hw.FifoOp)]
    streams = []
    for fifo in fifos:
        producer, consumer = _stream_ends(fifo)
        source = "input" if producer is None else names[producer]
        sink = "output" if consumer is None else names[consumer]
        layer = sink.split(".")[0]
        if source.split(".")[0] == layer:
            sink = sink.removeprefix(f"{layer}.")
        streams.append(f"{source}->{sink}")
    return names | dict(zip(fifos, _numbered(streams), strict=True))


def _numbered(names: list[str]) -> list[str]:
    """The names with a count after the second and later of each (`x`, `x2`, `x3`)."""
    seen: Counter[str] = Counter()
    numbered = []
    for name in names:
        seen[name] += 1
        numbered.append(name if seen[name] == 1 else f"{name}{seen[name]}")
    return numbered


def _layer_name(op: hw.KernelOp, index: int) -> str:
    layer = op.attributes.get("layer")
    return layer.data if isinstance(layer, StringAttr) else f"k{index}"


def _stream_ends(fifo: hw.FifoOp) -> tuple[hw.KernelOp | None, hw.KernelOp | None]:
    """The kernels, FIFOs passed over, writing and reading the stream `fifo` sits on (None for
    the design's input and output)."""
    producer = fifo.input.owner
    while isinstance(producer, hw.FifoOp):
        producer = producer.input.owner
    consumer: object = fifo
    while isinstance(consumer, hw.FifoOp):
        consumer = next(iter(consumer.output.uses)).operation
    return (producer if isinstance(producer, hw.KernelOp) else None,
            consumer if isinstance(consumer, hw.KernelOp) else None)


def _row(name: str, spec: hw.KernelSpec, shape: str, model: str) -> dict[str, Any]:
    cost = kernel_cost(spec, model)
    pe, simd = spec.parallelism
    if isinstance(spec, hw.FifoSpec):
        shape = f"depth {spec.depth}"
    return {"name": name, "kind": spec.kind, "shape": shape, "pe": pe, "simd": simd,
            "cycles": cost.cycles, "luts": cost.luts, "brams": cost.brams}


def _kernel_rows(module: ModuleOp, model: str) -> tuple[list[dict[str, Any]], int, int]:
    """Rows of a module already converted to hwstream designs: one per kernel op."""
    rows, specs = [], []
    for design in [op for op in module.ops if isinstance(op, hw.DesignOp)]:
        names = kernel_names(design)
        for op in design.kernels():
            spec = op.spec
            specs.append(spec)
            rows.append(_row(names[op], spec, f"{spec.words_in()} -> {spec.words_out()} words",
                             model))
    return rows, *matrix_work(specs)


def build_report(module: ModuleOp) -> dict[str, Any]:
    summary = _fold_summary(module)
    clock_mhz = summary.clock_mhz.data
    model = module_cost_model(module)
    rows, macs, lanes = _kernel_rows(module, model)
    simulated = rows != []
    if not rows:
        rows, macs, lanes = _layer_rows(module, model)
    if not rows:
        raise BnnirError("module", "has no hardware layers to report")
    report = _summary(rows, macs, lanes, clock_mhz)
    if simulated:
        designs = [op for op in module.ops if isinstance(op, hw.DesignOp)]
        latency = sum(simulate(design).bounded_latency for design in designs)
        report["latency_cycles"] = latency
        report["latency_us"] = round(latency / clock_mhz, 3)
    report["latency_name"], report["latency_definition"] = (
        LATENCY_SCHEDULE if simulated else LATENCY_BOUND)
    report["part"], report["part_given"] = _part(summary)
    report["estimates"] = ESTIMATES
    report["legend"] = LEGEND
    if model != FINN:
        report["estimates"] = MEASURED_ESTIMATES
        report["legend"] = LEGEND | {key: LEGEND[key].replace(ESTIMATES, MEASURED_ESTIMATES)
                                     for key in ("luts", "brams")}
        report["cost_model"] = model
    return report


def _layer_rows(module: ModuleOp, model: str) -> tuple[list[dict[str, Any]], int, int]:
    """Rows of a folded bnn module: the kernels its layers become as bnn-fold chose them, the
    width converters between layers included, in stream order."""
    layers = hardware_layers(module, model)
    folding = Folding(tuple((layer, folded_choice(layer, "--emit-report")) for layer in layers))
    names = _numbered([f"{layer.name}.{kernel.spec.kind}" for layer, kernel in folding.kernels])
    rows = [_row(name, kernel.spec, _shape(layer), model)
            for name, (layer, kernel) in zip(names, folding.kernels, strict=True)]
    return rows, *matrix_work(folding.specs)


def _summary(rows: list[dict[str, Any]], macs: int, lanes: int, clock_mhz: float) -> dict[str, Any]:
    max_cycles = max(r["cycles"] for r in rows)
    for row in rows:
        row["bottleneck_share"] = round(row["cycles"] / max_cycles, 4)
    return {
        "layers": rows,
        "clock_mhz": clock_mhz,
        "max_cycles": max_cycles,
        "bottleneck": max(rows, key=lambda r: r["cycles"])["name"],
        "fps": frames_per_second(clock_mhz, max_cycles, decimals=3),
        "latency_cycles": sum(r["cycles"] for r in rows),
        "latency_us": round(sum(r["cycles"] for r in rows) / clock_mhz, 3),
        "latency_bound_cycles": sum(r["cycles"] for r in rows if r["kind"] != "fifo"),
        "total_luts": sum(r["luts"] for r in rows),
        "total_brams": sum(r["brams"] for r in rows),
        "total_macs": macs,
        "ideal_cycles": ideal_cycles(macs, lanes),
        "efficiency": round(macs / lanes / max_cycles, 4) if lanes else 0.0,
    }


def _shape(layer: Layer) -> str:
    op = layer.op
    out = bnn.tensor_type(op.results[0]).get_shape()
    dims = "x".join(str(d) for d in out[1:])
    if isinstance(op, bnn.Conv2dOp | bnn.DenseOp):
        w = bnn.tensor_type(op.weights).get_shape()
        return f"{'x'.join(str(d) for d in w)} -> {dims}"
    return dims


def _ratio(measured: int, model: int) -> float | None:
    return round(measured / model, 3) if model else None


def add_synthesis(report: dict[str, Any], measured: Sequence[Resources]) -> None:
    """Adds yosys' figures, one Resources per row in order, and their totals and ratios."""
    rows = report["layers"]
    if len(measured) != len(rows):
        raise BnnirError("--synth", f"{len(measured)} synthesized kernels for {len(rows)} rows; "
                         "synthesis needs a module after bnn-to-hwstream")
    for row, r in zip(rows, measured, strict=True):
        row["synth"] = {"luts": r.luts, "ffs": r.ffs, "bram18": r.bram18, "dsps": r.dsps}
        row["synth_ratio"] = {"luts": _ratio(r.luts, row["luts"]),
                              "brams": _ratio(r.bram18, row["brams"])}
    luts, brams = sum(r.luts for r in measured), sum(r.bram18 for r in measured)
    report["synthesis"] = {
        "yosys": sorted({r.yosys_version for r in measured}),
        "script": "read_verilog -sv -DENABLE_INITIAL_MEM_; synth_xilinx -family xc7 -top KERNEL",
        "total_luts": luts, "total_ffs": sum(r.ffs for r in measured), "total_bram18": brams,
        "total_dsps": sum(r.dsps for r in measured),
        "lut_ratio": _ratio(luts, report["total_luts"]),
        "bram_ratio": _ratio(brams, report["total_brams"]),
        "counts": SYNTHESIZED,
    }


def render_json(report: dict[str, Any]) -> str:
    """The report's JSON fields (REPORT_FIELDS, rows of ROW_FIELDS; with synthesis also
    `synthesis` and each row's `synth` and `synth_ratio`; under the measured cost model
    `cost_model`), one value per line."""
    synthesized = "synthesis" in report
    row_fields = (*ROW_FIELDS, "synth", "synth_ratio") if synthesized else ROW_FIELDS
    fields = {key: report[key] for key in (*REPORT_FIELDS, "cost_model") if key in report}
    fields["layers"] = [{key: row[key] for key in row_fields} for row in report["layers"]]
    if synthesized:
        fields["synthesis"] = report["synthesis"]
        fields["legend"] = report["legend"] | SYNTH_LEGEND
    return json.dumps(fields, indent=2) + "\n"


def _synth_columns(row: dict[str, Any] | None) -> str:
    """The text report's synthesis columns of a row (None: the header)."""
    if row is None:
        return f" {'yLUT':>8} {'yFF':>7} {'yBRAM18':>7} {'yDSP':>5} {'LUT x':>6}"
    s, ratio = row["synth"], row["synth_ratio"]["luts"]
    return (f" {s['luts']:>8} {s['ffs']:>7} {s['bram18']:>7} {s['dsps']:>5} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>6}")


def _synth_lines(report: dict[str, Any]) -> list[str]:
    if "synthesis" not in report:
        return []
    s = report["synthesis"]
    ratios = [f"{s['lut_ratio']:.2f}x the model's LUTs" if s["lut_ratio"] is not None else "",
              f"{s['bram_ratio']:.2f}x its BRAM18s" if s["bram_ratio"] is not None else ""]
    return [f"synthesized: {s['total_luts']} LUTs, {s['total_ffs']} FFs, {s['total_bram18']} "
            f"BRAM18s, {s['total_dsps']} DSPs ({', '.join(r for r in ratios if r)})",
            f"  by {', '.join(s['yosys'])}: {s['counts']}"]


def render_text(report: dict[str, Any]) -> str:
    synthesized = "synthesis" in report
    width = max(22, *(len(r["name"]) for r in report["layers"]))
    header = f"{'kernel':<{width}} {'kind':<12} {'shape':<24} {'PE':>5} {'SIMD':>5} " \
             f"{'cycles':>9} {'LUT':>8} {'BRAM18':>7} {'of max':>7}"
    header += _synth_columns(None) if synthesized else ""
    lines = [header, "-" * len(header)]
    for r in report["layers"]:
        pe, simd = ("", "") if r["kind"] == "fifo" else (r["pe"], r["simd"])
        lines.append(
            f"{r['name']:<{width}} {r['kind']:<12} {r['shape']:<24.24} {pe:>5} {simd:>5} "
            f"{r['cycles']:>9} {r['luts']:>8} {r['brams']:>7} {r['bottleneck_share']:>7.1%}"
            + (_synth_columns(r) if synthesized else "")
        )
    fps = frames_per_second(report["clock_mhz"], report["max_cycles"])
    legend = (*TEXT_LEGEND, *SYNTH_TEXT_LEGEND) if synthesized else TEXT_LEGEND
    lines += [
        "-" * len(header),
        f"total: {report['total_luts']} LUTs, {report['total_brams']} BRAM18s "
        f"({report['estimates']})",
        *_synth_lines(report),
        f"throughput: {fps:.1f} fps at {report['clock_mhz']:g} MHz "
        f"(bottleneck {report['bottleneck']}, {report['max_cycles']} cycles per frame)",
        *_latency_lines(report),
        f"ideal bound: {report['ideal_cycles']:.1f} cycles (total MACs / sum of PE x SIMD); "
        f"efficiency {report['efficiency']:.1%}",
        f"target: part {report['part']}"
        f"{'' if report['part_given'] else ' (none given: the default of hls.tcl)'}, "
        f"clock {report['clock_mhz']:g} MHz",
        "columns:",
        *(f"  {column:<7} {meaning}" for column, meaning in legend),
    ]
    return "\n".join(lines) + "\n"


def _latency_lines(report: dict[str, Any]) -> list[str]:
    """The report's latency, named and defined, and after streaming the bound besides."""
    clock = report["clock_mhz"]
    lines = [f"{report['latency_name']}: {report['latency_cycles']} cycles "
             f"({report['latency_us']:.1f} us; {report['latency_definition']})"]
    if report["latency_name"] != LATENCY_BOUND[0]:
        bound = report["latency_bound_cycles"]
        lines.append(f"{LATENCY_BOUND[0]}: {bound} cycles ({bound / clock:.1f} us; "
                     f"{LATENCY_BOUND[1]})")
    return lines
