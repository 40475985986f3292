"""The cost model reproduces FINN's figures, and bnn-fold's choice is optimal under it."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.context import Context

import models
from bnnir.analysis import cost_model as cm
from bnnir.analysis.folding import fold_for_budget, fold_for_cycles, hardware_layers
from bnnir.diagnostics import BnnirError
from bnnir.frontend.onnx_import import import_onnx
from bnnir.passes.fold import Fold
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.threshold_fusion import ThresholdFusion

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


@functools.cache
def every_folding_of_the_tail() -> list[tuple[int, int]]:
    """(cycles, LUTs) of every combination of choices of the last three layers."""
    layers = folded_cnv()[-3:]  # small enough to enumerate the whole product
    return [
        (max(c.cycles for c in combo), sum(c.luts for c in combo))
        for combo in itertools.product(*(layer.choices for layer in layers))
    ]


@settings(max_examples=40, deadline=None)
@given(bound=st.integers(1, 40_000))
def test_fold_for_cycles_is_optimal_by_brute_force(bound: int) -> None:
    folding = fold_for_cycles(folded_cnv()[-3:], bound)
    feasible = [luts for cycles, luts in every_folding_of_the_tail() if cycles <= bound]
    if not feasible:
        assert folding is None
    else:
        assert folding is not None and folding.max_cycles <= bound
        assert folding.luts == min(feasible)


def test_fold_for_budget_is_the_fastest_that_fits() -> None:
    layers = folded_cnv()
    cheapest = fold_for_cycles(layers, 2**40)
    assert cheapest is not None
    for budget in (cheapest.luts, cheapest.luts + 500, cheapest.luts * 3):
        folding = fold_for_budget(layers, budget)
        assert folding is not None and folding.luts <= budget
        bounds = sorted(set().union(*(layer.achievable_cycles() for layer in layers)))
        faster = [b for b in bounds if b < folding.max_cycles]
        for bound in faster:
            other = fold_for_cycles(layers, bound)
            assert other is None or other.luts > budget


def test_infeasible_target_names_the_best_fps() -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    module = import_onnx(model, "ui8")
    with pytest.raises(BnnirError, match=r"at most [0-9.]+ fps"):
        Fold(target_fps=10**9, clock_mhz=100).apply(Context(), module)
