"""Running a tool on one case and classifying what happened."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def run_tool(tool: str, args: list[str], cwd: Path, timeout: float) -> Run:
    """Run `tool` (as `python -m bnnir.tools.X`, the installed entry point's code) on `args`."""
    command = [sys.executable, "-m", f"bnnir.tools.{TOOLS[tool]}", *args]
    env = {**os.environ, "BNNIR_CSIM_TIMEOUT": str(int(timeout))}
    env.pop("BNNIR_TRACEBACK", None)
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd,
                                timeout=timeout, env=env, errors="replace")
    except subprocess.TimeoutExpired:
        return Run(tool, tuple(args), "hang", f"no exit after {timeout:g} s")
    return Run(tool, tuple(args), *classify(tool, result.returncode, result.stderr))


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
