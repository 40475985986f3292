"""The folding report as a picture: an SVG of the streaming pipeline, drawn with matplotlib.

Top: every kernel in stream order as a box whose height is its cycles per frame (the cost
model's), the bottleneck (the tallest, which sets the frame rate) in red and named, FIFOs in grey.
Bottom: the LUTs of each layer (its kernels and the width converters feeding them; the FIFOs
together). It reads the dict of bnnir.backends.report.build_report and prints the same numbers as
the text report. The SVG is deterministic: text stays text (searchable), element ids come from a
fixed salt and no date is written.
"""

from __future__ import annotations

import io
from typing import Any

BOTTLENECK = "#c0392b"
KERNEL = "#4a7ab5"
FIFO = "#a0a0a0"


def layer_of(row: dict[str, Any]) -> str:
    """The layer a report row belongs to: its name up to the first dot; FIFOs together."""
    return "FIFOs" if row["kind"] == "fifo" else row["name"].split(".", 1)[0]


def luts_per_layer(report: dict[str, Any]) -> dict[str, int]:
    """LUTs of each layer, in stream order (the FIFOs last)."""
    totals: dict[str, int] = {}
    for row in report["layers"]:
        if row["kind"] != "fifo":
            totals[layer_of(row)] = totals.get(layer_of(row), 0) + row["luts"]
    fifos = sum(row["luts"] for row in report["layers"] if row["kind"] == "fifo")
    return totals | ({"FIFOs": fifos} if fifos else {})


def render_svg(report: dict[str, Any]) -> str:
    """The pipeline picture of a report, as SVG text."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure(report).savefig(out, format="svg", metadata={"Date": None, "Creator": "bnnir"})
    return out.getvalue()


STYLE = {"svg.hashsalt": "bnnir", "svg.fonttype": "none", "font.size": 8}
"""Deterministic SVG with text as text."""


def figure(report: dict[str, Any]) -> Any:
    """The picture as a matplotlib Figure (no pyplot: no global state, no display)."""
    from matplotlib.figure import Figure

    rows = report["layers"]
    labels = max(len(r["name"]) for r in rows)
    picture = Figure(figsize=(max(6.0, 0.4 * len(rows) + 2), 5.5 + 0.06 * labels))
    top, bottom = picture.subplots(2, 1, height_ratios=(3, 2))
    # room below the kernel axis for its rotated names (about 0.06 in per character)
    picture.subplots_adjust(left=0.08, right=0.98, top=0.94, bottom=0.06,
                            hspace=0.3 + 0.02 * labels)
    _draw_pipeline(top, report)
    _draw_luts(bottom, report)
    return picture


def _draw_pipeline(axes: Any, report: dict[str, Any]) -> None:
    rows = report["layers"]
    colors = [BOTTLENECK if r["name"] == report["bottleneck"] else
              FIFO if r["kind"] == "fifo" else KERNEL for r in rows]
    positions = range(len(rows))
    axes.bar(positions, [r["cycles"] for r in rows], width=0.8, color=colors,
             edgecolor="black", linewidth=0.5)
    axes.set_xticks(list(positions), [r["name"] for r in rows], rotation=60, ha="right")
    axes.set_ylabel("cycles per frame (cost model)")
    axes.axhline(report["max_cycles"], color=BOTTLENECK, linestyle="--", linewidth=0.8)
    index = next(i for i, r in enumerate(rows) if r["name"] == report["bottleneck"])
    axes.annotate(f"bottleneck {report['bottleneck']}: {report['max_cycles']} cycles",
                  (index, report["max_cycles"]), xytext=(0, 6), textcoords="offset points",
                  ha="center", color=BOTTLENECK)
    axes.set_ylim(0, report["max_cycles"] * 1.15)
    axes.set_title(f"pipeline of {len(rows)} kernels: {report['fps']:.1f} fps at "
                   f"{report['clock_mhz']:g} MHz, {report['total_luts']} LUTs, "
                   f"{report['total_brams']} BRAM18s (estimates)")


def _draw_luts(axes: Any, report: dict[str, Any]) -> None:
    luts = luts_per_layer(report)
    positions = range(len(luts))
    bars = axes.bar(positions, list(luts.values()), width=0.6,
                    color=[FIFO if name == "FIFOs" else KERNEL for name in luts],
                    edgecolor="black", linewidth=0.5)
    axes.bar_label(bars, [str(v) for v in luts.values()], padding=2)
    axes.set_xticks(list(positions), list(luts))
    axes.set_ylabel("LUTs per layer (cost model)")
    axes.set_ylim(0, max(luts.values(), default=0) * 1.2 + 1)
