"""Bad input never escapes as a Python exception other than BnnirError (one clear line)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import models
from bnnir.diagnostics import BnnirError
from bnnir.frontend.onnx_import import import_onnx
from bnnir.interp import run_module

MODEL, X = models.cnv_small(np.random.default_rng(0))
MODEL_BYTES = MODEL.SerializeToString()


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(1, len(MODEL_BYTES) - 1), flips=st.lists(st.integers(0, 10**9), max_size=3))
def test_damaged_models_fail_cleanly(tmp_path_factory: pytest.TempPathFactory, cut: int,
                                     flips: list[int]) -> None:
    data = bytearray(MODEL_BYTES[:cut])
    for flip in flips:
        data[flip % len(data)] ^= 0xFF
    path = Path(tmp_path_factory.mktemp("bad")) / "model.onnx"
    path.write_bytes(bytes(data))
    try:
        import_onnx(path, "ui8")
    except BnnirError as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=5),
       value=st.sampled_from([0.0, 1.5, -3.0, 255.0, 256.0, np.nan]))
def test_bad_input_batches_fail_cleanly(shape: list[int], value: float) -> None:
    module = import_onnx(MODEL, "ui8")
    x = np.full(shape, value, np.float32)
    try:
        run_module(module, x)
    except BnnirError as e:
        assert e.where == "input" and "\n" not in str(e)
