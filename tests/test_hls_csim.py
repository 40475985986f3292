"""The emitted HLS C++, compiled with g++ and run as a C simulation, computes exactly what the
interpreter and onnxruntime compute, for several foldings and both padding modes; every kernel's
pipelined loop runs exactly the cycles the cost model gives; the C simulation engine survives a
damaged cache, a slow run and a compiler wrapper."""

from __future__ import annotations

import itertools
import math
import os
import re
import stat
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

import models
from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.backends.hls import csim
from bnnir.backends.hls.emit import (
    KERNEL_HEADERS,
    design_of,
    emit_project,
    interface,
    library_headers,
)
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw
from bnnir.interp import run_module
from bnnir.interp.hwstream import run_design
from bnnir.passes.fold import Fold, annotate
from bnnir.tools.bnn_translate import main as bnn_translate
from bnnir.tools.cli import bnnir_context, load_module
from test_folding import wide_dense
from test_hwstream_exact import fold_with, lowered, to_stream
from test_onnx_exact import PLAIN_ONNX, QONNX, assert_bit_exact


def check_csim(model, x, input_type: str | None, pick: str, seed: int, mode: str = "exact",
               reference=None) -> None:
    module = lowered(model, input_type, mode)
    expected = run_module(module, x) if reference is None else reference(model, x)
    fold_with(module, pick, np.random.default_rng(seed))
    module = to_stream(module)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


@pytest.mark.parametrize("pick", ["slowest", "fastest", "random"])
@pytest.mark.parametrize("name", ["cnv_small", "conv_strided", "mlp_gemm", "cnv_minus_one_pad",
                                  "pool_order_cnv", "raw_conv_output"])
def test_plain_networks_in_csim(name: str, pick: str) -> None:
    input_type, build = PLAIN_ONNX[name]
    model, x = build(np.random.default_rng(7))
    check_csim(model, x, input_type, pick, 8, reference=models.ort_run)


@pytest.mark.parametrize("reader", ["batch_norm_sign_dense", "top_k"])
def test_flattened_maps_in_csim(reader: str) -> None:
    """Per-feature thresholds of a flattened map in the stream's (h, w, c) order; an arg-max of
    one on the host."""
    model, x = models.flattened_map_reader(np.random.default_rng(11), reader)
    check_csim(model, x, "bipolar", "random", 12, reference=models.ort_run)


@pytest.mark.parametrize("name", sorted(QONNX))
def test_qonnx_networks_in_csim(name: str) -> None:
    input_type, build = QONNX[name]
    model, x = build(np.random.default_rng(9))
    check_csim(model, x, input_type, "random", 10)


@pytest.mark.parametrize(("kernel", "pads", "stride"), [(2, (0, 1, 1, 0), 2), (3, (2, 1, 0, 2), 1)])
def test_raw_conv_border_offsets_in_csim(kernel: int, pads: tuple[int, int, int, int],
                                         stride: int) -> None:
    """A conv without thresholds on a zero-padded bipolar map adds its per-class offsets."""
    model, x = models.raw_conv_output(np.random.default_rng(14), size=5, kernel=kernel,
                                      pads=pads, stride=stride, channels=(4, 6))
    check_csim(model, x, "ui8", "random", 15, reference=models.ort_run)


def test_minus_one_padding_in_csim() -> None:
    model, x = models.cnv_small(np.random.default_rng(11))
    check_csim(model, x, "ui8", "random", 12, mode="minus-one")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=models.random_networks(channels=st.sampled_from([1, 2, 4, 6, 8]), max_size=8),
       seed=st.integers(0, 2**32 - 1))
def test_random_networks_in_csim(
    network: tuple[onnx.ModelProto, np.ndarray, str], seed: int,
) -> None:
    model, x, input_kind = network
    check_csim(model, x, input_kind, "random", seed, reference=models.ort_run)


def test_emission_is_deterministic() -> None:
    model, _ = models.cnv_small(np.random.default_rng(0))
    first, second = (emit_project(to_stream(_folded(model))) for _ in range(2))
    assert first == second


def _folded(model, pick: str = "random", seed: int = 0):
    module = lowered(model, "ui8")
    fold_with(module, pick, np.random.default_rng(seed))
    return module


def test_standalone_falling_threshold_in_csim() -> None:
    source = Path(__file__).parent / "filecheck" / "backends" / "hls" / "threshold.mlir"
    module = load_module(str(source))
    x = np.random.default_rng(13).choice(np.array([-1.0, 1.0], np.float32), size=(5, 1, 4, 4))
    expected = run_module(module, x)
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    module = to_stream(module)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)
    check_kernel(module, x)


def test_label_select_design_cycles() -> None:
    """Pad, window, border classes, pool, dot products and label select, with their cycles."""
    from bnnir.passes.size_fifos import SizeFifos

    source = Path(__file__).parent / "filecheck" / "passes" / "bnn-to-hwstream" / \
        "conv_pool_dense.mlir"
    module = to_stream(load_module(str(source)))
    SizeFifos().apply(Context(), module)
    assert any(isinstance(op, hw.LabelSelectOp) for op in design_of(module).kernels())
    x = np.random.default_rng(14).choice(np.array([-1.0, 1.0], np.float32), size=(4, 2, 3, 3))
    check_kernel(module, x)


def test_signed_8bit_input_in_csim() -> None:
    """si8 pixels stream as two's complement lanes and multiply as signed in the first MVTU."""
    model, _ = models.cnv_small(np.random.default_rng(3))
    x = np.random.default_rng(4).integers(-128, 128, size=(3, 3, 8, 8)).astype(np.float32)
    check_csim(model, x, "si8", "random", 5, reference=models.ort_run)


# ===----------------------------------------------------------------------=== #
# Every legal folding of small layers
# ===----------------------------------------------------------------------=== #


def _chain(layers: int, conv: bool, rng: np.random.Generator) -> tuple[onnx.ModelProto, np.ndarray]:
    """`layers` bipolar conv (4 channels, 3x3, zero pad 1, 5x5 map) or dense (12 wide) layers
    with batch norm and sign, then a dense layer to 10 logits."""
    g = models.Graph(rng)
    h = "x"
    for _ in range(layers):
        if conv:
            h = g.sign(g.conv_bn(h, models.bipolar(rng, (4, 4, 3, 3)), models.BIPOLAR_STATS, 1))
        else:
            h = g.sign(g.dense_bn(h, models.bipolar(rng, (12, 12))))
    if conv:
        h = g.node("Flatten", [h], axis=1)
    y = g.matmul(h, models.bipolar(rng, (4 * 5 * 5 if conv else 12, 10)))
    shape = [4, 5, 5] if conv else [12]
    return g.model(["N", *shape], y, ["N", 10]), models.bipolar(rng, (3, *shape))


@pytest.mark.parametrize("conv", [False, True], ids=["dense", "conv"])
def test_every_pe_and_simd_in_csim(conv: bool) -> None:
    """One network whose layer i takes the i-th (PE, SIMD) pair of a 4->4 3x3 conv (MW = 36;
    window SIMD taking each legal value in turn) or a 12x12 dense layer: every legal value of
    both, edge values included, through width converters, border classes and the C++."""
    rng = np.random.default_rng(21)
    probe = lowered(_chain(1, conv, rng)[0], "bipolar")
    pairs: dict[tuple[int, int], list] = {}
    for choice in hardware_layers(probe)[0].choices:
        pairs.setdefault((choice.params["pe"], choice.params["simd"]), []).append(choice)
    model, x = _chain(len(pairs), conv, rng)
    module = lowered(model, "bipolar")
    expected = run_module(module, x)
    layers = hardware_layers(module)
    picked = [(layer, options[i % len(options)])
              for i, (layer, options) in enumerate(zip(layers, pairs.values(), strict=False))]
    picked += [(layers[-1], layers[-1].choices[0])]
    annotate(module, Folding(tuple(picked)), 100.0)
    module = to_stream(module)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


# ===----------------------------------------------------------------------=== #
# Single kernels, against the stream interpreter
# ===----------------------------------------------------------------------=== #


def kernel_module(element: str, shape: tuple[int, int, int], out_shape: tuple[int, int, int],
                   lanes: int, kernel: str, out_width: int) -> ModuleOp:
    """A design of one kernel (its MLIR text, with %in as its input) over a C x H x W map."""
    c, h, w = shape
    in_type = f"tensor<?x{c}x{h}x{w}x{element}>"
    out_type = "tensor<?x{}x{}x{}x{}>".format(*out_shape, element)
    bits = 1 if element == "i1" else int(element[2:])
    text = f"""
func.func @main(%x: {in_type}) -> {out_type} {{
  %y = hwstream.instance @accel(%x) : {in_type} -> {out_type}
  func.return %y : {out_type}
}}
hwstream.design @accel attributes {{input_type = {in_type}, output_type = {out_type},
    input_lanes = {lanes} : i64, output_lanes = {out_width // bits} : i64}} {{
^bb0(%in: !hwstream.stream<{lanes * bits}>):
  %k = {kernel} : !hwstream.stream<{lanes * bits}> -> !hwstream.stream<{out_width}>
  hwstream.yield %k : !hwstream.stream<{out_width}>
}}
"""
    from xdsl.parser import Parser

    module = Parser(bnnir_context(), text).parse_module()
    module.verify()
    return module


def map_values(element: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if element == "i1":
        return models.bipolar(rng, shape)
    bits = int(element[2:])
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if element[0] == "s" else (0, 1 << bits)
    return rng.integers(low, high, shape).astype(np.float32)


POOLS = [  # element, C, H, W, kernel, strides, pads (top, left, bottom, right)
    ("i1", 16, 6, 6, (2, 2), (2, 2), (0, 0, 0, 0)),  # FINN's binary max-pool
    ("i1", 3, 7, 5, (3, 3), (2, 2), (1, 1, 1, 1)),  # overlapping windows, padding
    ("si4", 3, 5, 6, (3, 2), (1, 2), (1, 0, 2, 1)),  # windows stacked on the bottom edge
    ("ui3", 2, 5, 5, (2, 3), (3, 1), (0, 2, 0, 2)),  # stride > kernel rows; floor leftovers
    ("si32", 2, 4, 4, (3, 3), (1, 1), (2, 2, 2, 2)),  # signed accumulators, heavy padding
]


def pool_module(case: tuple) -> ModuleOp:
    """A design of one pool kernel for a POOLS case."""
    element, c, h, w, (kh, kw), (sh, sw), pads = case
    top, left, bottom, right = pads
    oh, ow = (h + top + bottom - kh) // sh + 1, (w + left + right - kw) // sw + 1
    bits = 1 if element == "i1" else int(element[2:])
    pool = (f"hwstream.pool %in {{channels = {c} : i64, height = {h} : i64, width = {w} : i64, "
            f"simd = {c} : i64, bits = {bits} : i64, kernel = array<i64: {kh}, {kw}>, "
            f"strides = array<i64: {sh}, {sw}>, pads = array<i64: {top}, {left}, {bottom}, "
            f"{right}>}}")
    return kernel_module(element, (c, h, w), (c, oh, ow), c, pool, c * bits)


@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{c[0]}-{c[4]}-{c[5]}-{c[6]}")
def test_pool_kernel_in_csim(case) -> None:
    element, c, h, w = case[:4]
    check_kernel(pool_module(case), map_values(element, (3, c, h, w), np.random.default_rng(h * w)))


WINDOWS = [  # C, SIMD, H, W, kernel, strides
    (4, 2, 5, 6, (3, 2), (2, 1)),
    (3, 3, 5, 5, (1, 1), (2, 2)),
    (2, 1, 4, 7, (2, 3), (1, 3)),
]


@pytest.mark.parametrize("case", WINDOWS, ids=lambda c: f"{c[4]}-{c[5]}-simd{c[1]}")
def test_window_kernel_in_csim(case) -> None:
    c, simd, h, w, (kh, kw), (sh, sw) = case
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    window = (f"hwstream.window %in {{channels = {c} : i64, height = {h} : i64, width = "
              f"{w} : i64, simd = {simd} : i64, bits = 4 : i64, kernel = array<i64: {kh}, "
              f"{kw}>, strides = array<i64: {sh}, {sw}>}}")
    # Its output as a [C, OH, OW * KH * KW] map of the same words.
    module = kernel_module("ui4", (c, h, w), (c, oh, ow * kh * kw), simd, window, simd * 4)
    check_kernel(module, map_values("ui4", (2, c, h, w), np.random.default_rng(h * w)))


# ===----------------------------------------------------------------------=== #
# Cycles: the trip counts of the kernels' pipelined loops
# ===----------------------------------------------------------------------=== #


def simulate_with_trips(module: ModuleOp, x: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The C simulation's output, and per instrumented kernel in design order the iterations
    its pipelined loop ran."""
    y, log = csim.simulate(module, x, defines=("BNNIR_TRIP_COUNTS",))
    return y, [int(n) for n in re.findall(r"bnnir-trips (\d+)", log)]


def instrumented_trips(module: ModuleOp) -> list[int]:
    """What simulate_with_trips should count per frame: adapters move a kernel word per cycle;
    kernels run their cost model's cycles (kernels of headers without BNNIR_TRIP are skipped)."""
    design = design_of(module)
    io = interface(design)
    instrumented = {name for name, text in library_headers().items() if "BNNIR_TRIP(" in text}
    trips = [io.input.words * io.input.lanes // io.input.kernel_lanes] if io.input.adapted else []
    for op in design.kernels():
        if KERNEL_HEADERS.get(type(op)) in instrumented:
            trips.append(kernel_cost(op).cycles)
    if io.output.adapted:
        trips.append(io.output.words * io.output.lanes // io.output.kernel_lanes)
    return trips


def check_kernel(module: ModuleOp, x: np.ndarray) -> None:
    """C simulation equals the stream interpreter, each loop running its expected cycles."""
    y, trips = simulate_with_trips(module, x)
    assert_bit_exact(y, run_design(design_of(module), x))
    assert trips == [len(x) * n for n in instrumented_trips(module)]


@pytest.mark.parametrize("name", ["cnv_small", "conv_strided", "mlp_gemm", "pool_order_cnv",
                                  "raw_conv_output", "qonnx_multibit"])
def test_kernel_cycles_are_the_cost_model(name: str) -> None:
    input_type, build = {**PLAIN_ONNX, **QONNX}[name]
    model, x = build(np.random.default_rng(1))
    module = lowered(model, input_type)
    fold_with(module, "random", np.random.default_rng(2))
    check_kernel(to_stream(module), x[:2])


# ===----------------------------------------------------------------------=== #
# Translation unit, ports, widths, synthesis types
# ===----------------------------------------------------------------------=== #


def test_translation_unit_compiles_alone(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`--emit-hls` on stdout is one self-contained file: only ap_int.h is needed."""
    module = to_stream(_folded(models.cnv_small(np.random.default_rng(5))[0]))
    source = tmp_path / "design.mlir"
    source.write_text(str(module))
    assert bnn_translate([str(source), "--emit-hls"]) == 0
    unit = tmp_path / "accel.cpp"
    unit.write_text(capsys.readouterr().out)
    assert '#include "' not in unit.read_text()
    result = subprocess.run([*csim.compiler(), "-std=c++14", "-fsyntax-only",
                             "-Wno-unknown-pragmas", f"-I{csim.ap_types_folder()}", str(unit)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def _threshold_design() -> tuple[ModuleOp, np.ndarray]:
    module = load_module(str(Path(__file__).parent / "filecheck" / "backends" / "hls" /
                             "threshold.mlir"))
    Fold(target_fps=1000, clock_mhz=100).apply(Context(), module)
    x = np.random.default_rng(13).choice(np.array([-1.0, 1.0], np.float32), size=(3, 1, 4, 4))
    return to_stream(module), x


def wide_dense_design(rng: np.random.Generator, inputs: int, hidden: int, pe: int,
                      simd: int) -> ModuleOp:
    """A bipolar MLP inputs → hidden → 3 streamed with its first layer at (pe, simd)."""
    g = models.Graph(rng)
    h = g.sign(g.dense_bn("x", models.bipolar(rng, (inputs, hidden))))
    model = g.model(["N", inputs], g.matmul(h, models.bipolar(rng, (hidden, 3))), ["N", 3])
    module = lowered(model, "bipolar")
    first, second = hardware_layers(module)
    wide = next(c for c in first.choices if c.params == {"pe": pe, "simd": simd})
    annotate(module, Folding(((first, wide), (second, second.choices[0]))), 100.0)
    return to_stream(module)


def _wide_weights_design() -> tuple[ModuleOp, np.ndarray]:
    """SIMD 150: weight words of three 50-bit pieces."""
    rng = np.random.default_rng(16)
    return wide_dense_design(rng, 150, 4, pe=2, simd=150), models.bipolar(rng, (3, 150))


def _raw_conv_design() -> tuple[ModuleOp, np.ndarray]:
    """A raw conv's signed border offsets."""
    model, x = models.raw_conv_output(np.random.default_rng(14), size=5, kernel=3,
                                      pads=(2, 1, 0, 2), channels=(4, 6))
    return to_stream(_folded(model, "random", 3)), x


def _cnv_design() -> tuple[ModuleOp, np.ndarray]:
    model, x = models.cnv_small(np.random.default_rng(6))
    return to_stream(_folded(model, "random", 7)), x


SYNTHESIS_ROM_DESIGNS = {
    "weights-thresholds": _cnv_design,
    "offsets": _raw_conv_design,
    "falling-flags": _threshold_design,
    "weight-pieces": _wide_weights_design,
}


@pytest.mark.parametrize("name", sorted(SYNTHESIS_ROM_DESIGNS))
def test_synthesis_rom_types_in_csim(name: str) -> None:
    """The ap_uint / ap_int tables that synthesis sees (weights in 64-bit pieces, thresholds,
    signed offsets, 1-bit flags) hold the same values as the built-in integers of the C
    simulation, and the XNOR count synthesis sees (bit by bit) equals the C simulation's
    (64 bits at a time, here over 150 bits: two full pieces and a partial one)."""
    module, x = SYNTHESIS_ROM_DESIGNS[name]()
    files = emit_project(module)
    table = {"weights-thresholds": "Thresholds<", "offsets": "Offsets<",
             "falling-flags": "ChannelFlags<", "weight-pieces": "BinaryWeights<2, 150,"}[name]
    assert table in files["params.hpp"]
    y, _ = csim.simulate(module, x, defines=("BNNIR_SYNTHESIS_ROMS",))
    assert_bit_exact(y, run_design(design_of(module), x))
    if name == "weight-pieces":
        assert_bit_exact(csim.simulate(module, x)[0], y)


def test_wide_streams_raise_ap_int_max_w() -> None:
    """A 3072-bit input (a 9216-bit bipolar vector, SIMD 1024) needs AP_INT_MAX_W > 1024."""
    rng = np.random.default_rng(8)
    module = wide_dense_design(rng, 9216, 8, pe=8, simd=1024)
    files = emit_project(module)
    widths = [int(w) for w in re.findall(r"ap_uint<(\d+)> >", files["top.cpp"])]
    widest = max(*widths, interface(design_of(module)).input.width)
    assert widest == 3072
    assert f"#define AP_INT_MAX_W {widest}" in files["top.hpp"]
    assert files["top.hpp"].index("AP_INT_MAX_W") < files["top.hpp"].index("#include <ap_int.h>")
    x = models.bipolar(rng, (2, 9216))
    assert_bit_exact(run_module(module, x, engine=csim.run), run_module(module, x))


def test_ports_are_byte_aligned_pixels() -> None:
    """CNV-style input: one 3-channel 8-bit pixel per 24-bit word whatever the folding; logits:
    a frame's 10 32-bit values per 320-bit word."""
    model, _ = models.cnv_small(np.random.default_rng(9))
    for pick in ("slowest", "fastest"):
        io = interface(design_of(to_stream(_folded(model, pick))))
        assert (io.input.width, io.input.lanes, io.input.words) == (24, 3, 64)
        assert (io.output.width, io.output.lanes, io.output.words) == (320, 10, 1)


# ===----------------------------------------------------------------------=== #
# The csim engine
# ===----------------------------------------------------------------------=== #


@pytest.fixture
def small_design() -> tuple[ModuleOp, np.ndarray]:
    model, x = models.mlp_bipolar(np.random.default_rng(10))
    module = lowered(model, "bipolar")
    fold_with(module, "fastest")
    return to_stream(module), x


def test_damaged_cache_entries_are_rebuilt(small_design, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    module, x = small_design
    monkeypatch.setenv("BNNIR_CACHE", str(tmp_path))
    expected = run_module(module, x, engine=csim.run)
    binary = csim.compiled(emit_project(module))
    binary.write_bytes(b"")  # truncated
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)
    binary.unlink()  # lost
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)
    assert binary.stat().st_size > 0


def test_cache_keeps_recent_binaries_only(small_design, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry holds its binary and hash, not the sources; the least recently used entries go
    beyond CACHE_ENTRIES."""
    module, x = small_design
    monkeypatch.setenv("BNNIR_CACHE", str(tmp_path))
    monkeypatch.setattr(csim, "CACHE_ENTRIES", 2)
    files = emit_project(module)
    first = csim.compiled(files)
    assert sorted(p.name for p in first.parent.iterdir()) == ["csim", "csim.sha256"]
    second = csim.compiled(files, ("BNNIR_TRIP_COUNTS",))
    # entries used long ago, the first before the second (set explicitly: a build and a cache hit
    # within one tick of the file system's clock would otherwise tie)
    os.utime(first.parent, (1, 1))
    os.utime(second.parent, (2, 2))
    csim.compiled(files)  # a cache hit marks it used
    csim.compiled(files, ("BNNIR_SYNTHESIS_ROMS",))
    entries = sorted(csim.cache_root().iterdir())
    assert len(entries) == 2 and first.parent in entries and second.parent not in entries
    assert_bit_exact(run_module(module, x, engine=csim.run), run_module(module, x))


def test_compiler_wrapper_commands_work(small_design, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """CXX may be a command with arguments, as `ccache g++` is."""
    module, x = small_design
    monkeypatch.setenv("BNNIR_CACHE", str(tmp_path))
    monkeypatch.setenv("CXX", "env g++")
    assert_bit_exact(run_module(module, x, engine=csim.run), run_module(module, x))


def test_slow_runs_fail_with_one_line(small_design, monkeypatch: pytest.MonkeyPatch) -> None:
    module, x = small_design
    run_module(module, x, engine=csim.run)  # compiled
    monkeypatch.setenv("BNNIR_CSIM_TIMEOUT", "1e-6")
    with pytest.raises(BnnirError, match=r"took longer than .* BNNIR_CSIM_TIMEOUT"):
        run_module(module, x, engine=csim.run)
    monkeypatch.setenv("BNNIR_CSIM_TIMEOUT", "0")
    assert csim.timeout_for(10**6) is None
    monkeypatch.delenv("BNNIR_CSIM_TIMEOUT")
    assert csim.timeout_for(1000) > csim.timeout_for(10)


def test_project_files_are_readable(small_design, tmp_path: Path) -> None:
    module, _ = small_design
    source = tmp_path / "design.mlir"
    source.write_text(str(module))
    old = os.umask(0o022)
    try:
        assert bnn_translate([str(source), "--emit-hls", "-o", str(tmp_path / "project")]) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "project").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path



def _converter_chain(lanes: list[int], bits: int, elements: int) -> str:
    """A design that only regroups a frame of `elements` lanes through width converters."""
    element = "i1" if bits == 1 else f"ui{bits}"
    body, value = [], "%in"
    for index, (a, b) in enumerate(itertools.pairwise(lanes)):
        body.append(
            f"  %d{index} = hwstream.dwc {value} {{in_lanes = {a} : i64, out_lanes = {b} : i64, "
            f"bits = {bits} : i64, words = {elements // a} : i64}} : !hwstream.stream<{a * bits}>"
            f" -> !hwstream.stream<{b * bits}>")
        value = f"%d{index}"
    tensor = f"tensor<?x{elements}x{element}>"
    return "\n".join([
        f"func.func @main(%x: {tensor}) -> {tensor} {{",
        f"  %y = hwstream.instance @chain(%x) : {tensor} -> {tensor}",
        f"  func.return %y : {tensor}",
        "}",
        f"hwstream.design @chain attributes {{input_type = {tensor}, output_type = {tensor}, "
        f"input_lanes = {lanes[0]} : i64, output_lanes = {lanes[-1]} : i64}} {{",
        f"^bb0(%in: !hwstream.stream<{lanes[0] * bits}>):",
        *body,
        f"  hwstream.yield {value} : !hwstream.stream<{lanes[-1] * bits}>",
        "}",
    ])


@pytest.mark.parametrize(("lanes", "bits"), [
    ([4, 6, 5, 12, 10, 3, 20, 15, 60, 1, 4], 3),  # neither count dividing the other, and both
    ([1, 7, 3, 5, 15, 105, 2], 1),
    ([64, 63, 64], 2),
])
def test_width_converters_keep_lane_order_in_csim(tmp_path, lanes: list[int], bits: int) -> None:
    """Gearboxes between any two lane counts: the stream interpreter and the C simulation of
    dwc.hpp both pass every lane of several frames through, in order, each gearbox in
    max(words in, words out) cycles per frame."""
    elements = math.lcm(*lanes) * (2 if lanes[0] == 64 else 1)
    path = tmp_path / "chain.mlir"
    path.write_text(_converter_chain(lanes, bits, elements))
    module = load_module(str(path))
    x = np.random.default_rng(len(lanes)).integers(0, 2**bits, size=(3, elements))
    x = (x * 2 - 1 if bits == 1 else x).astype(np.float32)
    expected = x.astype(np.int8 if bits == 1 else np.uint8)
    assert_bit_exact(run_module(module, x), expected)
    check_kernel(module, x)  # and every gearbox runs its cost model's cycles


def test_coprime_lanes_between_layers_in_csim() -> None:
    """Layers whose lanes do not divide each other (5 -> 3, 5 -> 33) are joined by one gearbox
    each, bit-exactly in the interpreter and in C simulation."""
    model, x = models.random_bnn(np.random.default_rng(870261678), depth=2, channels=15, size=7,
                                 kernel=1, pad=1, pool=False, input_kind="ui8")
    module = lowered(model, "ui8")
    wanted = [{"pe": 5}, {"window_simd": 3, "pe": 5}, {"simd": 33}]
    picks = [min((c for c in layer.choices if c.matches(params)), key=lambda c: c.key)
             for layer, params in zip(hardware_layers(module), wanted, strict=True)]
    annotate(module, Folding(tuple(zip(hardware_layers(module), picks, strict=True))), 100.0)
    module = to_stream(module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    converters = {(op.lanes_in, op.lanes_out) for op in design.kernels()
                  if isinstance(op, hw.DwcOp)}
    assert {(5, 3), (5, 33)} <= converters
    expected = models.ort_run(model, x)
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


def test_the_widest_stream_words_in_csim(tmp_path) -> None:
    """4096-bit words (512 lanes of 8 bits), the widest bnn-fold allows, build and run exactly."""
    module = load_module(wide_dense(tmp_path, 1024, "ui8"))
    x = np.random.default_rng(14).integers(0, 256, size=(2, 1024)).astype(np.float32)
    expected = run_module(module, x)
    Fold(target_fps=5e7, clock_mhz=100).apply(Context(), module)
    module = to_stream(module)
    design = next(op for op in module.ops if isinstance(op, hw.DesignOp))
    assert hw.stream_width(design.body.block.args[0]) == 4096
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)
