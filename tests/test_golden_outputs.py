"""Every output of the flow is unchanged: for the bundled example and every network of the model
zoo (tests/models.py), the reports before and after streaming conversion and every file of the
emitted HLS project have the sha256 digests stored in tests/golden/digests.json (golden_flow.py
says what is digested).

A change that is meant to change an output regenerates the digests and says why in its commit:

    BNNIR_UPDATE_GOLDEN=1 python -m pytest -q tests/test_golden_outputs.py
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from golden_flow import network_digests
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.frontend.onnx import import_onnx

GOLDEN = Path(__file__).parent / "golden" / "digests.json"
NETWORKS = ["tiny_cnv", *sorted(models.ZOO)]


def imported(name: str) -> ModuleOp:
    if name == "tiny_cnv":
        path = resources.files("bnnir.examples") / "tiny_cnv.onnx"
        return import_onnx(str(path), "ui8")
    entry = models.ZOO[name]
    model, _ = entry.build(np.random.default_rng(0))
    return import_onnx(model, entry.input_type)


def _stored() -> dict[str, dict[str, dict[str, str]]]:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


@pytest.mark.parametrize("name", NETWORKS)
def test_outputs_unchanged(name: str) -> None:
    digests = network_digests(imported(name))
    if os.environ.get("BNNIR_UPDATE_GOLDEN"):
        # one file per network would avoid the race; the update is run serially (no -n)
        stored = _stored()
        stored[name] = digests
        GOLDEN.write_text(json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
        return
    expected = _stored().get(name)
    assert expected is not None, f"no stored digests for {name}; see the module docstring"
    changed = sorted(f"{variant}/{path}" for variant in expected.keys() | digests.keys()
                     for path in expected.get(variant, {}).keys() | digests.get(variant, {}).keys()
                     if expected.get(variant, {}).get(path) != digests.get(variant, {}).get(path))
    assert not changed, f"{name}: changed outputs {changed}"
