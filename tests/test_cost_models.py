"""The two cost models: FINN's formulas (`finn`, the default) and the measured model fitted to
yosys synthesis of our RTL (`measured`, bnnir/analysis/measured_costs.py).

The measured model predicts the held-out calibration points within the calibration's goal, from
the committed measurements alone (no synthesizer runs here), and its stored coefficients are the
fit of those measurements; bnn-fold{cost=measured} folds and the design still computes exactly
what the network does; the report says which model it used; the default changes nothing; a bad
model name is a one-line error.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr

from bnnir.analysis import cost_model as cm
from bnnir.analysis import measured_costs
from bnnir.analysis.folding import hardware_layers
from bnnir.analysis.kernel_costs import COST_MODEL_ATTR, kernel_cost, module_cost_model
from bnnir.backends.report import MEASURED_ESTIMATES, build_report, render_json, render_text
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.interp import run_module
from bnnir.passes.fold import Fold
from bnnir.tools.bnn_opt import main as bnn_opt
from test_hwstream_exact import lowered, to_stream
from test_onnx_exact import PLAIN_ONNX, assert_bit_exact

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def _calibration() -> ModuleType:
    """benchmarks/calibrate_costs.py as a module (its sweep, stored points and fit)."""
    spec = importlib.util.spec_from_file_location("calibrate_costs",
                                                  BENCHMARKS / "calibrate_costs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("calibrate_costs", module)
    spec.loader.exec_module(module)
    return module


calibration = _calibration()
POINTS = calibration.load()


# ===----------------------------------------------------------------------=== #
# The fit
# ===----------------------------------------------------------------------=== #


@pytest.mark.parametrize("kind", measured_costs.KINDS)
def test_held_out_points_are_within_the_goal(kind: str) -> None:
    """Each held-out point's model LUTs are within GOAL (15 %) of yosys'."""
    held = [p for p in POINTS if p["kind"] == kind and p["set"] == "held-out"]
    assert len(held) >= 2
    for point in held:
        spec = calibration.spec_of(point["spec"])
        luts = kernel_cost(spec, "measured").luts
        assert abs(luts - point["luts"]) <= calibration.GOAL * point["luts"], \
            f"{calibration.describe(spec)}: model {luts}, yosys {point['luts']}"


def test_stored_coefficients_are_the_fit_of_the_stored_measurements() -> None:
    """measured_costs.json is what --refit computes from calibration_measurements.json."""
    assert calibration.fit(POINTS) == measured_costs.coefficients()
    stored = json.loads(measured_costs.MODEL_FILE.read_text())
    assert stored["yosys_version"] == ", ".join(sorted({p["yosys_version"] for p in POINTS}))


def test_the_sweep_is_the_stored_one() -> None:
    """The stored points are the sweep's, in order, held out every fourth of a kind."""
    assert [calibration.spec_of(p["spec"]) for p in POINTS] == calibration.sweep()
    assert [p["set"] for p in POINTS] == calibration.split(POINTS)
    calibrated = [p for p in POINTS if p["set"] != "uncalibrated"]
    assert sum(p["set"] == "held-out" for p in calibrated) >= len(calibrated) // 5
    assert {p["kind"] for p in POINTS if p["set"] == "uncalibrated"} == {"pool"}


def test_the_bram_rule_gives_every_measured_point() -> None:
    """BRAM18s: block RAM for an MVTU's weight memories beyond ROM_BITS and LUTRAM_DEPTH,
    none elsewhere, at every stored point (fitted or held out)."""
    assert calibration.brams_agree(POINTS) == []
    assert any(p["bram18"] for p in POINTS)  # the rule is tested on some block RAM


def test_uncalibrated_kernels_keep_finns_figures() -> None:
    fifo = hw.FifoSpec(depth=32, lanes=4, bits=1, words=100)
    label = hw.LabelSelectSpec(labels=10, pe=2, bits=16, index_bits=4)
    pool = hw.PoolSpec(8, 4, 4, 8, 4, (2, 2), (2, 2), (0, 0, 0, 0))  # multi-bit lanes
    for spec in (fifo, label, pool):
        assert kernel_cost(spec, "measured") == kernel_cost(spec, "finn")


def test_models_differ_in_resources_only() -> None:
    for point in POINTS:
        spec = calibration.spec_of(point["spec"])
        assert kernel_cost(spec, "measured").cycles == kernel_cost(spec).cycles


def test_measured_cost_of_model_units_is_the_specs() -> None:
    """measured_costs.cost (on cost_model's units, as the brute-force test prices them) and
    the spec path agree."""
    spec = hw.MvtuSpec(64, 576, 9, 8, 32, 1, 1, True, False, 1, 1)
    unit = cm.MatrixVectorUnit(64, 576, 9, 1, False, 1, 1)
    assert measured_costs.cost(unit, 8, 32) == kernel_cost(spec, "measured")
    window = hw.WindowSpec(16, 10, 10, 4, 1, (3, 3), (1, 1))
    sliding = cm.SlidingWindow(16, (10, 10), (8, 8), (3, 3), 1, 1)
    assert measured_costs.cost(sliding, 4) == kernel_cost(window, "measured")
    dwc = hw.DwcSpec(4, 6, 1, 30)
    assert measured_costs.cost(cm.WidthConverter(4, 6, 30)) == kernel_cost(dwc, "measured")


def test_an_unknown_model_is_refused() -> None:
    spec = hw.DwcSpec(4, 6, 1, 30)
    with pytest.raises(ValueError, match="unknown cost model 'vivado'; known: finn, measured"):
        kernel_cost(spec, "vivado")
    with pytest.raises(ValueError, match="unknown cost model 'vivado'; give cost=finn or "
                                         "cost=measured"):
        Fold(target_fps=1000, cost="vivado")


# ===----------------------------------------------------------------------=== #
# bnn-fold{cost=measured}
# ===----------------------------------------------------------------------=== #


def _cnv(cost: str) -> tuple[ModuleOp, np.ndarray, np.ndarray]:
    input_type, build = PLAIN_ONNX["cnv_small"]
    model, x = build(np.random.default_rng(1))
    module = lowered(model, input_type)
    before = run_module(module, x)
    Fold(target_fps=20000, clock_mhz=100, cost=cost).apply(Context(), module)
    return module, x, before


def test_measured_folding_keeps_outputs() -> None:
    """Folded under the measured model, the streaming design computes what the layers do, and
    the module's figures are the measured model's."""
    module, x, before = _cnv("measured")
    assert module.attributes[COST_MODEL_ATTR] == StringAttr("measured")
    summary = module.attributes["bnn.fold"]
    assert isinstance(summary, bnn.FoldSummaryAttr)
    report = build_report(module)
    assert report["total_luts"] == summary.luts.data
    assert report["estimates"] == MEASURED_ESTIMATES and report["cost_model"] == "measured"
    finn = sum(kernel_cost(r, "finn").luts for r in _specs(module))
    assert finn != summary.luts.data  # the figures are not FINN's
    assert_bit_exact(run_module(to_stream(module), x), before)
    assert module_cost_model(module) == "measured"  # bnn-to-hwstream keeps it
    streamed = build_report(module)
    assert "measured cost model" in render_text(streamed)
    assert '"cost_model": "measured"' in render_json(streamed)


def _specs(module: ModuleOp) -> list[hw.KernelSpec]:
    from bnnir.analysis.folding import Folding, folded_choice

    layers = hardware_layers(module)
    folding = Folding(tuple((layer, folded_choice(layer, "test")) for layer in layers))
    return folding.specs


def test_default_model_is_finn_and_leaves_no_trace() -> None:
    module, _, _ = _cnv("finn")
    assert COST_MODEL_ATTR not in module.attributes
    report = build_report(module)
    assert "cost_model" not in report and "measured" not in render_json(report)
    refolded, _, _ = _cnv("measured")
    Fold(target_fps=20000, clock_mhz=100).apply(Context(), refolded)  # folding again: finn
    assert COST_MODEL_ATTR not in refolded.attributes


def test_bad_cost_option_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = Path(__file__).parent / "filecheck" / "passes" / "bnn-fold" / "cost.mlir"
    code = bnn_opt([str(source), "-p", "bnn-fold{target-fps=1000 cost=vivado}",
                    "-o", str(tmp_path / "out.mlir")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == ("bnn-opt: error: pass 'bnn-fold': unknown cost model 'vivado'; give "
                   "cost=finn or cost=measured\n")


def test_bnn_compile_passes_the_cost_model_to_bnn_fold() -> None:
    """bnn-compile --cost (bnnir.api's Options.cost) reaches bnn-fold; a bad one is refused
    before any work, in one line."""
    from bnnir.api import Options, stages
    from bnnir.diagnostics import BnnirError

    folds = [p for stage in stages(Options(target_fps=1000, cost="measured"))
             for p in stage.passes if isinstance(p, Fold)]
    assert [fold.cost for fold in folds] == ["measured"]
    with pytest.raises(BnnirError) as refused:
        stages(Options(target_fps=1000, cost="vivado"))
    assert str(refused.value) == ("options: bnn-fold: unknown cost model 'vivado'; give "
                                  "cost=finn or cost=measured")
