"""The cost model reproduces FINN's figures; bnn-fold's foldings are what the design it gives
reports (tests/test_fold_brute_force.py shows they are optimal)."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.context import Context

import models
from bnnir.analysis import cost_model as cm
from bnnir.analysis.folding import (
    Folding,
    fastest_bound,
    fold_for_cycles,
    hardware_layers,
)
from bnnir.backends.report import build_report
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold, annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion
from bnnir.tools.cli import load_module
from test_hwstream_exact import lowered

# FINN's CNV (BNN-PYNQ cnvW1A1) as matrix-vector units: (MW, MH, OFM_DIM), the folding of its
# published configuration, and the per-layer MVAU cycles FINN reports for it.
FINN_CNV = [
    ((27, 64, 30), (16, 3), 32400),
    ((576, 64, 28), (32, 32), 28224),
    ((576, 128, 12), (16, 32), 20736),
    ((1152, 128, 10), (16, 32), 28800),
    ((1152, 256, 3), (4, 32), 20736),
    ((2304, 256, 1), (1, 32), 18432),
    ((256, 512, 1), (1, 4), 32768),
    ((512, 512, 1), (1, 8), 32768),
    ((512, 10, 1), (5, 1), 1024),
]


@pytest.mark.parametrize(("shape", "folding", "cycles"), FINN_CNV)
def test_mvtu_cycles_reproduce_finn_cnv(shape, folding, cycles) -> None:
    columns, rows, ofm = shape
    unit = cm.MatrixVectorUnit(rows, columns, ofm * ofm, input_bits=1, threshold_steps=1)
    assert unit.legal(*folding)
    assert unit.cycles(*folding) == cycles


def test_sliding_window_cycles_follow_finn() -> None:
    # FINN's formula: IFM_W·K·(C/SIMD) + OFM_H·max(OFM_W·K·K·(C/SIMD), stride·IFM_W·(C/SIMD))
    window = cm.SlidingWindow(64, (32, 32), (30, 30), (3, 3), 1, 1)
    assert window.cycles(64) == 32 * 3 + 30 * max(30 * 9, 32)
    assert window.cycles(16) == 4 * (32 * 3 + 30 * max(30 * 9, 32))


def test_bram18_table_matches_finn() -> None:
    assert cm.bram18_for(16384, 1) == 1
    assert cm.bram18_for(4096, 4) == 1
    assert cm.bram18_for(1024, 18) == 1
    assert cm.bram18_for(512, 36) == 1
    assert cm.bram18_for(2048, 36) == 4  # deeper than 512: 1024-deep, 18-bit-wide blocks


@functools.cache
def folded_cnv() -> list:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = import_onnx(model, "ui8")
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
    return hardware_layers(module)


def test_a_converter_is_never_slower_than_its_neighbours() -> None:
    # Why a cycle bound constrains the layers alone: a converter moves at most the words its
    # producer writes or its consumer reads, one per cycle.
    layers = folded_cnv()
    for before, after in itertools.pairwise(layers):
        for a in before.choices:
            for b in after.choices:
                dwc = after.converter(a.lanes[1], b.lanes[0])
                if dwc is not None:
                    assert dwc.cost.cycles <= max(a.cycles, b.cycles)


def test_infeasible_target_names_the_best_fps() -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = import_onnx(model, "ui8")
    with pytest.raises(BnnirError, match=r"at most [0-9.]+ fps"):
        Fold(target_fps=10**9, clock_mhz=100).apply(Context(), module)


def test_max_pool_reads_and_writes_in_one_loop() -> None:
    # FINN's StreamingMaxPool takes IFM_DIM^2 (1 + 1/K^2) cycles, writing each pooled row in a
    # loop of its own; ours writes while it reads: H·W, both sides of the map counted.
    pool = functools.partial(cm.MaxPool, 8, bits=1)
    assert pool((32, 32), (16, 16), (2, 2), (2, 2), (0, 0)).cost().cycles == 32**2
    assert pool((32, 2), (16, 1), (2, 2), (2, 2), (0, 0)).cost().cycles == 64
    assert pool((2, 32), (1, 16), (2, 2), (2, 2), (0, 0)).cost().cycles == 64
    # Windows hanging over the bottom and right edges (kernel 3, stride 1, pads 1 before and 2
    # after a 4 x 4 map: 5 windows per axis, the last 3 ending at the last input) are written
    # one position each from there: 4 + 2 positions per axis.
    assert pool((4, 4), (5, 5), (3, 3), (1, 1), (1, 1)).cost().cycles == 6 * 6
    # A ceil-mode pool's last window, half padding, ends at the last input alone.
    assert pool((5, 5), (3, 3), (2, 2), (2, 2), (0, 0)).cost().cycles == 25


def _row(r: dict) -> tuple:
    return r["name"], r["kind"], r["pe"], r["simd"], r["cycles"], r["luts"], r["brams"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=st.one_of(models.random_networks(), models.raw_conv_networks(),
                         models.pool_order_networks()),
       seed=st.integers(0, 2**32 - 1), how=st.sampled_from(["random", "target", "budget"]))
def test_the_folding_is_what_the_design_reports(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int, how: str,
) -> None:
    """bnn-fold's totals, and the report of the folded module, equal the report of the design
    bnn-to-hwstream builds from it: every kernel, converters between layers included."""
    model, _, input_kind = network
    module = lowered(model, input_kind)
    layers = hardware_layers(module)
    rng = np.random.default_rng(seed)
    if how == "random":
        picks = [layer.choices[rng.integers(len(layer.choices))] for layer in layers]
        annotate(module, Folding(tuple(zip(layers, picks, strict=True))), 100.0)
    elif how == "target":
        bounds = sorted(set().union(*(layer.achievable_cycles() for layer in layers)))
        bound = max(int(rng.choice(bounds)), fastest_bound(layers))
        Fold(target_fps=100e6 / (bound + 0.5), clock_mhz=100).apply(Context(), module)
    else:
        cheapest = fold_for_cycles(layers, 2**62)
        assert cheapest is not None
        budget = int(cheapest.luts * rng.uniform(1, 3))
        Fold(max_luts=budget, clock_mhz=100).apply(Context(), module)
    fold = module.attributes["bnn.fold"]
    assert isinstance(fold, bnn.FoldSummaryAttr)
    summary = {k: v for k, v in fold.fields().items() if k in ("luts", "brams", "max_cycles")}
    before = build_report(module)
    BnnToHwstream().apply(Context(), module)
    after = build_report(module)
    assert summary == {"luts": after["total_luts"], "brams": after["total_brams"],
                       "max_cycles": after["max_cycles"]}
    assert [_row(r) for r in before["layers"]] == [_row(r) for r in after["layers"]]


def test_a_label_select_left_on_the_host_is_not_folded() -> None:
    # TopK after a float affine stays on the host: it is neither folded nor counted.
    model, _ = models.qonnx_topk(np.random.default_rng(0))
    module = lowered(model, "bipolar")
    Fold(target_fps=100_000, clock_mhz=100).apply(Context(), module)
    assert all(layer.op.name != "bnn.arg_max" for layer in hardware_layers(module))
    luts = module.attributes["bnn.fold"].luts.data  # type: ignore[union-attr]
    BnnToHwstream().apply(Context(), module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    assert not any(isinstance(op, hw.LabelSelectOp) for op in design.kernels())
    assert build_report(module)["total_luts"] == luts


def wide_dense(tmp_path, inputs: int, element: str) -> str:
    """A module of one thresholded dense layer, `inputs` -> 10."""
    weights = np.random.default_rng(0).integers(0, 256, inputs * 10 // 8)
    path = tmp_path / "wide.mlir"
    path.write_text(f"""func.func @main(%x: tensor<?x{inputs}x{element}>) -> tensor<?x10xi1> {{
  %w = bnn.constant bits<"0x{''.join(f'{b:02X}' for b in weights)}"> : tensor<10x{inputs}xi1>
  %y = bnn.dense %x, %w {{onnx_node = "fc", thresholds = dense<0> : tensor<1x1xsi32>}}
       : tensor<?x{inputs}x{element}>, tensor<10x{inputs}xi1> -> tensor<?x10xi1>
  func.return %y : tensor<?x10xi1>
}}
""")
    return str(path)


@pytest.mark.parametrize(("inputs", "element", "widest_simd"),
                         [(9216, "i1", 3072), (784, "ui8", 392)])
def test_no_folding_has_a_stream_word_wider_than_hls_builds(
    tmp_path, inputs: int, element: str, widest_simd: int,
) -> None:
    module = load_module(wide_dense(tmp_path, inputs, element))
    (layer,) = hardware_layers(module)
    assert all(c.widest <= cm.MAX_STREAM_BITS for c in layer.choices)
    assert max(c.params["simd"] for c in layer.choices) == widest_simd
    assert inputs in {c.params["simd"] for c in layer.too_wide}
    Fold(max_luts=10**9, clock_mhz=100).apply(Context(), module)  # the fastest folding
    BnnToHwstream().apply(Context(), module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    widths = [hw.stream_width(op.output) for op in design.kernels()]
    widths.append(hw.stream_width(design.body.block.args[0]))
    assert max(widths) <= cm.MAX_STREAM_BITS


def test_folding_file_sets_each_layer_of_one_node(tmp_path) -> None:
    """A Pad of a bipolar map with an integer value becomes a threshold (with a PE) and a pad
    (with a SIMD) of the node's name: a folding file entry for that name gives each the
    parameters it has (found by fuzzing bnn-compile: the pad used to replace the threshold)."""
    import json

    from bnnir.interp import run_module
    from test_hwstream_exact import to_stream
    from test_onnx_exact import assert_bit_exact

    model, x = models.pad_value_cnn(np.random.default_rng(0))
    module = lowered(model, "ui8")
    names = [layer.name for layer in hardware_layers(module)]
    node = next(name for name in names if names.count(name) == 2)
    path = tmp_path / "folding.json"
    path.write_text(json.dumps({node: {"PE": 2, "simd": 4, "ram_style": "auto"}}))
    Fold(folding_file=str(path)).apply(Context(), module)
    folds = {op.name: op.attributes["fold"].values for op in module.walk()  # type: ignore
             if "fold" in op.attributes and op.attributes["onnx_node"].data == node}
    assert folds["bnn.threshold"]["pe"] == 2
    assert folds["bnn.pad"]["simd"] == 4
    assert_bit_exact(run_module(to_stream(module), x), models.ort_run(model, x))
    path.write_text(json.dumps({node: {"pe": 2, "window_simd": 4}}))
    with pytest.raises(BnnirError, match=f"layer '{node}' has no folding parameter window_simd "
                                         r"\(it has pe, simd\)"):
        Fold(folding_file=str(path)).apply(Context(), lowered(model, "ui8"))


def _finn_config(module) -> dict[str, dict[str, object]]:
    """The folding bnn-fold chose, written as FINN's build writes folding_config.json (node names
    by op type and index in graph order, its newer spelling, a max-pool as a window and a Pool,
    FIFO entries between): FINN's CNV config (tests/benchmark/bnn-pynq/folding_config/) is of
    this shape."""
    config: dict[str, dict[str, object]] = {"Defaults": {}}
    count: dict[str, int] = {}

    def node(op_type: str, params: dict[str, object]) -> None:
        config[f"{op_type}_{count.setdefault(op_type, 0)}"] = params
        count[op_type] += 1
        node_fifo = f"StreamingFIFO_rtl_{len(config)}"
        config[node_fifo] = {"depth": 32, "impl_style": "rtl"}

    for layer in hardware_layers(module):
        fold = layer.op.attributes["fold"].values  # type: ignore[attr-defined]
        match layer.op:
            case bnn.Conv2dOp():
                node("ConvolutionInputGenerator_rtl", {"SIMD": fold["window_simd"],
                                                       "ram_style": "distributed"})
                node("MVAU_hls", {"PE": fold["pe"], "SIMD": fold["simd"], "ram_style": "auto",
                                  "resType": "lut"})
            case bnn.DenseOp():
                node("MVAU_hls", {"PE": fold["pe"], "SIMD": fold["simd"], "resType": "lut"})
            case bnn.MaxPoolOp():
                node("ConvolutionInputGenerator_rtl", {"SIMD": 1})
                node("Pool_hls", {"PE": 1})
            case bnn.ThresholdOp():
                node("Thresholding_rtl", {"PE": fold["pe"]})
            case bnn.PadOp():
                node("FMPadding_rtl", {"SIMD": fold["simd"]})
            case bnn.ArgMaxOp():
                node("LabelSelect_hls", {"PE": fold["pe"]})
    return config


@pytest.mark.parametrize("network", ["cnv_small", "pool_order_cnv", "pad_value_cnn"])
def test_finn_folding_config_gives_the_folding_back(network: str, tmp_path) -> None:
    """A FINN folding_config.json, node names and all, maps onto bnnir's layers in network order:
    written from a folding, it gives that folding back, layer by layer."""
    import json

    model, _ = getattr(models, network)(np.random.default_rng(1))
    module = lowered(model, "ui8")
    Fold(target_fps=20000, clock_mhz=100).apply(Context(), module)
    path = tmp_path / "folding_config.json"
    path.write_text(json.dumps(_finn_config(module), indent=2))
    again = lowered(model, "ui8")
    Fold(folding_file=str(path), clock_mhz=100).apply(Context(), again)
    folds = [layer.op.attributes["fold"] for layer in hardware_layers(module)]
    assert [layer.op.attributes["fold"] for layer in hardware_layers(again)] == folds
    assert any(name.startswith("MVAU_hls_") for name in json.loads(path.read_text()))
