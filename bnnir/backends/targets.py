"""bnnir's emitters as xDSL targets (xdsl/utils/target.py), for `-t NAME` in bnn-opt and in
xdsl-opt once bnnir is installed (bnnir/universe.py):

    bnn-opt design.mlir -t bnn-hls                      # the HLS C++ translation unit
    bnn-opt design.mlir -t 'bnn-report{format=json}'    # the folding report: text, json or svg

They print what `bnn-translate --emit-hls` and `--emit-report` print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

REPORT_FORMATS = ("text", "json", "svg")


@dataclass(frozen=True)
class HlsTarget(Target):
    """The streaming design as one self-contained HLS C++ translation unit."""

    name: ClassVar[str] = "bnn-hls"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from bnnir.backends.hls.emit import emit_translation_unit

        output.write(emit_translation_unit(module))


@dataclass(frozen=True)
class ReportTarget(Target):
    """The folding report of a folded or streaming module.

    Arguments:
      format: text (default), json, or svg (a picture of the pipeline).
    """

    name: ClassVar[str] = "bnn-report"

    format: str = "text"

    def __post_init__(self) -> None:
        if self.format not in REPORT_FORMATS:
            raise ValueError(f"bnn-report: unknown format '{self.format}'; use "
                             f"{', '.join(REPORT_FORMATS)}")

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(render_report(module, self.format))


def render_report(module: ModuleOp, format: str) -> str:
    """The module's folding report in one of REPORT_FORMATS."""
    from bnnir.backends.report import build_report, render_json, render_text

    report = build_report(module)
    if format == "svg":
        from bnnir.backends.report_svg import render_svg

        return render_svg(report)
    return render_json(report) if format == "json" else render_text(report)
