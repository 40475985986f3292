"""bnn-compile: the whole flow, from an ONNX model to a folded streaming design and its HLS project.

    bnn-compile MODEL.onnx -o BUILD [--input-type ui8] [--target-fps F | --max-luts L]
                [--clock-mhz M] [--part xcku115] [--folding-file F.json]
                [--padding exact|minus-one] [--verify X.npy]

BUILD receives each stage's IR (1-imported.mlir, 2-hardware.mlir, 3-folded.mlir,
4-streaming.mlir), the folding report (report.txt, report.json), the HLS project (hls/) and the
SystemVerilog through CIRCT (rtl/), all written once every stage has succeeded: a failed run
leaves BUILD as it was. With --verify the interpreter runs X after every stage and the flow
stops at the first stage that changes the network's output; the C simulation of the project and
the Verilator simulation of the SystemVerilog are checked too. With --padding
minus-one the padding pass may change the output on purpose (unless the network was trained
with -1 padding): the later stages are checked against the output it gives. When the
streaming design ends before the network's last layer (an op between layers without a streaming
kernel, such as float arithmetic that threshold fusion could not remove), a warning names that op
and the first layer left to the host.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from bnnir.diagnostics import BnnirError, describe
from bnnir.tools.cli import ToolArgumentParser, run_tool

if TYPE_CHECKING:
    from bnnir.interp.run import Engine

TOOL = "bnn-compile"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from bnnir.passes.fold import PARTS

    parser = ToolArgumentParser(
        prog=TOOL, description=__doc__.splitlines()[0],
        epilog="Choose the folding with --target-fps, --max-luts, --part or --folding-file (they "
               "combine: a target within a budget or device, with some layers fixed).")
    parser.add_argument("model", metavar="MODEL.onnx",
                        help="the network: ONNX, QONNX or FINN-ONNX")
    parser.add_argument("-o", "--output", required=True, metavar="BUILD",
                        help="folder to write: each stage's IR, report.txt, report.json and "
                             "the HLS project hls/ and the SystemVerilog rtl/")
    parser.add_argument("--input-type", choices=["ui8", "si8", "bipolar", "binary"],
                        help="what the model's float input holds: 8-bit pixels 0..255 (ui8) or "
                             "-128..127 (si8), -1/+1 (bipolar), 0/1 (binary); needed unless a "
                             "QONNX annotation or input quantizer says it")
    parser.add_argument("--target-fps", type=float, metavar="F",
                        help="the cheapest folding reaching F frames per second")
    parser.add_argument("--max-luts", type=int, metavar="L",
                        help="at most L LUTs: alone, the fastest folding within them")
    parser.add_argument("--clock-mhz", type=float, default=200.0, metavar="M",
                        help="the design's clock, for --target-fps and the synthesis script "
                             "(default 200)")
    parser.add_argument("--part", choices=list(PARTS),
                        help="a device whose LUTs and BRAM18s bound the folding, and the "
                             "synthesis script's part (default there: xczu7ev)")
    parser.add_argument("--folding-file", metavar="F.json",
                        help="fix the PE/SIMD of the layers it names, in bnnir's or FINN's "
                             'spelling: {"conv1": {"pe": 4, "simd": 9}}')
    parser.add_argument("--padding", choices=["exact", "minus-one"], default="exact",
                        help="zero padding of bipolar maps: exact (-1 padding plus a border "
                             "correction; the default) or minus-one (plain -1 padding, which "
                             "changes the output unless the network was trained with it)")
    parser.add_argument("--verify", metavar="X.npy",
                        help="check that every stage and the C simulation (needs g++) give the "
                             "model's output on the batch X")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Stage:
    """Passes whose result is written to `file`; `changes_output` says the passes may change
    the network's output on purpose (minus-one padding)."""

    file: str
    passes: tuple[ModulePass, ...]
    changes_output: bool = False


def stages(args: argparse.Namespace) -> list[Stage]:
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.fold import Fold
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.size_fifos import SizeFifos
    from bnnir.passes.threshold_fusion import ThresholdFusion

    if all(getattr(args, a) is None for a in ("target_fps", "max_luts", "part", "folding_file")):
        raise BnnirError("options", "give --target-fps, --max-luts, --part or --folding-file "
                         "to choose a folding")
    fold = Fold(target_fps=args.target_fps, max_luts=args.max_luts, clock_mhz=args.clock_mhz,
                part=args.part, folding_file=args.folding_file)
    minus_one = args.padding == "minus-one"
    return [
        # fusion is checked on its own when the padding that follows may change the output
        Stage("2-hardware.mlir", (ThresholdFusion(),)) if minus_one else
        Stage("2-hardware.mlir", (ThresholdFusion(), LegalizePadding(args.padding))),
        *([Stage("2-hardware.mlir", (LegalizePadding(args.padding),), True)] if minus_one
          else []),
        Stage("3-folded.mlir", (fold,)),
        Stage("4-streaming.mlir", (BnnToHwstream(), SizeFifos())),
    ]


def host_layers(module: ModuleOp) -> str | None:
    """When the streaming design ends before the network's last layer (bnn-to-hwstream stops at
    the first op between layers that has no streaming kernel, such as float arithmetic left by
    threshold fusion), a warning naming that op and the first layer left to the host."""
    from bnnir.dialects import bnn
    from bnnir.dialects.hwstream import InstanceOp
    from bnnir.interp.run import entry_function

    ops = list(entry_function(module).body.block.ops)
    start = next((i for i, op in enumerate(ops) if isinstance(op, InstanceOp)), None)
    if start is None:
        return None
    after = ops[start + 1 :]
    layer = next((op for op in after if isinstance(op, bnn.Conv2dOp | bnn.DenseOp)), None)
    if layer is None:
        return None
    stop = next(op for op in after
                if not isinstance(op, bnn.ConstantOp | bnn.FlattenOp | bnn.ReshapeOp))
    return (f"the hardware design ends at {describe(stop)}, which has no streaming kernel; "
            f"{describe(layer)} and everything after it run on the host")


def over_budget(args: argparse.Namespace, report: dict[str, Any]) -> str | None:
    """Whether the FIFOs, sized after folding, take the design past --max-luts or --part (bnn-fold
    budgets the kernels and width converters; the FIFOs depend on the folding it chooses)."""
    from bnnir.passes.fold import PARTS

    luts, brams = report["total_luts"], report["total_brams"]
    limits = [(args.max_luts, None, f"--max-luts {args.max_luts}")] if args.max_luts else []
    if args.part:
        limits.append((*PARTS[args.part], args.part))
    for max_luts, max_brams, name in limits:
        if luts > max_luts or (max_brams is not None and brams > max_brams):
            return (f"with its FIFOs the design needs {luts} LUTs and {brams} BRAM18s, more than "
                    f"{name} allows; fold for a smaller budget (bnn-fold does not count FIFOs)")
    return None


def _print(module: ModuleOp) -> str:
    from bnnir.tools.cli import print_module

    return print_module(module)


class Checker:
    """Runs the module on X after each stage and compares with the model's output (or, after a
    stage that may change it on purpose, with that stage's)."""

    def __init__(self, path: str | None, module: ModuleOp):
        from bnnir.tools.cli import load_batch

        self.x = None if path is None else load_batch(path)
        self.expected = None
        if self.x is not None:
            try:
                self.expected = self.run(module)
            except BnnirError as e:  # name the file whose batch does not fit the model
                raise BnnirError(str(path), f"{e.what} (the model's input)") from None

    def run(self, module: ModuleOp, engine: str | Engine = "interp") -> tuple[np.ndarray, ...]:
        from bnnir.interp import run_module_all

        assert self.x is not None
        return run_module_all(module, [self.x], engine)

    def _changed(self, outputs: tuple[np.ndarray, ...]) -> bool:
        assert self.expected is not None
        return any(got.shape != want.shape or got.tobytes() != want.tobytes()
                   for got, want in zip(outputs, self.expected, strict=True))

    def check(self, stage: str, module: ModuleOp, engine: str | Engine = "interp",
              engine_name: str | None = None) -> None:
        if self.x is None:
            return
        if self._changed(self.run(module, engine)):
            raise BnnirError(stage, "changed the network's output on the --verify input")
        name = engine_name or (engine if isinstance(engine, str) else "")
        print(f"{TOOL}: {stage}: outputs unchanged" + (f" ({name})" if name != "interp"
                                                         else ""), flush=True)

    def rebase(self, stage: str, module: ModuleOp, why: str) -> None:
        """After a stage that may change the output on purpose: its output is the new
        reference."""
        if self.x is None:
            return
        outputs = self.run(module)
        if not self._changed(outputs):
            print(f"{TOOL}: {stage}: outputs unchanged", flush=True)
            return
        self.expected = outputs
        print(f"{TOOL}: {stage}: outputs changed by {why}; the later stages are checked "
              "against them", flush=True)


def compile_model(args: argparse.Namespace) -> None:
    from bnnir.backends.circt.project import emit_project as emit_rtl
    from bnnir.backends.circt.sim import RtlEngine
    from bnnir.backends.hls.emit import emit_project
    from bnnir.backends.report import build_report, render_json, render_text
    from bnnir.frontend.onnx_import import import_onnx
    from bnnir.tools.bnn_translate import write_project

    plan = stages(args)  # bad options fail before any work
    build = Path(args.output)
    if build.exists() and not build.is_dir():
        raise BnnirError(str(build), "is a file; -o names the build folder to write")
    # Everything is kept in memory and written only when every stage has succeeded, so a failed
    # run leaves BUILD as it was (no mix of this run's stages with an earlier run's).
    files: dict[str, str] = {}
    module = import_onnx(args.model, args.input_type)
    files["1-imported.mlir"] = _print(module)
    checker = Checker(args.verify, module)
    for stage in plan:
        for p in stage.passes:
            p.apply(Context(), module)
            module.verify()
        if stage.changes_output:
            checker.rebase(stage.file, module, f"{args.padding} padding")
        else:
            checker.check(stage.file, module)
        files[stage.file] = _print(module)
    if (warning := host_layers(module)) is not None:
        print(f"{TOOL}: warning: {warning}", file=sys.stderr)
    report = build_report(module)
    if (warning := over_budget(args, report)) is not None:
        print(f"{TOOL}: warning: {warning}", file=sys.stderr)
    files["report.txt"] = render_text(report)
    files["report.json"] = render_json(report)
    files |= {f"hls/{name}": text for name, text in emit_project(module).items()}
    files |= {f"rtl/{name}": text for name, text in emit_rtl(module).items()}
    if args.verify is not None:
        checker.check("hls", module, engine="csim")
        checker.check("rtl", module, RtlEngine(), "rtl")
    write_project(str(build), files)
    print(render_text(report), end="")
    print(f"{TOOL}: wrote {build}/: the IR after each stage, report.txt, report.json, the "
          f"HLS project hls/ (see {build / 'hls'}/README.md) and the SystemVerilog rtl/ (see "
          f"{build / 'rtl'}/README.md)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_tool(TOOL, lambda: compile_model(args))


if __name__ == "__main__":
    sys.exit(main())
