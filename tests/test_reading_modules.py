"""Reading .mlir files: time linear in the file's size, and values defined before their use, with
one located error line for either (issue 15's hang and use-before-definition)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bnnir.diagnostics import BnnirError
from bnnir.tools.cli import load_module

UNTERMINATED = ('%0 = "bnn.constant"() {{value = dense<"0x{payload}> : tensor<{n}xi8>}} : () -> '
                'tensor<{n}xi8>\n')


def test_an_unclosed_string_literal_is_one_located_error(tmp_path: Path) -> None:
    """xDSL 0.74's string regex backtracks exponentially on a literal not closed on its line
    (28 characters took over a minute); a 10 kB hex payload that lost its quote fails at once.
    The timeout only guards the test run; the assertion is on the message."""
    path = tmp_path / "cut.mlir"
    path.write_text(UNTERMINATED.format(payload="AB" * 5000, n=5000))
    result = subprocess.run([sys.executable, "-m", "bnnir.tools.bnn_opt", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"bnn-opt: error: {path}:1:38: string literal not closed on its "
                             "line (a missing '\"', or an escape other than \\n \\t \\\\ \\\" or "
                             "two hex digits)\n")


@pytest.mark.parametrize("text", ['"a\\qb"', '"abc', '"ab\\"'])
def test_bad_string_literals_name_their_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(f'builtin.module attributes {{\n  sym_name = {text}\n}} {{\n}}\n')
    with pytest.raises(BnnirError) as error:
        load_module(str(path))
    assert error.value.where == f"{path}:2:14"
    assert error.value.what.startswith("string literal not closed on its line")


def test_string_literals_still_parse(tmp_path: Path) -> None:
    path = tmp_path / "ok.mlir"
    path.write_text('builtin.module attributes {a = "x\\"y\\0A\\\\z\\t", b = ""} {\n}\n')
    module = load_module(str(path))
    assert module.attributes["a"].data == 'x"y\n\\z\t'
    assert module.attributes["b"].data == ""


USE_BEFORE_DEF = """func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %b = arith.addf %a, %x : tensor<1x4xf32>
  %a = arith.addf %x, %x : tensor<1x4xf32>
  func.return %b : tensor<1x4xf32>
}
"""

SELF_USE = """func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %a = arith.addf %a, %x : tensor<1x4xf32>
  func.return %a : tensor<1x4xf32>
}
"""


@pytest.mark.parametrize(("text", "what"), [
    (USE_BEFORE_DEF, "arith.addf uses %a before its definition; define a value above its first "
                     "use"),
    (SELF_USE, "arith.addf uses %a which it defines itself"),
])
def test_use_before_definition_is_refused(tmp_path: Path, text: str, what: str) -> None:
    path = tmp_path / "ubd.mlir"
    path.write_text(text)
    with pytest.raises(BnnirError) as error:
        load_module(str(path))
    assert str(error.value) == f"{path}:2:3: {what}"


@pytest.mark.parametrize("tool", [["bnn_opt"], ["bnn_run", "--input", "x.npy"],
                                  ["bnn_translate", "--emit-report"],
                                  ["bnn_opt", "-p", "bnn-fold{target-fps=1 clock-mhz=1}"]])
def test_tools_refuse_use_before_definition(tmp_path: Path, tool: list[str]) -> None:
    """bnn-run died with a KeyError, bnn-fold with an AssertionError (exit 70)."""
    path = tmp_path / "ubd.mlir"
    path.write_text(USE_BEFORE_DEF)
    module, *options = tool
    result = subprocess.run([sys.executable, "-m", f"bnnir.tools.{module}", str(path), *options],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    name = module.replace("_", "-")
    assert result.returncode == 1
    assert result.stderr == f"{name}: error: {path}:2:3: arith.addf uses %a before its " \
        "definition; define a value above its first use\n"
