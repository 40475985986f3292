"""What every bnnir tool shares: one-line errors, atomic outputs, reading .mlir modules.

Errors are printed as `TOOL: error: WHERE: WHAT` on stderr with exit code 1 (argparse keeps 2
for usage errors); a bug shows as `TOOL: internal error: ...` with exit code 70, and
BNNIR_TRACEBACK=1 shows the Python traceback for it. Outputs are written to a temporary file in
the destination folder and renamed into place, so a failing run never leaves a half-written file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError

from bnnir.diagnostics import BnnirError

EXIT_ERROR = 1
EXIT_INTERNAL = 70


def describe(error: BaseException, source: str = "") -> str:
    """`WHERE: WHAT` for an error, on one line."""
    if isinstance(error, BnnirError):
        return str(error)
    if isinstance(error, ParseError):
        return f"{error.span.get_location()}: {error.msg}"
    if isinstance(error, DiagnosticException):
        message = str(error.args[0]) if error.args else type(error).__name__
        first = message.strip().splitlines()[0] if message.strip() else message
        return f"{source}: {first}" if source else first
    if isinstance(error, ArgSpecParseError):
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        return "pass pipeline: " + (lines[-1] if lines else "cannot be parsed")
    if isinstance(error, OSError):
        where = error.filename or source
        return f"{where}: {error.strerror or error}"
    return " ".join(str(error).split())


def run_tool(tool: str, main: Callable[[], int | None]) -> int:
    """Run a tool's main, turning every error into one line on stderr and an exit code."""
    try:
        return main() or 0
    except KeyboardInterrupt:
        return 130
    except (BnnirError, ParseError, DiagnosticException, ArgSpecParseError, OSError,
            ValueError) as e:
        print(f"{tool}: error: {describe(e)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # a bug: say so in one line, not with a traceback
        if os.environ.get("BNNIR_TRACEBACK"):
            traceback.print_exc()
        print(f"{tool}: internal error: {type(e).__name__}: {describe(e)} "
              "(set BNNIR_TRACEBACK=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    target = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 -> what open() would have made
        with os.fdopen(fd, mode) as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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


def load_module(path: str) -> ModuleOp:
    """Parse and verify an .mlir file; errors name the file (and line:column when known)."""
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise BnnirError(path, e.strerror or str(e)) from None
    except UnicodeDecodeError:
        raise BnnirError(path, "not a text file (expected MLIR)") from None
    try:
        module = Parser(bnnir_context(), text, path).parse_module()
        module.verify()
    except ParseError as e:
        raise BnnirError(str(e.span.get_location()), e.msg) from None
    except DiagnosticException as e:
        raise BnnirError(path, describe(e)) from None
    return module
