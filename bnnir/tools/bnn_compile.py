"""bnn-compile: the whole flow, from an ONNX model to a folded streaming design and its HLS project.

    bnn-compile MODEL.onnx -o BUILD [--input-type ui8] [--target-fps F --clock-mhz M | --max-luts L]
                [--part xcku115] [--padding exact|minus-one] [--verify X.npy]

BUILD receives each stage's IR (1-imported.mlir, 2-hardware.mlir, 3-folded.mlir,
4-streaming.mlir), the folding report (report.txt, report.json) and the HLS project (hls/). With
--verify the interpreter runs X after every stage and the flow stops at the first stage that
changes the network's output; the C simulation of the project is checked too. When the
streaming design ends before the network's last layer (an op between layers without a streaming
kernel, such as float arithmetic that threshold fusion could not remove), a warning names that op
and the first layer left to the host.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from bnnir.diagnostics import BnnirError, describe
from bnnir.tools.cli import run_tool, write_atomic

TOOL = "bnn-compile"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    parser.add_argument("model", metavar="MODEL.onnx")
    parser.add_argument("-o", "--output", required=True, metavar="BUILD", help="build folder")
    parser.add_argument("--input-type", choices=["ui8", "si8", "bipolar", "binary"])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target-fps", type=float, help="frames per second to reach")
    target.add_argument("--max-luts", type=int, help="the fastest folding within this budget")
    parser.add_argument("--clock-mhz", type=float, default=200.0)
    parser.add_argument("--part", help="bound the search by a device (xcku115, ...)")
    parser.add_argument("--padding", choices=["exact", "minus-one"], default="exact")
    parser.add_argument("--verify", metavar="X.npy", help="check every stage's output on X")
    return parser.parse_args(argv)


def stages(args: argparse.Namespace) -> list[tuple[str, list[ModulePass]]]:
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream
    from bnnir.passes.fold import Fold
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.size_fifos import SizeFifos
    from bnnir.passes.threshold_fusion import ThresholdFusion

    if args.target_fps is None and args.max_luts is None and args.part is None:
        raise BnnirError("options", "give --target-fps, --max-luts or --part to choose a folding")
    fold = Fold(target_fps=args.target_fps, max_luts=args.max_luts, clock_mhz=args.clock_mhz,
                part=args.part)
    return [
        ("2-hardware.mlir", [ThresholdFusion(), LegalizePadding(args.padding)]),
        ("3-folded.mlir", [fold]),
        ("4-streaming.mlir", [BnnToHwstream(), SizeFifos()]),
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


def _print(module: ModuleOp) -> str:
    from bnnir.tools.cli import print_module

    return print_module(module)


class Checker:
    """Runs the module on X after each stage and compares with the first run."""

    def __init__(self, path: str | None, module: ModuleOp):
        from bnnir.tools.bnn_run import load_input

        self.x = None if path is None else load_input(path)
        self.expected = None if self.x is None else self.run(module)

    def run(self, module: ModuleOp, engine: str = "interp") -> tuple[np.ndarray, ...]:
        from bnnir.interp import run_module_all

        assert self.x is not None
        return run_module_all(module, [self.x], engine)

    def check(self, stage: str, module: ModuleOp, engine: str = "interp") -> None:
        if self.x is None:
            return
        assert self.expected is not None
        for got, want in zip(self.run(module, engine), self.expected, strict=True):
            if got.shape != want.shape or got.tobytes() != want.tobytes():
                raise BnnirError(stage, "changed the network's output on the --verify input")
        print(f"{TOOL}: {stage}: outputs unchanged" + (f" ({engine})" if engine != "interp"
                                                         else ""))


def compile_model(args: argparse.Namespace) -> None:
    from bnnir.backends.report import build_report, render_json, render_text
    from bnnir.frontend.onnx_import import import_onnx
    from bnnir.tools.bnn_translate import write_project

    build = Path(args.output)
    build.mkdir(parents=True, exist_ok=True)
    module = import_onnx(args.model, args.input_type)
    write_atomic(build / "1-imported.mlir", _print(module))
    checker = Checker(args.verify, module)
    for name, passes in stages(args):
        for p in passes:
            p.apply(Context(), module)
            module.verify()
        checker.check(name, module)
        write_atomic(build / name, _print(module))
    if (warning := host_layers(module)) is not None:
        print(f"{TOOL}: warning: {warning}", file=sys.stderr)
    report = build_report(module)
    write_atomic(build / "report.txt", render_text(report))
    write_atomic(build / "report.json", render_json(report))
    from bnnir.backends.hls.emit import emit_project

    write_project(str(build / "hls"), emit_project(module))
    if args.verify is not None:
        checker.check("hls", module, engine="csim")
    print(render_text(report), end="")
    print(f"{TOOL}: wrote {build}/")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_tool(TOOL, lambda: compile_model(args))


if __name__ == "__main__":
    sys.exit(main())
