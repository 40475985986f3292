"""bnn-opt: run pass pipelines over bnnir modules (xDSL's opt driver with bnnir's dialects).

    bnn-opt IN.mlir --pass-pipeline='builtin.module(bnn-threshold-fusion,bnn-legalize-padding)'
    bnn-opt IN.mlir -p 'bnn-legalize-padding{mode=minus-one}' -o OUT.mlir
    bnn-opt IN.mlir -p bnn-threshold-fusion --verify-each=X.npy

`--verify-each=X.npy` runs the interpreter on X after every pass and stops at the first pass that
changes the network's output, naming it (FINN's verification steps, automated). It runs in xDSL's
pass-pipeline callback, with the verifier, --time-passes and --print-between-passes. `--help`
lists every pass with its options; `--help-pass NAME` describes one. A pass or check running
over a second is announced on a terminal's stderr, unless --quiet (bnnir/tools/progress.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import re
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from types import NoneType
from typing import IO, Any, get_args, get_type_hints

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.targets.mlir import MLIRTarget
from xdsl.utils.arg_spec import parse_pipeline
from xdsl.utils.hints import isa
from xdsl.xdsl_opt_main import xDSLOptMain

from bnnir.diagnostics import BnnirError
from bnnir.tools.cli import (
    ExactPrinter,
    LocatingParser,
    ToolArgumentParser,
    decode_mlir,
    refuse_onnx,
    run_tool,
    verify_located,
    write_atomic,
)
from bnnir.tools.output_check import OutputCheck
from bnnir.tools.pass_help import describe_type, pass_help, pass_list
from bnnir.tools.progress import Progress

TOOL = "bnn-opt"


def mlir_pipeline_to_xdsl(pipeline: str) -> str:
    """'builtin.module(a,b{x=1 y=2})' -> 'a,b{x=1 y=2}' (MLIR's syntax onto xDSL's)."""
    text = pipeline.strip().strip("'\"")
    if text.count("(") != text.count(")"):
        raise BnnirError("--pass-pipeline", f"unbalanced parentheses in {text}")
    match = re.fullmatch(r"(?:builtin\.)?module\((.*)\)", text, flags=re.S)
    body = match.group(1) if match else text
    if re.search(r"[\w.]\(", body):
        raise BnnirError("--pass-pipeline", f"nested pass pipelines are not supported: {pipeline}")
    return body.strip()


_OPTION_VALUE = re.compile(r'"(?:\\.|[^"\\])*"|(?<=[{\s])([A-Za-z0-9_-]+)=([^\s{}"][^\s{}]*)')
_XDSL_VALUE = re.compile(r"([-+]?[0-9]+(\.[0-9]*([eE][-+]?[0-9]+)?)?|[A-Za-z0-9_-]+)"
                         r"(,([-+]?[0-9]+(\.[0-9]*([eE][-+]?[0-9]+)?)?|[A-Za-z0-9_-]+))*")


_SCIENTIFIC = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def _positional(number: float) -> str:
    """A number as xDSL's pipeline lexer reads it: `1e3` -> `1000`, `2.5e-1` -> `0.25`."""
    if number.is_integer() and abs(number) < 2**63:
        return str(int(number))
    return np.format_float_positional(number, trim="0")


def quote_bare_values(pipeline: str) -> str:
    """Quote pass option values xDSL's pipeline lexer would split, as MLIR reads them whole:
    `bnn-fold{folding-file=F.json}` -> `bnn-fold{folding-file="F.json"}`."""

    def quoted(match: re.Match[str]) -> str:
        key, value = match.groups()
        if key is not None and _SCIENTIFIC.fullmatch(value):  # xDSL would read `1e3` as a name
            return f"{key}={_positional(float(value))}"
        if key is None or _XDSL_VALUE.fullmatch(value):  # a quoted string, or a plain value
            return match.group(0)
        return f"{key}={json.dumps(value, ensure_ascii=False)}"

    return _OPTION_VALUE.sub(quoted, pipeline)


def _preprocess(argv: Sequence[str]) -> list[str]:
    """Rewrite `--pass-pipeline X` / `--pass-pipeline=X` into xDSL's `-p X`, and quote bare
    option values (file names) in every pipeline."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("--pass-pipeline", "-p", "--passes"):
            value = next(args, None)
            if value is None:
                raise BnnirError(arg, "expects a pipeline, e.g. "
                                 "'builtin.module(bnn-threshold-fusion)'")
            out += ["-p", quote_bare_values(mlir_pipeline_to_xdsl(value))]
        elif arg.startswith(("--pass-pipeline=", "--passes=")):
            out += ["-p", quote_bare_values(mlir_pipeline_to_xdsl(arg.split("=", 1)[1]))]
        else:
            out.append(arg)
    return out


@dataclass(frozen=True)
class ExactMLIRTarget(MLIRTarget):
    """xDSL's MLIR output, printed so that float payloads parse back bit-exactly."""

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        if self.syntax_highlight:
            super().emit(ctx, module, output)
            return
        printer = ExactPrinter(
            stream=output,
            print_generic_format=self.print_generic_format,
            print_properties_as_attributes=self.print_properties_as_attributes,
            print_debuginfo=self.print_debuginfo,
        )
        printer.print_op(module)
        printer.print_metadata(ctx.loaded_dialects)
        output.write("\n")  # one newline, as bnn-translate and bnn-compile end their modules


HIDDEN_OPTIONS = {"frontend", "shrink", "print_no_properties", "syntax_highlight"}
"""xDSL's options that mean nothing for bnnir's modules (one frontend, no shrinking)."""

OPTION_HELP = {
    "passes": "pass pipeline in xDSL's syntax: 'a,b{option=value ...}' (passes below)",
    "target": "what to print: mlir (default), bnn-hls (the HLS C++ translation unit), "
              "'bnn-report{format=text|json|svg}' (the folding report)",
    "disable_verify": "do not run the IR verifiers after parsing and after each pass",
    "input_file": "the .mlir module to read (standard input if none or '-')",
    "output_file": "the file to write (atomically; standard output if none)",
    "version": "print the version of bnnir's xDSL",
}


class BnnOptMain(xDSLOptMain):
    version_format = "bnn-opt (bnnir, xdsl {xdsl_version})"
    parser: LocatingParser | None = None
    """The parser of the current input chunk (it knows where each op was)."""

    def register_all_dialects(self) -> None:
        from xdsl.dialects.arith import Arith
        from xdsl.dialects.builtin import Builtin
        from xdsl.dialects.func import Func

        from bnnir.universe import BNNIR_UNIVERSE

        for dialect in (Builtin, Func, Arith):
            self.ctx.register_dialect(dialect.name, lambda d=dialect: d)
        for name, factory in BNNIR_UNIVERSE.all_dialects.items():
            self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        from bnnir.passes import get_all_passes

        for name, factory in get_all_passes().items():
            self.register_pass(name, factory)

    def register_all_frontends(self) -> None:
        def parse_mlir(chunk: IO[bytes], line_offset: int = 0) -> ModuleOp:
            name = self.get_input_name()
            self.parser = LocatingParser(self.ctx, decode_mlir(chunk.read(), name), name,
                                         line_offset)
            return self.parser.parse_module(not self.args.no_implicit_module)

        self.available_frontends["mlir"] = parse_mlir

    def parse_chunk(
        self, chunk: IO[bytes], file_extension: str, start_offset: int = 0
    ) -> ModuleOp | None:
        if file_extension == "mlir":
            return self.available_frontends["mlir"](chunk, start_offset)
        return super().parse_chunk(chunk, file_extension, start_offset)

    def register_all_targets(self) -> None:
        from bnnir.universe import BNNIR_UNIVERSE

        self.available_targets["mlir"] = lambda: ExactMLIRTarget
        self.available_targets.update(BNNIR_UNIVERSE.all_targets)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.prog = TOOL
        arg_parser.error = ToolArgumentParser.error.__get__(arg_parser)  # xDSL makes the parser
        arg_parser.add_argument(
            "--pass-pipeline", metavar="'builtin.module(a,b{option=value ...})'",
            dest="pass_pipeline_syntax",
            help="pass pipeline in MLIR's syntax (the same passes as -p)",
        )
        arg_parser.add_argument(
            "--verify-each", metavar="X.npy", default=None,
            help="run the interpreter on X.npy after every pass; stop at the first pass that "
            "changes the output",
        )
        arg_parser.add_argument(
            "--help-pass", metavar="NAME", action=_HelpPass, passes=self.available_passes,
            help="describe pass NAME: what it guarantees and what each option means",
        )
        arg_parser.add_argument("-q", "--quiet", action="store_true",
                                help="no progress lines for long passes on stderr")
        for action in arg_parser._actions:
            if action.dest in HIDDEN_OPTIONS:
                action.help = argparse.SUPPRESS
            action.help = OPTION_HELP.get(action.dest, action.help)
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        format_help = arg_parser.format_help

        def with_passes() -> str:  # the pass list is built (pass modules imported) only here
            arg_parser.epilog = pass_list(self.available_passes)
            return format_help()

        arg_parser.format_help = with_passes  # type: ignore[method-assign]

    def setup_pipeline(self) -> None:
        check_pass_options(self.args.passes, self.available_passes)
        self.steps = ExitStack()
        self.progress = Progress(TOOL, self.args.quiet)
        self.check: OutputCheck | None = None
        self.timer = time.perf_counter()
        try:
            self.pipeline = PassPipeline.parse_spec(self.available_passes, self.args.passes,
                                                    self.between_passes)
        except ValueError as e:
            message = " ".join(str(e).split())
            if message.startswith("Unrecognized passes"):
                message += f"; available: {', '.join(sorted(self.available_passes))}"
            name, _, rest = message.partition(": ")
            if name in self.available_passes and rest:  # a pass's own option check
                raise BnnirError(f"pass '{name}'", rest) from None
            raise BnnirError("pass pipeline", message) from None

    def between_passes(self, before: ModulePass | None, module: ModuleOp,
                       after: ModulePass | None) -> None:
        """xDSL's pipeline callback (xDSLOptMain.setup_pipeline's), with located verifier
        errors, --verify-each's check and progress lines; neither is in the pass times."""
        self.steps.close()
        if self.args.time_passes and before is not None:
            print(f"Pass {before.name} took {time.perf_counter() - self.timer} seconds")
        if self.args.verify_diagnostics:
            module.verify()  # xDSL prints the diagnostic
        elif not self.args.disable_verify:
            self._verify(module, before)
        if self.args.verify_each is not None:
            self._check_outputs(module, before)
        if before is not None and after is not None and self.args.print_between_passes:
            print(f"IR after {before.name}:")
            Printer(stream=sys.stdout).print_op(module)
            print("\n\n\n")
        if after is not None:
            self.steps.enter_context(self.progress.step(f"running pass {after.name}"))
            self.timer = time.perf_counter()

    def _check_outputs(self, module: ModuleOp, before: ModulePass | None) -> None:
        if before is None:  # the input: its outputs are the reference
            with self.progress.step("running the input module on the --verify-each batch"):
                self.check = OutputCheck(self.args.verify_each, module)
            return
        assert self.check is not None
        with self.progress.step(f"checking the outputs after pass {before.name}"):
            self.check.check(f"pass '{before.name}'", module)

    def _verify(self, module: ModuleOp, after: ModulePass | None) -> None:
        """Verify with errors located: at the failing op's source line for the parsed input,
        after the pass that broke it otherwise."""
        name = self.get_input_name()
        if after is not None:
            verify_located(module, f"{name}: after pass '{after.name}'")
        else:
            verify_located(module, name, None if self.parser is None else self.parser.location_of)

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        refuse_onnx(self.get_input_name())
        try:
            return super().prepare_input()
        except ValueError as e:
            raise BnnirError(self.get_input_name(), f"{e}; bnn-opt reads .mlir files") from None

    def prepare_output(self) -> IO[str]:
        # Buffer everything: the file is written once, atomically, after a successful run.
        self.buffer = _KeepOpen()
        return self.buffer

    def finish(self) -> None:
        text = self.buffer.getvalue()
        if self.args.output_file is None:
            sys.stdout.write(text)
        else:
            write_atomic(self.args.output_file, text)


class _HelpPass(argparse.Action):
    """--help-pass NAME: print the pass's description and exit."""

    def __init__(self, *args: Any, passes: dict[str, Callable[[], type[ModulePass]]],
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.passes = passes

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if values not in self.passes:
            parser.error(f"--help-pass: unknown pass '{values}'; available: "
                         f"{', '.join(self.passes)}")
        sys.stdout.write(pass_help(values, self.passes[values]()))
        parser.exit()


def check_pass_options(pipeline: str,
                       available: dict[str, Callable[[], type[ModulePass]]]) -> None:
    """Name the pass and option of a bad option value, in the pipeline's own spelling
    (xDSL's messages name neither)."""
    for spec in parse_pipeline(pipeline):
        if spec.name not in available:
            continue  # xDSL lists the available passes
        pass_class = available[spec.name]()
        fields = {f.name: f for f in dataclasses.fields(pass_class) if f.init}
        hints = get_type_hints(pass_class)
        for key, value in spec.parameters.items():
            field = key.replace("-", "_")
            if field not in fields:
                known = ", ".join(name.replace("_", "-") for name in fields)
                raise BnnirError(f"pass '{spec.name}'", f"unknown option '{key}'; " + (
                    f"its options: {known}" if known else "it takes no options"))
            if not _accepts(hints[field], value):
                given = ",".join(str(v) for v in value) or "nothing"
                raise BnnirError(f"pass '{spec.name}'",
                                 f"option '{key}' expects {describe_type(hints[field])}, "
                                 f"got '{given}'")


def _accepts(hint: object, value: tuple[object, ...]) -> bool:
    if not value:
        return NoneType in get_args(hint)
    return (len(value) == 1 and isa(value[0], hint)) or isa(value, hint)


class _KeepOpen(io.StringIO):
    """xDSL closes its output stream at the end of a run; keep the text readable."""

    def close(self) -> None:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    warnings.filterwarnings("default", category=DeprecationWarning)
    args = list(sys.argv[1:] if argv is None else argv)

    def run() -> None:
        opt = BnnOptMain(description="bnnir's optimizer driver", args=_preprocess(args))
        if opt.args.input_file == "-":  # standard input, as MLIR's tools spell it
            opt.args.input_file = None
        try:
            opt.run()
        finally:
            opt.steps.close()
        opt.finish()

    return run_tool(TOOL, run)


if __name__ == "__main__":
    sys.exit(main())
