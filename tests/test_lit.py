"""Runs the lit + FileCheck suite (tests/filecheck) as part of pytest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).parent / "filecheck"


def test_filecheck_suite() -> None:
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    result = subprocess.run(
        [os.path.join(bin_dir, "lit"), "-v", str(SUITE)],
        capture_output=True, text=True, env=env, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"Passed\s*:\s*\d+", output) or "Total Discovered Tests" in output, output
    for bad in ("Failed", "Unsupported", "Unresolved", "Timed Out"):
        assert not re.search(rf"^\s*{bad}\s*:", output, re.M), output
