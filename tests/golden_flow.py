"""The compiler's outputs for a network, as sha256 digests: the guard that a refactoring changes
no output bit (tinygrad's "process replay" for code generators).

For a network, each folding variant runs the flow threshold fusion -> legalize padding (exact)
-> fold -> bnn-to-hwstream -> hwstream-size-fifos and digests the report before conversion (JSON
and text), the report after it (JSON and text) and every file of the emitted HLS project; a
variant the compiler refuses digests its one-line error instead. tests/test_golden_outputs.py
compares them with tests/golden/digests.json, and benchmarks/golden_reference_networks.py does
the same for FINN's CNV and the paper's network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.backends.hls.emit import emit_project
from bnnir.backends.report import build_report, render_json, render_text
from bnnir.diagnostics import BnnirError
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold, annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

Folder = Callable[[ModuleOp], None]


def _random_folding(seed: int) -> Folder:
    """Every layer folded with a random legal choice (width converters between most layers)."""

    def fold(module: ModuleOp) -> None:
        rng = np.random.default_rng(seed)
        layers = hardware_layers(module)
        choices = tuple((layer, layer.choices[rng.integers(len(layer.choices))])
                        for layer in layers)
        annotate(module, Folding(choices), 150.0)

    return fold


VARIANTS: dict[str, Folder] = {
    "target": lambda m: Fold(target_fps=1000, clock_mhz=100).apply(Context(), m),
    "part": lambda m: Fold(part="xc7z020").apply(Context(), m),
    "random": _random_folding(3),
}
"""The foldings each network is compiled with."""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def variant_digests(lowered: ModuleOp, fold: Folder) -> dict[str, str]:
    """The digests of one folding of a lowered (fused, legalized) module."""
    module = lowered.clone()
    try:
        fold(module)
        digests = {"bnn/report.json": sha(render_json(report := build_report(module))),
                   "bnn/report.txt": sha(render_text(report))}
        BnnToHwstream().apply(Context(), module)
        SizeFifos().apply(Context(), module)
        module.verify()
    except BnnirError as e:
        return {"error": sha(str(e))}
    report = build_report(module)
    digests |= {"report.json": sha(render_json(report)), "report.txt": sha(render_text(report))}
    digests |= {f"hls/{name}": sha(text) for name, text in sorted(emit_project(module).items())}
    return digests


def lower(module: ModuleOp) -> ModuleOp:
    ThresholdFusion().apply(Context(), module)
    LegalizePadding().apply(Context(), module)
    return module


def network_digests(module: ModuleOp,
                    variants: dict[str, Folder] | None = None) -> dict[str, dict[str, str]]:
    """Every variant's digests of an imported module (VARIANTS unless given)."""
    lowered = lower(module)
    return {name: variant_digests(lowered, fold)
            for name, fold in (VARIANTS if variants is None else variants).items()}
