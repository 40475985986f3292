"""The tools around the compiler: the Python API (the README's example runs), the pipeline picture,
progress lines, bnnir as an xDSL plugin."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bnnir
from bnnir.backends.report_svg import luts_per_layer, render_svg
from bnnir.diagnostics import BnnirError
from bnnir.tools import bnn_compile, bnn_translate
from bnnir.tools.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bnnir" / "examples"


@pytest.fixture(scope="module")
def build() -> bnnir.Build:
    return bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", target_fps=20000,
                         clock_mhz=100)


def readme_python_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bnnir").symlink_to(ROOT / "bnnir")  # the example runs from the repository root
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_python_example(), "README.md", "exec"), {})
    assert capsys.readouterr().out == "20627.062 fps, bottleneck conv10.window\n"
    written = tmp_path / "build" / "tiny_cnv_api"
    assert (written / "report.svg").is_file() and (written / "hls" / "top.cpp").is_file()


def test_api_build_equals_bnn_compile(build: bnnir.Build, tmp_path: Path) -> None:
    assert bnn_compile.main([str(EXAMPLE / "tiny_cnv.onnx"), "-o", str(tmp_path), "--quiet",
                             "--input-type", "ui8", "--target-fps", "20000",
                             "--clock-mhz", "100"]) == 0
    on_disk = {str(p.relative_to(tmp_path)): p.read_text()
               for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == build.files
    assert list(build.modules) == ["1-imported.mlir", "2-hardware.mlir", "3-folded.mlir",
                                   "4-streaming.mlir"]


def test_api_verify_and_errors(build: bnnir.Build) -> None:
    lines: list[str] = []
    x = np.load(EXAMPLE / "tiny_cnv_input.npy")
    bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", max_luts=4000, verify=x,
                  padding="minus-one", log=lines.append)
    assert lines[:5] == [
        "1-imported.mlir: 4 of 4 rows equal onnxruntime's output of the original model",
        "2-hardware.mlir: outputs unchanged",
        "2-hardware.mlir: outputs changed by minus-one padding; the later stages are checked "
        "against them",
        "3-folded.mlir: outputs unchanged",
        "4-streaming.mlir: outputs unchanged",
    ]
    assert lines[-2:] == ["hls: outputs unchanged (csim)", "rtl: outputs unchanged (Verilator)"]
    with pytest.raises(BnnirError, match="give --target-fps, --max-luts"):
        bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8")
    with pytest.raises(BnnirError, match="unknown mode 'zero'"):
        bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", target_fps=10,
                      padding="zero")
    with pytest.raises(BnnirError, match="no such stage"):
        build.run(x, stage="5-nothing.mlir")


def test_svg_names_the_bottleneck_and_is_deterministic(build: bnnir.Build) -> None:
    svg = build.files["report.svg"]
    report = build.report
    assert svg.startswith("<?xml") and "<svg" in svg
    assert f"bottleneck {report['bottleneck']}: {report['max_cycles']} cycles" in svg
    assert "#c0392b" in svg  # the bottleneck's box is red
    luts = luts_per_layer(report)
    assert sum(luts.values()) == report["total_luts"]
    for layer, count in luts.items():
        assert f">{layer}<" in svg and f">{count}<" in svg
    for row in report["layers"]:
        assert f">{row['name'].replace('>', '&gt;')}<" in svg
    assert render_svg(report) == svg


def test_emit_report_svg(build: bnnir.Build, tmp_path: Path) -> None:
    design = tmp_path / "design.mlir"
    design.write_text(build.files["4-streaming.mlir"])
    out = tmp_path / "report.svg"
    assert bnn_translate.main([str(design), "--emit-report", "--format", "svg",
                               "-o", str(out)]) == 0
    assert out.read_text() == build.files["report.svg"]


def test_progress_line_for_a_long_step_and_none_when_quiet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BNNIR_PROGRESS_AFTER", "0")  # every step counts as long
    args = [str(EXAMPLE / "tiny_cnv.onnx"), "-o", str(tmp_path / "b"), "--input-type", "ui8",
            "--target-fps", "20000", "--clock-mhz", "100"]
    assert bnn_compile.main(args) == 0
    err = capsys.readouterr().err
    assert "bnn-compile: [2/3] 3-folded.mlir: bnn-fold ...\n" in err
    assert re.search(r"bnn-compile: \[2/3\] 3-folded.mlir: bnn-fold: done in [0-9.]+ s\n", err)
    assert bnn_compile.main([*args, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_timer_announces_only_slow_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.delenv("BNNIR_PROGRESS_AFTER", raising=False)
    stream = io.StringIO()
    assert Progress("tool", stream=stream).quiet  # not a terminal
    progress = Progress("tool", stream=stream)
    progress.quiet, progress.after = False, 0.05
    with progress.step("fast"):
        pass
    with progress.step("slow"):
        time.sleep(0.3)
    with pytest.raises(ValueError), progress.step("failing"):
        time.sleep(0.3)
        raise ValueError
    lines = stream.getvalue().splitlines()
    assert lines[:2] == ["tool: slow ...", lines[1]] and lines[1].startswith("tool: slow: done")
    assert lines[2:] == ["tool: failing ..."]  # the error line follows, not "done"
    bar = progress.bar("frames", 10)
    progress.after = 0
    bar.update(5)
    assert stream.getvalue().splitlines()[-1] == \
        "tool: frames [###############...............] 5/10"


def _xdsl_opt() -> str:
    found = shutil.which("xdsl-opt", path=str(Path(sys.executable).parent))
    assert found is not None, "xdsl-opt is installed with xdsl"
    return found


def test_xdsl_opt_loads_bnnir(build: bnnir.Build, tmp_path: Path) -> None:
    help_text = subprocess.run([_xdsl_opt(), "--help"], capture_output=True, text=True,
                               check=True).stdout
    help_text = "".join(help_text.split())  # argparse wraps the lists, also at hyphens
    for name in ("bnn-threshold-fusion", "bnn-fold", "bnn-to-hwstream", "hwstream-size-fifos",
                 "bnn-hls", "bnn-report"):
        assert name in help_text
    imported = tmp_path / "imported.mlir"
    imported.write_text(build.files["1-imported.mlir"])
    fused = subprocess.run([_xdsl_opt(), str(imported), "-p", "bnn-threshold-fusion"],
                           capture_output=True, text=True, check=True).stdout
    assert "bnn.conv2d" in fused and "thresholds = dense" in fused
    design = tmp_path / "design.mlir"
    design.write_text(build.files["4-streaming.mlir"])
    report = subprocess.run([_xdsl_opt(), str(design), "-t", "bnn-report"],
                            capture_output=True, text=True, check=True).stdout
    assert report == build.files["report.txt"]


def test_make_demo_prints_each_thing_once(tmp_path: Path) -> None:
    """make demo's steps (demo-run, without the install): the report once, the logits once and
    labelled, one HLS project."""
    make = shutil.which("make")
    assert make is not None, "make is needed for the demo"
    tools = str(Path(sys.executable).parent)
    done = subprocess.run([make, "--no-print-directory", "demo-run", f"BUILD={tmp_path}",
                           f"PYTHON={sys.executable}"], cwd=ROOT, capture_output=True,
                          text=True, env={"PATH": tools + ":/usr/bin:/bin", "HOME": str(tmp_path),
                                          "BNNIR_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("kernel                     kind") == 1  # the report's header
    assert out.count("throughput: 20627.0 fps") == 1
    assert out.count("logits of the C simulation (one row per input image):\n[[") == 1
    assert out.count("[[") == 1  # no unlabelled logits
    assert out.count("design @accel: cycle schedule") == 1
    assert out.rstrip().endswith("demo: C simulation logits equal onnxruntime logits")
    projects = [p.parent for p in tmp_path.rglob("top.cpp")]
    assert projects == [tmp_path / "tiny_cnv_build" / "hls"]


def test_output_check_compares_bits() -> None:
    """The shared check of --verify-each and --verify: every bit, -0.0 and NaN payloads too."""
    from bnnir.tools.cli import LocatingParser, bnnir_context
    from bnnir.tools.output_check import OutputCheck

    identity = LocatingParser(bnnir_context(), "func.func @main(%x: tensor<?x2xf32>) -> "
                              "tensor<?x2xf32> {\n  func.return %x : tensor<?x2xf32>\n}",
                              "identity.mlir").parse_module()
    check = OutputCheck("x.npy", identity, np.array([[0.0, 1.0], [3.0, 2.0]], np.float32))
    assert check.difference((check.expected[0].copy(),)) is None
    changed = check.expected[0].copy()
    changed[0, 0] = -0.0
    assert check.difference((changed,)) == \
        "changed output 0 of the network on x.npy: 1 of 4 values differ, the first at index (0, 0)"
    nan = check.expected[0].copy()
    nan[1, 0] = np.nan
    assert check.difference((nan,)) == \
        "changed output 0 of the network on x.npy: 1 of 4 values differ, the first at index (1, 0)"
    assert check.difference((changed[:1],)) == \
        "changed output 0 of the network on x.npy: shape (1, 2) instead of (2, 2)"


def test_api_part_takes_a_board_name() -> None:
    """bnnir.compile's part= takes a board (bnnir/analysis/targets.py): its part bounds the
    folding, is hls.tcl's part and the report's target; max_brams bounds a custom device."""
    build = bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", target_fps=20000,
                          part="KV260")
    assert "set_part {xck26-sfvc784-2LV-c}" in build.files["hls/hls.tcl"]
    assert (build.report["part"], build.report["part_given"]) == ("xck26-sfvc784-2LV-c", True)
    assert build.report["total_brams"] <= 288
    custom = bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", max_luts=6000,
                           max_brams=20)
    assert custom.report["total_brams"] <= 20
    assert "set_part {xczu7ev-ffvc1156-2-e}" in custom.files["hls/hls.tcl"]
    with pytest.raises(BnnirError, match="unknown part 'KV261'; known parts xc7z020"):
        bnnir.compile(EXAMPLE / "tiny_cnv.onnx", input_type="ui8", part="KV261")


def test_readme_lists_the_parts_and_boards_of_targets() -> None:
    """The README's table of parts and boards is bnnir/analysis/targets.py's, and states the
    defaults."""
    from bnnir.analysis import targets

    rows = ["| part | Vivado part string | boards | LUTs | BRAM18s | DSPs |",
            "|---|---|---|---:|---:|---:|"]
    for part in targets.PARTS.values():
        boards = ", ".join(b for b, name in targets.BOARDS.items() if name == part.name)
        rows.append(f"| {part.name} | {part.part} | {boards or '-'} | {part.luts:,} | "
                    f"{part.bram18:,} | {part.dsps:,} |")
    readme = (ROOT / "README.md").read_text()
    assert "\n".join(rows) + "\n" in readme
    assert f"clock {targets.DEFAULT_CLOCK_MHZ:g} MHz" in readme
    assert f"targets **{targets.PARTS[targets.DEFAULT_PART].part}**" in readme
