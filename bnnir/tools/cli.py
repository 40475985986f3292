"""What every bnnir tool shares: one-line errors, atomic outputs, reading .mlir modules and
.npy input batches.

Errors are printed as `TOOL: error: WHERE: WHAT` on stderr with exit code 1 (argparse keeps 2
for usage errors); a bug shows as `TOOL: internal error: ...` with exit code 70, and
BNNIR_TRACEBACK=1 shows the Python traceback for it. Outputs are written to a temporary file in
the destination folder and renamed into place, so a failing run never leaves a half-written file.

Modules are printed so that they parse back bit-exactly (`print_module`), and parsed so that a
verifier error names the line of the op that fails (`load_module`).
"""

from __future__ import annotations

import argparse
import errno
import io
import math
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    AnyDenseElement,
    AnyFloat,
    DenseIntOrFPElementsAttr,
    ModuleOp,
    RankedStructure,
)
from xdsl.ir import Attribute, Operation
from xdsl.parser import Parser
from xdsl.parser.generic_parser import ParserState
from xdsl.printer import Printer
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    VerifyException,
)
from xdsl.utils.lexer import Input, Position, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRToken

from bnnir.diagnostics import BnnirError
from bnnir.verification import DominanceError, verify_dominance

if TYPE_CHECKING:
    from bnnir.interp import Engine

EXIT_ERROR = 1
EXIT_INTERNAL = 70


_WRITE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO, errno.EPIPE}


def error_line(error: BaseException) -> str:
    """`WHERE: WHAT` for an error, on one line (a verifier's message is its first line)."""
    if isinstance(error, BnnirError):
        return str(error)
    if isinstance(error, ParseError):
        at_end = error.span.start >= len(error.span.input.content.rstrip())
        if at_end and "used but not defined" not in error.msg:
            # xDSL's messages at the end of the input name what it tried last (" in block
            # definition"), not that the text stopped
            return f"{error.span.get_location()}: unexpected end of the file; is it complete?"
        return f"{error.span.get_location()}: {error.msg}"
    if isinstance(error, DiagnosticException):
        message = str(error.args[0]) if error.args else type(error).__name__
        return message.strip().splitlines()[0] if message.strip() else message
    if isinstance(error, ArgSpecParseError):
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        at = next((i for i, line in enumerate(lines)
                   if re.fullmatch(r"pass-pipeline:\d+:\d+", line)), None)
        where = "pass pipeline"
        if at is not None and at + 1 < len(lines):  # the location line, then the text parsed
            where += f" '{lines[at + 1]}', column {lines[at].rsplit(':', 1)[1]}"
        return f"{where}: {lines[-1] if lines else 'cannot be parsed'}"
    if isinstance(error, OSError):
        if error.filename:
            return f"{error.filename}: {error.strerror or error}"
        if error.errno in _WRITE_ERRORS:  # files are written by write_atomic, which names them
            return f"standard output: cannot write ({error.strerror})"
        return str(error.strerror or error)
    return " ".join(str(error).split())


class ToolArgumentParser(argparse.ArgumentParser):
    """argparse, with a usage error as one `tool: error: WHAT` line (not the usage text first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def run_tool(tool: str, main: Callable[[], int | None]) -> int:
    """Run a tool's main, turning every error into one line on stderr and an exit code."""
    try:
        status = main() or 0
        sys.stdout.flush()  # a full disk is this tool's error, not an exception at exit
        return status
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        print(f"{tool}: error: out of memory: the input needs more memory than this machine has",
              file=sys.stderr)
        return EXIT_ERROR
    except (BnnirError, ParseError, DiagnosticException, ArgSpecParseError, OSError,
            ValueError) as e:
        print(f"{tool}: error: {error_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # a bug: say so in one line, not with a traceback
        if os.environ.get("BNNIR_TRACEBACK"):
            traceback.print_exc()
        print(f"{tool}: internal error: {type(e).__name__}: {error_line(e)} "
              "(set BNNIR_TRACEBACK=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename; errors name `path`.

    A symbolic link is written through (its target is replaced), and a device or pipe
    (/dev/null, a FIFO) is written directly: a rename would replace them by a regular file."""
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise BnnirError(str(path), "is a folder; give the name of a file to write")
    folder = target.parent
    if not folder.is_dir():
        why = "is a file, not a folder" if folder.exists() else "does not exist"
        raise BnnirError(str(path), f"cannot write the file: folder '{folder}' {why}")
    mode = "wb" if isinstance(data, bytes) else "w"
    if target.exists() and not target.is_file():
        _write_special(str(path), target, mode, data)
        return
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as e:
        raise BnnirError(str(path), f"cannot write the file ({e.strerror or e})") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 -> what open() would have made
        with os.fdopen(fd, mode) as out:
            out.write(data)
        os.replace(temp, target)
    except OSError as e:
        Path(temp).unlink(missing_ok=True)
        raise BnnirError(str(path), f"cannot write the file ({e.strerror or e})") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_special(name: str, target: Path, mode: str, data: str | bytes) -> None:
    try:
        with open(target, mode) as out:
            out.write(data)
    except OSError as e:
        raise BnnirError(name, f"cannot write the file ({e.strerror or e})") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def bnnir_context() -> Context:
    """A context with every dialect a bnnir module may contain."""
    from xdsl.dialects.arith import Arith
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func

    from bnnir.dialects.bnn import Bnn
    from bnnir.dialects.hwstream import HWStream

    ctx = Context()
    for dialect in (Builtin, Func, Arith, Bnn, HWStream):
        ctx.load_dialect(dialect)
    return ctx


# ===----------------------------------------------------------------------=== #
# Reading and printing modules
# ===----------------------------------------------------------------------=== #


MAX_SPLAT_ELEMENTS = 1 << 22
"""The most elements a splat dense attribute (`dense<0.5> : tensor<Nxf32>`) may declare: xDSL
expands a splat into a Python list of N elements before packing it (about 2 s and 350 MB for
this many), so a huge declared type would exhaust the machine. Per-channel parameters are far
smaller; large payloads are hex data or bit-packed, bounded by the file's size."""


FLOAT_DTYPES = {16: np.float16, 32: np.float32, 64: np.float64}


class _BitPattern(Parser._TensorLiteralElement):
    """A hex integer literal in a dense list, which MLIR reads as the bit pattern of a float
    element (dense<[0x7F800000]> : tensor<1xf32> is inf), as xDSL already does for scalars."""

    def to_type(self, parser: Parser, type: Attribute) -> object:
        dtype = FLOAT_DTYPES.get(type.bitwidth) if isinstance(type, AnyFloat) else None
        if dtype is None or self.is_negative:
            return super().to_type(parser, type)
        if self.value >= 1 << type.bitwidth:
            parser.raise_error(f"hex value wider than {type}", at_position=self.span)
        pattern = np.array(self.value, dtype=f"u{type.bitwidth // 8}")
        return float(pattern.view(dtype))


class LocatedVerifyError(VerifyException):
    """A verifier's error found while parsing, at `where` (file:line:column)."""

    def __init__(self, where: str, what: str):
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


class LinearLexer(MLIRLexer):
    r"""xDSL's MLIR lexer, scanning string literals in time linear in their length.

    xDSL 0.74's string-literal regex, `"(?:[^"\\\n\v\f]+|\\(?:...))*"`, nests a `+` inside a
    `*`: on a literal not closed on its line (a hex payload that lost its closing quote, a file
    cut inside one) Python's backtracking `re` tries every split of the text before failing,
    2^n steps (24 characters take 2.5 s, 28 over a minute). Taking one character per repetition,
    possessively, matches exactly the same literals and fails after one scan."""

    _unescaped_characters_regex = re.compile(
        r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*+"'
    )

    def _lex_string_literal(self, start_pos: Position) -> MLIRToken:
        if self._unescaped_characters_regex.match(self.input.content, start_pos) is None:
            line_end = self.input.content.find("\n", start_pos)
            end = len(self.input.content) if line_end < 0 else line_end
            raise ParseError(Span(start_pos, end, self.input),
                             "string literal not closed on its line (a missing '\"', or an "
                             "escape other than \\n \\t \\\\ \\\" or two hex digits)")
        return super()._lex_string_literal(start_pos)


class LocatingParser(Parser):
    """xDSL's MLIR parser, remembering where each operation starts in the source so that a
    verifier error can name the line of the op that fails (xDSL ops carry no location), and
    refusing splats too large to expand (MAX_SPLAT_ELEMENTS)."""

    def __init__(self, ctx: Context, text: str, name: str, line_offset: int = 0):
        super().__init__(ctx, "", name)
        self._parser_state = ParserState(LinearLexer(Input(text, name)))
        self.line_offset = line_offset
        self.starts: dict[Operation, int] = {}
        self._splat = False

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        """The module, its values each defined before use (xDSL's parser takes forward
        references everywhere; bnnir.verification says why that is checked here)."""
        try:
            module = super().parse_module(allow_implicit_module)
        except (NotImplementedError, OverflowError, ValueError) as e:
            # xDSL's attribute builders fail so on some malformed input (array<i100: ...>):
            # a parse error where the parser stands, not an internal error
            self.raise_error(f"cannot be parsed: {' '.join(str(e).split())}")
        try:
            verify_dominance(module)
        except DominanceError as e:
            if failing_op(module) is not None:
                return module  # the verifiers' own error comes first, where the tool verifies
            raise LocatedVerifyError(self.location_of(e.op) or self.lexer.input.name,
                                     str(e)) from None
        return module

    def parse_operation(self) -> Operation:
        start = self.pos
        op = super().parse_operation()
        self.starts[op] = start
        return op

    def parse_dense_int_or_fp_elements_attr(
        self, type: RankedStructure[AnyDenseElement] | None
    ) -> DenseIntOrFPElementsAttr:
        self._splat = False
        return super().parse_dense_int_or_fp_elements_attr(type)

    def _parse_tensor_literal_element(self) -> Parser._TensorLiteralElement:
        element = super()._parse_tensor_literal_element()
        hex_literal = element.span.text.lstrip("-").lower().startswith("0x")
        if hex_literal and type(element.value) is int:
            return _BitPattern(element.is_negative, element.value, element.span)
        return element

    def _parse_tensor_literal(self) -> tuple[list[Parser._TensorLiteralElement], list[int]]:
        values, shape = super()._parse_tensor_literal()
        self._splat = not shape
        return values, shape

    def _parse_dense_literal_type(self) -> RankedStructure[AnyDenseElement]:
        start = self.pos
        dense_type = super()._parse_dense_literal_type()
        count = math.prod(dense_type.get_shape())
        if self._splat and count > MAX_SPLAT_ELEMENTS:
            self.raise_error(f"splat of {count} elements is larger than bnnir expands (at most "
                             f"{MAX_SPLAT_ELEMENTS}); give the values as hex data", start,
                             self.pos)
        return dense_type

    def location_of(self, op: Operation) -> str | None:
        """`file:line:column` of where `op` was parsed, if it was."""
        if op not in self.starts:
            return None
        start = self.starts[op]
        span = Span(start, start, self.lexer.input, self.line_offset)
        return str(span.get_location())


def decode_mlir(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BnnirError(path, f"not a UTF-8 text file (byte {e.start} cannot be decoded); "
                         "expected MLIR") from None


def failing_op(module: Operation) -> Operation | None:
    """The op whose own verifier fails first, in the order `verify` visits ops."""
    for op in module.walk(region_first=True):
        try:
            op.verify(verify_nested_ops=False)
        except DiagnosticException:
            return op
    return None


def verify_located(
    module: ModuleOp, where: str, locate: Callable[[Operation], str | None] | None = None
) -> None:
    """Verify `module`; an error is a BnnirError at the failing op's location (`locate`, e.g.
    LocatingParser.location_of) or else at `where`."""
    try:
        module.verify()
    except DiagnosticException as e:
        op = failing_op(module)
        located = None if op is None or locate is None else locate(op)
        raise BnnirError(located or where, error_line(e)) from None
    try:
        verify_dominance(module)
    except DominanceError as e:
        located = None if locate is None else locate(e.op)
        raise BnnirError(located or where, str(e)) from None


def load_module(path: str) -> ModuleOp:
    """Parse and verify an .mlir file; errors name the file (and line:column when known)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise BnnirError(path, e.strerror or str(e)) from None
    parser = LocatingParser(bnnir_context(), decode_mlir(data, path), path)
    try:
        module = parser.parse_module()
    except ParseError as e:
        raise BnnirError(str(e.span.get_location()), e.msg) from None
    except LocatedVerifyError as e:
        raise BnnirError(e.where, e.what) from None
    verify_located(module, path, parser.location_of)
    return module


def _prints_exactly(attr: DenseIntOrFPElementsAttr) -> bool:
    """Whether xDSL's decimal printing of a float dense attribute parses back to its bits.

    xDSL prints inf, NaN and some large integral floats as hex integers (MLIR's bit-pattern
    syntax), which its own parser then reads as integer values converted to float."""
    if not isinstance(attr.get_element_type(), AnyFloat):
        return True
    text = io.StringIO()
    attr.print_without_type(Printer(stream=text))
    return text.getvalue().startswith('dense<"') or "0x" not in text.getvalue()


class ExactPrinter(Printer):
    """xDSL's printer, except that float dense attributes whose decimal form would not parse
    back bit-exactly (inf, NaN thresholds, ...) are printed as hex data, dense<"0x...">."""

    def print_attribute(self, attribute: Attribute) -> None:
        if isinstance(attribute, DenseIntOrFPElementsAttr) and not _prints_exactly(attribute):
            self.print_string(f'dense<"0x{attribute.data.data.hex().upper()}"> : ')
            self.print_attribute(attribute.get_type())
            return
        super().print_attribute(attribute)


def print_module(module: ModuleOp) -> str:
    """The module's text, which parses back to the same module bit for bit."""
    out = io.StringIO()
    ExactPrinter(stream=out).print_op(module)
    out.write("\n")
    return out.getvalue()


ENGINES = ("interp", "csim", "rtl")
"""`--engine`'s choices: the interpreter, the C simulation of the emitted HLS C++, and the
Verilator simulation of the SystemVerilog exported through CIRCT."""


def engine(name: str, backpressure: float = 0.0, gaps: float = 0.0) -> Engine:
    """The engine `--engine NAME` selects (imported when used: the CLIs start fast); the RTL
    testbench refuses an output word with probability `backpressure` and holds back an input
    word with probability `gaps` each cycle."""
    if name == "csim":
        from bnnir.backends.hls import csim

        return csim.run
    if name == "rtl":
        from bnnir.backends.circt.sim import Options, RtlEngine

        return RtlEngine(Options(backpressure, gaps))
    if name != "interp":
        raise BnnirError("--engine", f"unknown engine '{name}'; available: {', '.join(ENGINES)}")
    from bnnir.interp import interpret

    return interpret


def run_batch(module: ModuleOp, x: np.ndarray, batch_path: str,
              engine_name: str | Engine = "interp",
              module_path: str | None = None) -> tuple[np.ndarray, ...]:
    """The module's outputs on batch x (`engine_name`: one of ENGINES, or an engine such as
    bnnir.backends.circt.sim.RtlEngine); errors about the input name the
    batch's file (and whole-module errors the module's file)."""
    from bnnir.interp import run_module_all

    try:
        return run_module_all(module, [x], engine(engine_name) if isinstance(engine_name, str)
                              else engine_name)
    except BnnirError as e:
        where = {"input": batch_path, "module": module_path}.get(e.where)
        raise e if where is None else BnnirError(where, e.what) from None


def load_batch(path: str) -> np.ndarray:
    """A numeric array from a .npy file (an input batch); anything else is a BnnirError."""
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
        if magic != b"\x93NUMPY":
            raise BnnirError(path, "not a .npy file (save the batch with numpy.save)")
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise BnnirError(path, "No such file or directory") from None
    except (OSError, ValueError, EOFError) as e:
        raise BnnirError(path, f"not a readable .npy array ({' '.join(str(e).split())})") from None
    if x.dtype.kind not in "biuf":
        raise BnnirError(path, f"holds {x.dtype} values; give a numeric array")
    return x


ONNX_SUFFIXES = (".onnx", ".onnxtxt")


def refuse_onnx(path: str) -> None:
    """An ONNX model given where an .mlir module is read: say which command imports it."""
    if path.endswith(ONNX_SUFFIXES):
        raise BnnirError(path, "is an ONNX model; import it first: bnn-translate --import-onnx "
                         f"{path} -o MODEL.mlir (or compile it: bnn-compile {path} -o BUILD)")
