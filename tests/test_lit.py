"""Runs the lit + FileCheck suite (tests/filecheck) as part of pytest, one item per lit file.

One item per file lets pytest-xdist spread the suite over the cores and names the failing file.
The files are found as lit finds them: the suffixes and exclusions of tests/filecheck/lit.cfg.py,
outside the `Output` folders where lit keeps each test's %t files.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).parent / "filecheck"


def _lit_config() -> tuple[list[str], list[str]]:
    """The `suffixes` and `excludes` lit.cfg.py sets (read from the file, so the two agree)."""
    text = (SUITE / "lit.cfg.py").read_text()
    suffixes = re.search(r"config\.suffixes\s*=\s*(\[.*?\])", text)
    excludes = re.search(r"config\.excludes\s*=\s*(\[.*?\])", text)
    assert suffixes and excludes, "lit.cfg.py sets config.suffixes and config.excludes"
    return ast.literal_eval(suffixes.group(1)), ast.literal_eval(excludes.group(1))


def lit_files() -> list[str]:
    suffixes, excludes = _lit_config()
    return sorted(
        str(path.relative_to(SUITE))
        for path in SUITE.rglob("*")
        if path.is_file() and path.suffix in suffixes and path.name not in excludes
        and "Output" not in path.relative_to(SUITE).parts  # lit's own scratch folders
    )


def test_lit_files_are_found() -> None:
    """Discovery finds the suite (an empty list would pass vacuously)."""
    assert len(lit_files()) >= 100


@pytest.mark.parametrize("name", lit_files())
def test_filecheck(name: str) -> None:
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    result = subprocess.run(
        # no timing file: lit rewrites it after each run, and another worker's lit could read
        # it half written ("malformed timing data")
        [os.path.join(bin_dir, "lit"), "-v", "-j", "1", "--skip-test-time-recording",
         str(SUITE / name)],
        capture_output=True, text=True, env=env, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^\s*Passed\s*:\s*1\b", output, re.M), output
