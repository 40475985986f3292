"""bnn-translate: into and out of bnnir (ONNX import; HLS and report emitters).

    bnn-translate --import-onnx MODEL.onnx [--input-type ui8|si8|bipolar|binary] [-o OUT.mlir]
    bnn-translate IN.mlir --emit-report [--format text|json|svg] [--synth
                  [--synth-cluster tcp://HOST:8786]] [-o OUT]
    bnn-translate IN.mlir --emit-hls [-o DIR]
    bnn-translate IN.mlir --emit-circt [-o FILE]
    bnn-translate IN.mlir --emit-verilog -o DIR

Each translation is one entry of TRANSLATIONS; the emitters of later stages add theirs there.
The model may also come before its flag (`bnn-translate MODEL.onnx --import-onnx`), as the
emitters' input does. An .mlir file given to --import-onnx, or an ONNX model to an emitter, is
refused with the command that reads it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bnnir.diagnostics import BnnirError
from bnnir.tools.cli import (
    ToolArgumentParser,
    print_module,
    refuse_onnx,
    run_tool,
    write_atomic,
)
from bnnir.tools.progress import Progress

TOOL = "bnn-translate"


def import_onnx(args: argparse.Namespace) -> str:
    from bnnir.frontend.onnx import import_onnx as translate

    if args.input.endswith(".mlir"):
        raise BnnirError(args.input, "is an MLIR module, not an ONNX model; --import-onnx reads "
                         ".onnx files (bnn-opt and the emitters read .mlir)")
    return print_module(translate(args.input, args.input_type, input_scale=args.input_scale))


def emit_report(args: argparse.Namespace) -> str:
    from bnnir.backends.targets import render_report
    from bnnir.tools.cli import load_module

    if not args.synth:
        return render_report(load_module(args.input), args.format or "text")
    from bnnir.backends.report import add_synthesis, build_report, render_json, render_text
    from bnnir.backends.yosys import synthesize_design

    if args.format == "svg":
        raise BnnirError("--synth", "adds columns to the text and json reports, not to svg")
    module = load_module(args.input)
    report = build_report(module)
    add_synthesis(report, synthesize_design(module, cluster=args.synth_cluster,
                                            jobs=args.synth_jobs))
    return render_json(report) if args.format == "json" else render_text(report)


def emit_hls(args: argparse.Namespace) -> str:
    from bnnir.backends.hls.emit import emit_project, emit_translation_unit
    from bnnir.tools.cli import load_module

    module = load_module(args.input)
    if args.output is None:
        return emit_translation_unit(module)
    write_project(args.output, emit_project(module))
    return ""


def emit_circt(args: argparse.Namespace) -> str:
    from bnnir.backends.circt.project import emit_mlir
    from bnnir.tools.cli import load_module

    return emit_mlir(load_module(args.input))


def emit_verilog(args: argparse.Namespace) -> str:
    from bnnir.backends.circt.project import emit_project as emit_sv_project
    from bnnir.tools.cli import load_module

    if args.output is None:
        raise BnnirError("--emit-verilog", "needs -o DIR, the folder to write the SystemVerilog "
                         "files into")
    write_project(args.output, emit_sv_project(load_module(args.input)))
    return ""


def write_project(folder: str, files: dict[str, str]) -> None:
    """Write a project folder: every file atomically, into a folder made for it."""
    from pathlib import Path

    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise BnnirError(folder, "exists and is not a folder")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)


@dataclass(frozen=True)
class Translation:
    flag: str
    help: str
    run: Callable[[argparse.Namespace], str]
    reads_mlir: bool


TRANSLATIONS = (
    Translation("--import-onnx", "import an ONNX / QONNX / FINN-ONNX model (the argument)",
                import_onnx, reads_mlir=False),
    Translation("--emit-report", "print the folding report of a folded module",
                emit_report, reads_mlir=True),
    Translation("--emit-hls", "HLS C++: one translation unit, or a project folder with -o DIR",
                emit_hls, reads_mlir=True),
    Translation("--emit-circt", "the hw/comb/seq MLIR of the design (CIRCT 1.62 parses it)",
                emit_circt, reads_mlir=True),
    Translation("--emit-verilog", "SystemVerilog through CIRCT: a folder (-o DIR) with one file "
                "per module, a Verilator testbench and a README", emit_verilog, reads_mlir=True),
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = ToolArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?",
                        help="input: the .mlir module (emitters) or the model (--import-onnx)")
    modes = parser.add_mutually_exclusive_group(required=True)
    for t in TRANSLATIONS:
        if t.reads_mlir:
            modes.add_argument(t.flag, action="store_true", help=t.help)
        else:  # the file after the flag, or the positional input
            modes.add_argument(t.flag, metavar="FILE", nargs="?", const=True, help=t.help)
    parser.add_argument("--input-type", choices=["ui8", "si8", "bipolar", "binary"],
                        help="what the ONNX model's float input holds (with --import-onnx)")
    parser.add_argument("--input-scale", metavar="S|1/D",
                        help="the float input is S·k or k/D of the --input-type integers k "
                             "(1/255 for images scaled to [0, 1]; with --import-onnx)")
    parser.add_argument("--format", choices=["text", "json", "svg"],
                        help="report format (with --emit-report; default text; svg: a picture "
                             "of the pipeline, kernels sized by cycles, the bottleneck marked, "
                             "LUTs per layer)")
    parser.add_argument("--synth", action="store_true",
                        help="with --emit-report: synthesize every kernel with yosys "
                             "(synth_xilinx) and add its LUTs, FFs, BRAM18s and DSPs beside the "
                             "model's (cached in BNNIR_CACHE/synth)")
    parser.add_argument("--synth-cluster", metavar="tcp://HOST:8786",
                        help="with --synth: run the syntheses on this Dask scheduler's workers "
                             "(default: $BNNIR_SYNTH_CLUSTER, else local processes)")
    parser.add_argument("--synth-jobs", type=int, default=2, metavar="N",
                        help="with --synth: local processes (default 2)")
    parser.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress line on stderr when the translation takes over a second")
    return parser.parse_args(argv)


def _selected(args: argparse.Namespace) -> Translation:
    for t in TRANSLATIONS:
        if getattr(args, t.flag.lstrip("-").replace("-", "_")):
            return t
    raise AssertionError("argparse requires one translation")


def _input_of_import(args: argparse.Namespace, flag: str) -> None:
    """--import-onnx FILE, or FILE --import-onnx: the model becomes args.input."""
    given = getattr(args, flag.lstrip("-").replace("-", "_"))
    if given is not True and args.input is not None:
        raise BnnirError(args.input, f"unexpected second input file with {flag} {given}")
    if given is True and args.input is None:
        raise BnnirError(flag, "needs the model file: bnn-translate --import-onnx MODEL.onnx")
    if given is not True:
        args.input = given


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def run() -> None:
        translation = _selected(args)
        if translation.reads_mlir and args.input is None:
            raise BnnirError(translation.flag, "needs an input .mlir file")
        if not translation.reads_mlir:
            _input_of_import(args, translation.flag)
        else:
            refuse_onnx(args.input)
        for option, value, used_by in (("--format", args.format, "--emit-report"),
                                       ("--input-type", args.input_type, "--import-onnx"),
                                       ("--input-scale", args.input_scale, "--import-onnx"),
                                       ("--synth", args.synth or None, "--emit-report")):
            if value is not None and translation.flag != used_by:
                raise BnnirError(option, f"applies to {used_by}, not {translation.flag}")
        if args.synth_cluster is not None and not args.synth:
            raise BnnirError("--synth-cluster", "applies to --synth")
        if args.synth_jobs < 1:
            raise BnnirError("--synth-jobs", f"must be at least 1, got {args.synth_jobs}")
        try:
            with Progress(TOOL, args.quiet).step(f"{translation.flag} {args.input}"):
                text = translation.run(args)
        except BnnirError as e:  # a whole-module problem is the input file's
            if e.where != "module" or not translation.reads_mlir:
                raise
            raise BnnirError(args.input, e.what) from None
        if args.output is None:
            sys.stdout.write(text)
        elif text:
            write_atomic(args.output, text)

    return run_tool(TOOL, run)


if __name__ == "__main__":
    sys.exit(main())
