"""Running a tool on one case and classifying what happened."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

TOOLS = {"bnn-translate": "bnn_translate", "bnn-opt": "bnn_opt", "bnn-run": "bnn_run",
         "bnn-compile": "bnn_compile"}

OUTCOMES = ("ok", "clean error", "internal error", "hang", "crash")
"""How a run ends, the failures last: exit 0; exit 1 or 2 with a one-line `TOOL: error: ...`
(remarks and warnings may precede it); exit 70 or a traceback or an error in another form; the
timeout; a signal (the OOM killer's included)."""

FAILURES = ("internal error", "hang", "crash")


@dataclass(frozen=True)
class Run:
    tool: str
    args: tuple[str, ...]
    outcome: str
    detail: str  # the error line, or why the run is classified so

    def command(self) -> str:
        return " ".join([self.tool, *(_quote(a) for a in self.args)])


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./=,:-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


MEMORY_LIMIT = 8 << 30
"""Address space a tool run may take (the machine is shared): past it Python raises
MemoryError, which the tools report as an out-of-memory error."""


def run_tool(tool: str, args: list[str], cwd: Path, timeout: float) -> Run:
    """Run `tool`'s entry point on `args` in a child process forked from this one, which has
    imported the tools already (a fresh interpreter would spend a second importing them):
    its own exit code, stderr and signals, killed after `timeout` seconds."""
    import importlib

    module = importlib.import_module(f"bnnir.tools.{TOOLS[tool]}")
    with tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child never returns
            _child(module.main, args, cwd, err.fileno())
        status = _wait(pid, timeout)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if status is None:
        return Run(tool, tuple(args), "hang", f"no exit after {timeout:g} s")
    return Run(tool, tuple(args), *classify(tool, status, stderr))


def _child(main: Callable[[list[str]], int | None], args: list[str], cwd: Path,
           err: int) -> NoReturn:
    code = 1
    try:
        os.chdir(cwd)
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", closefd=False)  # not pytest's capture
        sys.stderr = open(2, "w", closefd=False)
        os.environ.pop("BNNIR_TRACEBACK", None)
        code = main(args) or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit code (−signal if a signal ended it), or None after killing it at
    `timeout`."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def classify(tool: str, returncode: int, stderr: str) -> tuple[str, str]:
    """(outcome, detail) of a finished run."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith(("remark: ", f"{tool}: warning: "))]
    if returncode < 0 or returncode in (137, 139):
        return "crash", f"signal {-returncode if returncode < 0 else returncode - 128}"
    if "Traceback (most recent call last)" in stderr:
        return "internal error", "a Python traceback: " + (lines[-1] if lines else "")
    if returncode == 0:
        return "ok", ""
    if returncode == 70:
        return "internal error", errors[-1] if errors else "exit 70"
    clean = returncode in (1, 2) and len(errors) == 1 and errors[0].startswith(f"{tool}: error: ")
    if clean:
        return "clean error", errors[0]
    return "internal error", f"exit {returncode}, stderr not one error line: {errors[:3]}"
