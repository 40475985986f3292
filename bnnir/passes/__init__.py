"""The passes bnn-opt knows, registered lazily so the tools start fast.

`get_bnnir_passes()` holds bnnir's own passes (what bnnir's xDSL universe adds to xdsl-opt);
`get_all_passes()` adds the generic xDSL passes bnn-opt offers beside them.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _threshold_fusion() -> type[ModulePass]:
    from bnnir.passes.threshold_fusion import ThresholdFusion

    return ThresholdFusion


def _legalize_padding() -> type[ModulePass]:
    from bnnir.passes.legalize_padding import LegalizePadding

    return LegalizePadding


def _fold() -> type[ModulePass]:
    from bnnir.passes.fold import Fold

    return Fold


def _bnn_to_hwstream() -> type[ModulePass]:
    from bnnir.passes.bnn_to_hwstream import BnnToHwstream

    return BnnToHwstream


def _size_fifos() -> type[ModulePass]:
    from bnnir.passes.size_fifos import SizeFifos

    return SizeFifos


def _canonicalize() -> type[ModulePass]:
    from xdsl.transforms.canonicalize import CanonicalizePass

    return CanonicalizePass


def _cse() -> type[ModulePass]:
    from xdsl.transforms.common_subexpression_elimination import (
        CommonSubexpressionElimination,
    )

    return CommonSubexpressionElimination


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


def get_bnnir_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """bnnir's passes, in pipeline order: pass name -> a function returning the pass class."""
    return {
        "bnn-threshold-fusion": _threshold_fusion,
        "bnn-legalize-padding": _legalize_padding,
        "bnn-fold": _fold,
        "bnn-to-hwstream": _bnn_to_hwstream,
        "hwstream-size-fifos": _size_fifos,
    }


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass bnn-opt runs: bnnir's, then xDSL's generic clean-ups."""
    return get_bnnir_passes() | {
        "canonicalize": _canonicalize,
        "cse": _cse,
        "dce": _dce,
    }
