"""bnn-compile: the whole flow, from an ONNX model to a folded streaming design and its HLS project.

    bnn-compile MODEL.onnx -o BUILD [--input-type ui8] [--target-fps F | --max-luts L]
                [--clock-mhz M] [--part xcku115|PYNQ-Z2|...] [--max-brams B]
                [--folding-file F.json]
                [--padding exact|minus-one] [--verify X.npy]
                [--synth [--synth-cluster tcp://HOST:8786]]

BUILD receives each stage's IR (1-imported.mlir, 2-hardware.mlir, 3-folded.mlir,
4-streaming.mlir), the folding report (report.txt, report.json, and report.svg: a picture of the
pipeline), the HLS project (hls/) and the SystemVerilog exported through CIRCT (rtl/), all
written once every stage has succeeded: a failed run leaves BUILD as it was. With
--verify the interpreter runs X after every stage and the flow stops at the first stage that
changes the network's output; the C simulation of the HLS project and the Verilator simulation
of the SystemVerilog are checked too, and the imported module is compared with the original model
run by its own runtime (onnxruntime, or qonnx for QONNX models, when installed): rows that differ
by the contract's documented cases (Sign ties, Gemm blocks over 256 inputs) are named in a
warning, any other difference stops the flow. With --padding
minus-one the padding pass may change the output on purpose (unless the network was trained
with -1 padding): the later stages are checked against the output it gives. When the
streaming design ends before the network's last layer (an op between layers without a streaming
kernel, such as float arithmetic that threshold fusion could not remove), a warning names that op
and the first layer left to the host. With --synth every kernel is also synthesized by yosys
and the report gains its LUTs, FFs, BRAM18s and DSPs beside the model's. Steps that take over a
second are announced on stderr when it is a terminal (bnnir/tools/progress.py; --quiet: not).
The flow is bnnir.compile (bnnir/api.py), which returns the build to Python.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bnnir.analysis import targets
from bnnir.tools.cli import ToolArgumentParser, run_tool

TOOL = "bnn-compile"


def _part(name: str) -> str:
    """A --part value: a part or board name bnnir knows (bnnir/analysis/targets.py)."""
    if targets.find_part(name) is None:
        raise argparse.ArgumentTypeError(f"unknown part or board '{name}'; known "
                                         f"{targets.known_targets()}")
    return name


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = ToolArgumentParser(
        prog=TOOL, description=__doc__.splitlines()[0],
        epilog="Choose the folding with --target-fps, --max-luts, --max-brams, --part or "
               "--folding-file (they combine: a target within a budget or device, with some "
               "layers fixed).")
    parser.add_argument("model", metavar="MODEL.onnx",
                        help="the network: ONNX, QONNX or FINN-ONNX")
    parser.add_argument("-o", "--output", required=True, metavar="BUILD",
                        help="folder to write: each stage's IR, report.txt, report.json, "
                             "report.svg (the pipeline's picture), the HLS project hls/ and the "
                             "SystemVerilog rtl/")
    parser.add_argument("--input-type", choices=["ui8", "si8", "bipolar", "binary"],
                        help="what the model's float input holds: 8-bit pixels 0..255 (ui8) or "
                             "-128..127 (si8), -1/+1 (bipolar), 0/1 (binary); needed unless a "
                             "QONNX annotation or input quantizer says it")
    parser.add_argument("--input-scale", metavar="S|1/D",
                        help="the float input is S·k or k/D of the --input-type integers k, "
                             "which the design reads (1/255 for images scaled to [0, 1])")
    parser.add_argument("--target-fps", type=float, metavar="F",
                        help="the cheapest folding reaching F frames per second")
    parser.add_argument("--max-luts", type=int, metavar="L",
                        help="at most L LUTs: alone, the fastest folding within them")
    parser.add_argument("--clock-mhz", type=float, default=targets.DEFAULT_CLOCK_MHZ,
                        metavar="M", help="the design's clock, for --target-fps and the synthesis "
                        f"script (default {targets.DEFAULT_CLOCK_MHZ:g})")
    default = targets.PARTS[targets.DEFAULT_PART]
    parser.add_argument("--part", type=_part, metavar="PART",
                        help="a device or board whose LUTs and BRAM18s bound the folding, and "
                             "the synthesis script's part (without it: no bound, and hls.tcl "
                             f"targets {default.part}); {targets.known_targets()}")
    parser.add_argument("--max-brams", type=int, metavar="B",
                        help="at most B BRAM18s (a custom device's, with --max-luts)")
    parser.add_argument("--folding-file", metavar="F.json",
                        help="fix the PE/SIMD of the layers it names, in bnnir's or FINN's "
                             'spelling: {"conv1": {"pe": 4, "simd": 9}}')
    parser.add_argument("--cost", choices=["finn", "measured"], default="finn",
                        help="the cost model folding minimizes: FINN's formulas (finn, the "
                             "default) or the measured model fitted to yosys synthesis of the "
                             "RTL (measured)")
    parser.add_argument("--padding", choices=["exact", "minus-one"], default="exact",
                        help="zero padding of bipolar maps: exact (-1 padding plus a border "
                             "correction; the default) or minus-one (plain -1 padding, which "
                             "changes the output unless the network was trained with it)")
    parser.add_argument("--verify", metavar="X.npy",
                        help="check that every stage and the C simulation (needs g++) give the "
                             "model's output on the batch X")
    parser.add_argument("--synth", action="store_true",
                        help="synthesize every kernel with yosys (synth_xilinx) and add its "
                             "LUTs, FFs, BRAM18s and DSPs to the report beside the model's")
    parser.add_argument("--synth-cluster", metavar="tcp://HOST:8786",
                        help="with --synth: run the syntheses on this Dask scheduler's workers "
                             "(default: $BNNIR_SYNTH_CLUSTER, else 2 local processes)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr for the steps that take over a second")
    return parser.parse_args(argv)


def compile_model(args: argparse.Namespace) -> None:
    from bnnir.api import Options, compile_with
    from bnnir.backends.report import render_text

    options = Options(input_type=args.input_type, input_scale=args.input_scale,
                      target_fps=args.target_fps,
                      max_luts=args.max_luts, clock_mhz=args.clock_mhz, part=args.part,
                      folding_file=args.folding_file, padding=args.padding,
                      max_brams=args.max_brams, cost=args.cost, synth=args.synth,
                      synth_cluster=args.synth_cluster)
    build = compile_with(args.model, options, verify=args.verify, output=args.output,
                         quiet=args.quiet, log=_log, tool=TOOL)
    print(render_text(build.report), end="")
    folder = Path(args.output)
    print(f"{TOOL}: wrote {folder}/: the IR after each stage, report.txt, report.json, the "
          f"pipeline picture report.svg, the HLS project hls/ (see {folder / 'hls'}/README.md) "
          f"and the SystemVerilog rtl/ (see {folder / 'rtl'}/README.md)")


def _log(line: str) -> None:
    """The flow's lines: warnings on stderr, --verify's checks on stdout."""
    warning = line.startswith("warning: ")
    print(f"{TOOL}: {line}", file=sys.stderr if warning else sys.stdout, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_tool(TOOL, lambda: compile_model(args))


if __name__ == "__main__":
    sys.exit(main())
