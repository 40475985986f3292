"""The README's Brevitas recipe (bnnir/examples/brevitas_to_bnn.py) runs: a Brevitas binarized
MLP exported to QONNX compiles with `bnn-compile --input-type ui8 --input-scale 1/255 --verify`,
its imported module equal to qonnx's execution of the export and every stage and the C
simulation equal to the imported module."""

from __future__ import annotations

from pathlib import Path

import pytest

from bnnir.examples.brevitas_to_bnn import main as recipe


def test_brevitas_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert recipe([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("bnn-compile: 1-imported.mlir: 8 of 8 rows equal qonnx's output of the original "
            "model") in out
    assert "bnn-compile: hls: outputs unchanged (csim)" in out
    assert (tmp_path / "design" / "hls" / "top.cpp").exists()
