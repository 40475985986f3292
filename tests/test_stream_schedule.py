"""The word-level schedule agrees with the cost model, FIFO sizing keeps outputs, and the report
has the fields scripts read."""

from __future__ import annotations

import json

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.analysis.stream_schedule import simulate
from bnnir.backends.report import build_report, render_json
from bnnir.dialects import hwstream as hw
from bnnir.examples.reference_networks import FINN_CNV, build
from bnnir.frontend.onnx_import import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold, annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion
from test_onnx_exact import assert_bit_exact

# FINN's published CNV folding, (PE, SIMD) per MVAU (see test_folding.py).
FINN_CNV_FOLDING = [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8),
                    (5, 1)]


def lowered(model, input_type: str) -> ModuleOp:
    module = import_onnx(model, input_type)
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
    return module


def design_of(module: ModuleOp) -> hw.DesignOp:
    return next(op for op in module.ops if isinstance(op, hw.DesignOp))


def test_finn_cnv_steady_state_matches_the_cost_model() -> None:
    model, _ = build(FINN_CNV)
    module = lowered(model, "ui8")
    layers = hardware_layers(module)
    matrix_layers = [layer for layer in layers if "pe" in layer.choices[0].params
                     and "simd" in layer.choices[0].params]
    picked = []
    for layer in layers:
        if layer in matrix_layers:
            pe, simd = FINN_CNV_FOLDING[matrix_layers.index(layer)]
            choice = next(c for c in layer.choices if c.params["pe"] == pe
                          and c.params["simd"] == simd
                          and c.params.get("window_simd", simd) == simd)
        else:
            choice = min(layer.choices, key=lambda c: c.key)
        picked.append((layer, choice))
    folding = Folding(tuple(picked))
    mvtu_cycles = [k.cost.cycles for _, c in picked for k in c.kernels if k.kind == "mvtu"]
    assert mvtu_cycles == [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 1024]
    annotate(module, folding, 200.0)
    BnnToHwstream().apply(Context(), module)
    schedule = simulate(design_of(module))
    assert abs(schedule.cycles_per_frame - folding.max_cycles) <= 0.05 * folding.max_cycles
    assert schedule.latency > folding.max_cycles


def test_size_fifos_keeps_outputs_and_sizes_from_the_schedule() -> None:
    model, x = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=5000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)
    expected = run_module(module, x)
    SizeFifos().apply(Context(), module)
    module.verify()
    fifos = [op for op in design_of(module).kernels() if isinstance(op, hw.FifoOp)]
    assert fifos and all(f.prop_int("depth") >= 2 for f in fifos)
    schedule = simulate(design_of(module))
    # with the sized FIFOs no kernel stalls: the bounded pipeline keeps the ideal throughput
    assert schedule.bounded_cycles_per_frame == pytest.approx(schedule.cycles_per_frame, rel=1e-6)
    waiting = {t.op: t.waiting for t in simulate(design_of(module)).kernels}
    for fifo in fifos:
        consumer = next(iter(fifo.output.uses)).operation
        assert fifo.prop_int("depth") >= waiting[consumer]
    assert_bit_exact(run_module(module, x), expected)
    SizeFifos().apply(Context(), module)  # re-sizing replaces, never stacks, FIFOs
    again = [op for op in design_of(module).kernels() if isinstance(op, hw.FifoOp)]
    assert len(again) == len(fifos)


@pytest.mark.parametrize("convert", [False, True])
def test_report_fields(convert: bool) -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = lowered(model, "ui8")
    Fold(target_fps=5000, clock_mhz=100).apply(Context(), module)
    if convert:
        BnnToHwstream().apply(Context(), module)
    report = json.loads(render_json(build_report(module)))
    for key in ("layers", "clock_mhz", "max_cycles", "fps", "latency_cycles", "total_luts",
                "total_brams", "ideal_cycles"):
        assert key in report
    kinds = {row["kind"] for row in report["layers"]}
    assert {"pad", "window", "mvtu", "pool"} <= kinds
    for row in report["layers"]:
        assert set(row) >= {"name", "kind", "pe", "simd", "cycles", "luts", "brams"}
    assert report["max_cycles"] <= 100e6 / 5000
    assert report["total_luts"] == sum(r["luts"] for r in report["layers"])


def test_gearboxes_between_layers_keep_the_folded_rate() -> None:
    """The audit's case: 5-lane words into a 33-lane dense layer. One gearbox (363 words in, 55
    out) never paces the pipeline: the schedule runs at bnn-fold's bound, as its report says."""
    model, _ = models.random_bnn(np.random.default_rng(870261678), depth=2, channels=15, size=7,
                                 kernel=1, pad=1, pool=False, input_kind="ui8")
    module = lowered(model, "ui8")
    Fold(target_fps=165_400, clock_mhz=100).apply(Context(), module)
    cycles = module.attributes["bnn.fold"].data["max_cycles"].value.data
    BnnToHwstream().apply(Context(), module)
    SizeFifos().apply(Context(), module)
    converters = [op for op in design_of(module).kernels() if isinstance(op, hw.DwcOp)]
    assert (5, 33) in {(op.lanes_in, op.lanes_out) for op in converters}
    schedule = simulate(design_of(module))
    assert build_report(module)["max_cycles"] == cycles <= 100e6 / 165_400
    assert schedule.bounded_cycles_per_frame == pytest.approx(cycles, rel=0.02)
    assert not isinstance(schedule.bottleneck.op, hw.DwcOp)
