"""The one lowering: bnn-to-hwstream builds exactly the kernel specs bnn-fold costed, every
kernel op gives its spec back and rebuilds from it, a layer it cannot lower exactly is refused,
and the target facts name the parts and boards."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from golden_flow import VARIANTS, lower
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.analysis import targets
from bnnir.analysis.folding import Folding, folded_choice, hardware_layers
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.backends.report import build_report, render_json
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.frontend.onnx import import_onnx
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion

TABLES = {"weights", "thresholds", "offsets", "bias", "border", "descending"}


def tiny_cnv() -> ModuleOp:
    return import_onnx(str(resources.files("bnnir.examples") / "tiny_cnv.onnx"), "ui8")


def zoo(name: str) -> ModuleOp:
    entry = models.ZOO[name]
    return import_onnx(entry.build(np.random.default_rng(0))[0], entry.input_type)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", ["cnv_small", "pool_order_cnv", "qonnx_topk", "mlp_gemm"])
def test_conversion_builds_the_folded_specs(name: str, variant: str) -> None:
    """The kernels of the design are the specs of the folding, in order, with their costs."""
    module = lower(zoo(name))
    VARIANTS[variant](module)
    layers = hardware_layers(module)
    folded = Folding(tuple((layer, folded_choice(layer, "test")) for layer in layers))
    BnnToHwstream().apply(Context(), module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    assert [op.spec for op in design.kernels()] == folded.specs
    assert [kernel_cost(op) for op in design.kernels()] == [k.cost for _, k in folded.kernels]
    for op in design.kernels():
        assert op.spec.op is type(op) and op.spec.kind == op.name.removeprefix("hwstream.")
        tables = {k: v for k, v in op.properties.items() if k in TABLES}
        rebuilt = type(op)(op.input, op.spec) if not tables else \
            type(op)(op.input, op.spec, **{k: _table_argument(k, v) for k, v in tables.items()})
        assert rebuilt.properties == op.properties and rebuilt.output.type == op.output.type


def _table_argument(name: str, attr: object) -> object:
    """A table property as its op's builder takes it."""
    if name == "bias":
        return attr.value.data  # type: ignore[attr-defined]
    if name in ("border", "descending"):
        return hw.int_values(attr)  # type: ignore[arg-type]
    return attr


def test_a_zero_padded_bipolar_conv_is_refused() -> None:
    """Issue 15.1: without bnn-legalize-padding, zero padding of a bipolar map would stream as
    -1 padding; the conversion refuses it instead of computing something else."""
    module = tiny_cnv()
    ThresholdFusion().apply(Context(), module)
    Fold(target_fps=20000, clock_mhz=100).apply(Context(), module)
    with pytest.raises(BnnirError, match="run bnn-legalize-padding first"):
        BnnToHwstream().apply(Context(), module)
    LegalizePadding().apply(Context(), module)  # and with it, it streams
    Fold(target_fps=20000, clock_mhz=100).apply(Context(), module)
    BnnToHwstream().apply(Context(), module)


def test_todays_parts_keep_their_figures() -> None:
    figures = {name: (p.part, p.luts, p.bram18) for name, p in targets.PARTS.items()}
    assert figures["xc7z020"] == ("xc7z020clg400-1", 53_200, 280)
    assert figures["xczu7ev"] == ("xczu7ev-ffvc1156-2-e", 230_400, 624)
    assert figures["xcku115"] == ("xcku115-flvb2104-2-e", 663_360, 4_320)
    assert figures["xcu250"] == ("xcu250-figd2104-2L-e", 1_728_000, 5_376)


@pytest.mark.parametrize(("name", "part"), [
    ("PYNQ-Z2", "xc7z020"), ("pynq-z1", "xc7z020"), ("ADM-PCIE-8K5", "xcku115"),
    ("ZCU104", "xczu7ev"), ("KV260_SOM", "xck26"), ("Alveo U250", "xcu250"),
    ("xcu280-fsvh2892-2L-e", "xcu280"), ("XCZU9EG", "xczu9eg")])
def test_a_board_or_part_name_selects_its_part(name: str, part: str) -> None:
    found = targets.find_part(name)
    assert found is not None and found.name == part


def test_every_board_names_a_known_part() -> None:
    assert set(targets.BOARDS.values()) <= set(targets.PARTS)
    assert targets.find_part("xc9z999") is None


@pytest.mark.parametrize("name", ["cnv_small", "pad_value_cnn", "qonnx_topk", "pool_order_cnv"])
def test_a_report_is_a_folding_file(name: str, tmp_path) -> None:
    """Issue 13: report.json given as --folding-file gives the identical folding."""
    module = lower(zoo(name))
    VARIANTS["random"](module)
    report = tmp_path / "report.json"
    report.write_text(render_json(build_report(module)))
    again = lower(zoo(name))
    Fold(folding_file=str(report)).apply(Context(), again)
    assert [layer.op.attributes["fold"] for layer in hardware_layers(again)] == \
        [layer.op.attributes["fold"] for layer in hardware_layers(module)]
