"""Matrix-vector-threshold units with N-bit integer weights (hwstream.mvtu's weight_bits, 2..8)
compute Σ w·x exactly, at every level after bnn-fold:

* units built directly from their specs and tables (random weights; unsigned, signed and bipolar
  inputs, with and without thresholds): the stream interpreter against numpy, and the C
  simulation and the Verilator RTL against the interpreter on a design chaining the three kinds;
* a bnn network with 4-, 2- and 8-bit weights, the zoo's TFC_2W2A and random QONNX networks
  mixing 1-, 2-, 4- and 8-bit weights and activations, through bnn-fold and bnn-to-hwstream:
  the stream interpreter, the C simulation and Verilator equal the bnn interpreter or qonnx.

C simulation and Verilator builds are cached by content and few (one design each).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp, UnitAttr, i64
from xdsl.parser import Parser

import models
from bnnir.analysis import cost_model as cm
from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.analysis.stream_schedule import simulate as schedule
from bnnir.backends.circt import sim
from bnnir.backends.hls import csim
from bnnir.backends.hls.emit import design_of, emitted
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_from_numpy, si32
from bnnir.interp import run_module
from bnnir.interp.hwstream import decode_weights
from bnnir.passes.bnn_to_hwstream import hlslib_thresholds, hlslib_weights
from bnnir.passes.fold import annotate
from bnnir.tools.cli import bnnir_context
from test_hwstream_exact import fold_with, lowered, to_stream
from test_onnx_exact import assert_bit_exact

REAL_MODELS = Path(__file__).parent / "real_models"

# (element type, bits, lowest, highest) of each input kind; bipolar values are ±1
INPUTS = {
    "unsigned": ("ui{bits}", lambda bits: (0, (1 << bits) - 1)),
    "signed": ("si{bits}", lambda bits: (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)),
    "bipolar": ("i1", lambda bits: (-1, 1)),
}


def weight_range(bits: int) -> tuple[int, int]:
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def mvtu_text(name: str, source: str, spec: hw.MvtuSpec, weights: np.ndarray,
              thresholds: np.ndarray | None) -> str:
    """An MVTU op's text from its spec, weight matrix [MH, MW] and thresholds [MH, T]."""
    packed = hlslib_weights(weights, spec.pe, spec.simd, spec.weight_bits)
    tables = {"weights": dense_from_numpy(packed, IntegerType(8))}
    if thresholds is not None:
        table = hlslib_thresholds(thresholds[None], spec.pe).astype(np.int32)
        tables["thresholds"] = dense_from_numpy(table, si32)
    props = spec.properties() | tables
    attrs = ", ".join(k if v == UnitAttr() else f"{k} = {v}" for k, v in props.items())
    return (f"  %{name} = hwstream.mvtu %{source} {{{attrs}}} : "
            f"!hwstream.stream<{spec.simd * spec.input_bits}> -> "
            f"!hwstream.stream<{spec.pe * spec.output_bits}>\n")


def module_text(input_type: str, output_type: str, units: list[str], first: hw.MvtuSpec,
                last: hw.MvtuSpec) -> str:
    body = "".join(units)
    return (f"func.func @main(%x: {input_type}) -> {output_type} {{\n"
            f"  %y = hwstream.instance @accel(%x) : {input_type} -> {output_type}\n"
            f"  func.return %y : {output_type}\n}}\n"
            f"hwstream.design @accel attributes {{input_type = {input_type}, output_type = "
            f"{output_type}, input_lanes = {first.simd} : i64, output_lanes = {last.pe} : i64}} "
            f"{{\n^bb0(%in: !hwstream.stream<{first.simd * first.input_bits}>):\n{body}"
            f"  hwstream.yield %u{len(units) - 1} : "
            f"!hwstream.stream<{last.pe * last.output_bits}>\n}}\n")


def parse_module(text: str) -> ModuleOp:
    return Parser(bnnir_context(), text).parse_module()


def reference(x: np.ndarray, weights: np.ndarray, thresholds: np.ndarray | None,
              bias: int = 0) -> np.ndarray:
    dot = x.astype(np.int64) @ weights.astype(np.int64).T
    if thresholds is None:
        return dot.astype(np.int32)
    return (dot[:, :, None] >= thresholds[None]).sum(axis=2) + bias


# ===----------------------------------------------------------------------=== #
# The stream interpreter against numpy
# ===----------------------------------------------------------------------=== #


@st.composite
def units(draw: st.DrawFn) -> tuple[str, hw.MvtuSpec, np.ndarray, np.ndarray | None, int]:
    kind = draw(st.sampled_from(sorted(INPUTS)))
    input_bits = 1 if kind == "bipolar" else draw(st.integers(2 if kind == "signed" else 1, 8))
    weight_bits = draw(st.integers(2, 8))
    rows, columns = draw(st.sampled_from([1, 2, 4, 6])), draw(st.sampled_from([1, 3, 4, 8, 12]))
    pe = draw(st.sampled_from(cm.divisors(rows)))
    simd = draw(st.sampled_from(cm.divisors(columns)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    weights = rng.integers(*weight_range(weight_bits), endpoint=True, size=(rows, columns))
    steps = draw(st.sampled_from([0, 1, 3]))
    thresholds = None
    if steps:
        thresholds = np.sort(rng.integers(-40, 40, size=(rows, steps)), axis=1)
    output_bits = 32 if not steps else max(1, steps.bit_length())
    spec = hw.MvtuSpec(rows, columns, 1, pe, simd, input_bits, output_bits,
                       signed_input=kind == "signed", steps=steps, weight_bits=weight_bits,
                       bipolar_input=kind == "bipolar")
    return kind, spec, weights, thresholds, seed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units())
def test_interpreter_multiplies_integer_weights(
        unit: tuple[str, hw.MvtuSpec, np.ndarray, np.ndarray | None, int]) -> None:
    kind, spec, weights, thresholds, seed = unit
    element, value_range = INPUTS[kind]
    in_elem = element.format(bits=spec.input_bits)
    out_elem = "si32" if thresholds is None else \
        ("i1" if spec.output_bits == 1 else f"ui{spec.output_bits}")
    text = module_text(f"tensor<?x{spec.columns}x{in_elem}>",
                       f"tensor<?x{spec.rows}x{out_elem}>",
                       [mvtu_text("u0", "in", spec, weights, thresholds)], spec, spec)
    module = parse_module(text)
    module.verify()
    (op,) = [o for o in module.walk() if isinstance(o, hw.MvtuOp)]
    assert op.spec == spec
    assert np.array_equal(decode_weights(op), weights)
    assert str(parse_module(str(module))) == str(module)  # round trip
    x = np.random.default_rng(seed + 1).integers(*value_range(spec.input_bits), endpoint=True,
                                                  size=(3, spec.columns))
    if kind == "bipolar":
        x = np.where(x > 0, 1, -1)
    x = x.astype(np.int8 if spec.input_bits <= 7 or kind == "bipolar" else np.int16)
    if kind == "unsigned" and spec.input_bits == 8:
        x = x.astype(np.uint8)
    expected = reference(x, weights, thresholds)
    if out_elem == "i1":
        expected = np.where(expected > 0, 1, -1)
    result = run_module(module, x)
    assert np.array_equal(result.astype(np.int64), expected.astype(np.int64))


def test_weight_bits_print_only_when_integer() -> None:
    spec = hw.MvtuSpec(2, 4, 1, 1, 2, 1, 32, xnor=True)
    assert "weight_bits" not in spec.properties()
    assert hw.MvtuSpec(2, 4, 1, 1, 2, 1, 32, weight_bits=4,
                       bipolar_input=True).properties()["weight_bits"] == IntegerAttr(4, i64)


@pytest.mark.parametrize(("change", "message"), [
    ({"xnor": True}, "xnor takes bipolar weights: weight_bits must be 1, got 4"),
    ({"weight_bits": 9}, "weight_bits must be 1 (bipolar ±1) or 2..8"),
    ({"bipolar_input": True, "input_bits": 2}, "bipolar_input takes 1-bit unsigned input"),
])
def test_verifier_states_weight_widths(change: dict[str, object], message: str) -> None:
    base = {"rows": 2, "columns": 4, "vectors": 1, "pe": 1, "simd": 2, "input_bits": 1,
            "output_bits": 32, "weight_bits": 4}
    spec = hw.MvtuSpec(**(base | change))  # type: ignore[arg-type]
    weights = np.zeros((2, 4), np.int64)
    text = module_text(f"tensor<?x4x{'i1' if spec.input_bits == 1 else 'ui2'}>",
                       "tensor<?x2xsi32>", [mvtu_text("u0", "in", spec, weights, None)],
                       spec, spec)
    with pytest.raises(Exception, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_module(text).verify()


def test_cost_counts_weight_bits() -> None:
    """FINN-R's terms grow with W: multipliers, adder tree, accumulator, weight memory."""
    binary = hw.MvtuSpec(64, 256, 1, 4, 32, 2, 2, steps=3)
    four = hw.MvtuSpec(64, 256, 1, 4, 32, 2, 2, steps=3, weight_bits=4)
    unit = cm.MatrixVectorUnit(64, 256, 1, 2, threshold_steps=3, weight_bits=4)
    assert kernel_cost(four) == unit.cost(4, 32)
    assert kernel_cost(four).luts > kernel_cost(binary).luts
    # W = 4, A = 2: mult 32·(2·1 − 1)·6, adder tree 6·63, acc ceil(8 + 4 + 2 − 1 + ε + 1) = 15
    acc = unit.accumulator_bits()
    assert acc == 15
    per_pe = 32 * 6 + 6 * 63 + acc + 3 * acc * 1 + 3 * acc
    assert kernel_cost(four).luts == int(300 + 1.1 * 4 * per_pe + 4 * 32 * 4 * 2)
    assert four.widest == 128 and hw.MvtuSpec(8, 4096, 1, 1, 1024, 1, 1, steps=1,
                                              weight_bits=8).widest == 8192


# ===----------------------------------------------------------------------=== #
# The backends against the interpreter: one design, three input kinds
# ===----------------------------------------------------------------------=== #


def chained_design() -> tuple[ModuleOp, np.ndarray]:
    """si4 input -> 3-bit weights, 3 thresholds (ui2) -> 2-bit weights on ui2, 1 threshold
    (bipolar) -> 8-bit weights on bipolar bits, raw dot products (si32)."""
    rng = np.random.default_rng(16)
    specs = [hw.MvtuSpec(8, 12, 1, 2, 4, 4, 2, signed_input=True, steps=3, weight_bits=3),
             hw.MvtuSpec(6, 8, 1, 3, 2, 2, 1, steps=1, weight_bits=2),
             hw.MvtuSpec(4, 6, 1, 2, 3, 1, 32, weight_bits=8, bipolar_input=True)]
    lines = []
    for index, spec in enumerate(specs):
        weights = rng.integers(*weight_range(spec.weight_bits), endpoint=True,
                               size=(spec.rows, spec.columns))
        thresholds = None
        if spec.steps:
            thresholds = np.sort(rng.integers(-12, 12, size=(spec.rows, spec.steps)), axis=1)
        lines.append(mvtu_text(f"u{index}", "in" if index == 0 else f"u{index - 1}", spec,
                               weights, thresholds))
    text = module_text("tensor<?x12xsi4>", "tensor<?x4xsi32>", lines, specs[0], specs[-1])
    x = rng.integers(-8, 8, size=(5, 12)).astype(np.int8)
    return parse_module(text), x


def test_csim_equals_interpreter() -> None:
    module, x = chained_design()
    expected = run_module(module, x)
    assert np.any(expected != 0)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


def test_rtl_equals_interpreter() -> None:
    """Under random back-pressure and input gaps; without them, at the stream schedule's
    steady-state cycles per frame (the wider adder trees of N-bit lanes add latency only)."""
    module, x = chained_design()
    expected = run_module(module, x)
    engine = sim.RtlEngine(sim.Options(backpressure=0.3, gaps=0.3, seed=7))
    assert_bit_exact(run_module(module, x, engine=engine), expected)
    steady = sim.RtlEngine(sim.Options())
    assert_bit_exact(run_module(module, x, engine=steady), expected)
    (run,) = steady.runs
    assert run.cycles_per_frame == schedule(design_of(module)).bounded_cycles_per_frame


# ===----------------------------------------------------------------------=== #
# A bnn network with 2-, 4- and 8-bit weights through the whole flow
# ===----------------------------------------------------------------------=== #


def constant(name: str, values: np.ndarray, bits: int) -> str:
    op = bnn.ConstantOp.from_integers(values, bits)
    return f"  %{name} = {str(op).split(' = ', 1)[1]}\n"


def multibit_network() -> tuple[ModuleOp, np.ndarray]:
    """ui8 -> conv 3x3 pad 1, si4 weights, 3 thresholds (ui2) -> conv 3x3, ternary (si2)
    weights, 1 threshold, channel 1 falling with a −2 weight (bipolar; its negation needs 3
    bits) -> 2x2 max-pool -> flatten -> dense, si8 weights on bipolar input (si32)."""
    rng = np.random.default_rng(216)
    w0 = rng.integers(-8, 8, size=(4, 2, 3, 3))
    w1 = rng.integers(-1, 2, size=(4, 4, 3, 3))
    w1[1, 0, 0, 0] = -2
    w2 = rng.integers(-128, 128, size=(3, 16))
    t0 = np.sort(rng.integers(-2000, 2000, size=(4, 3)), axis=1)
    t1 = rng.integers(-6, 7, size=(4, 1))
    text = (
        "func.func @main(%x: tensor<?x2x6x6xui8>) -> tensor<?x3xsi32> {\n"
        + constant("w0", w0, 4) + constant("w1", w1, 2) + constant("w2", w2, 8)
        + f"  %a = bnn.conv2d %x, %w0 {{onnx_node = \"conv0\", strides = array<i64: 1, 1>, "
        f"pads = array<i64: 1, 1, 1, 1>, thresholds = {dense(t0)}}} : tensor<?x2x6x6xui8>, "
        "tensor<4x2x3x3xsi4> -> tensor<?x4x6x6xui2>\n"
        f"  %b = bnn.conv2d %a, %w1 {{onnx_node = \"conv1\", strides = array<i64: 1, 1>, "
        f"pads = array<i64: 0, 0, 0, 0>, thresholds = {dense(t1)}, descending = "
        "array<i64: 1>} : tensor<?x4x6x6xui2>, tensor<4x4x3x3xsi2> -> tensor<?x4x4x4xi1>\n"
        "  %p = bnn.max_pool %b {onnx_node = \"pool\", kernel = array<i64: 2, 2>, strides = "
        "array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x4x4xi1> -> "
        "tensor<?x4x2x2xi1>\n"
        "  %f = bnn.flatten %p : tensor<?x4x2x2xi1> -> tensor<?x16xi1>\n"
        "  %y = bnn.dense %f, %w2 {onnx_node = \"fc\"} : tensor<?x16xi1>, tensor<3x16xsi8> -> "
        "tensor<?x3xsi32>\n"
        "  func.return %y : tensor<?x3xsi32>\n}\n")
    x = rng.integers(0, 256, size=(4, 2, 6, 6)).astype(np.uint8)
    return parse_module(text), x


def dense(values: np.ndarray) -> str:
    return str(dense_from_numpy(values.astype(np.int32), si32))


def test_network_through_the_flow() -> None:
    """bnn-fold, bnn-to-hwstream, the stream interpreter and the C simulation equal the bnn
    interpreter; the units hold 4-, 3- (a falling row's −2 negated) and 8-bit weights."""
    module, x = multibit_network()
    expected = run_module(module, x)
    fold_with(module, "random", np.random.default_rng(5))
    module = to_stream(module)
    mvtus = [op for op in module.walk() if isinstance(op, hw.MvtuOp)]
    assert [(op.spec.weight_bits, op.spec.bipolar_input) for op in mvtus] == \
        [(4, False), (3, False), (8, True)]
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


# ===----------------------------------------------------------------------=== #
# The zoo's TFC_2W2A (tests/real_models/): 2-bit weights on 2-bit signed activations
# ===----------------------------------------------------------------------=== #


def tfc_2w2a(folding: list[tuple[int, int]]) -> tuple[ModuleOp, np.ndarray, np.ndarray]:
    """TFC_2W2A fused and folded (PE, SIMD per layer), streamed; its input images (k / 255) and
    the bnn interpreter's outputs for them before streaming conversion."""
    module = lowered(str(REAL_MODELS / "qonnx_model_zoo" / "TFC_2W2A.onnx"), None)
    x = np.load(REAL_MODELS / "finn" / "build_dataflow" / "input.npy").astype(np.float32)
    x = x / np.float32(255)
    expected = run_module(module, x)
    layers = hardware_layers(module)
    annotate(module, Folding(tuple(
        (layer, next(c for c in layer.choices if c.params == {"pe": pe, "simd": simd}))
        for layer, (pe, simd) in zip(layers, folding, strict=True))), 100.0)
    return to_stream(module), x, expected


def test_tfc_2w2a_in_csim() -> None:
    """At FINN's TFC folding (benchmarks/fold_tfc_2w2a.py)."""
    module, x, expected = tfc_2w2a([(16, 49), (8, 8), (8, 8), (10, 8)])
    assert {op.spec.weight_bits for op in module.walk() if isinstance(op, hw.MvtuOp)} == {2}
    assert_bit_exact(run_module(module, x), expected)
    assert_bit_exact(run_module(module, x, engine=csim.run), expected)


def test_tfc_2w2a_in_rtl() -> None:
    module, x, expected = tfc_2w2a([(2, 16), (2, 8), (2, 8), (2, 8)])
    engine = sim.RtlEngine(sim.Options(backpressure=0.3, gaps=0.3, seed=7))
    assert_bit_exact(run_module(module, x, engine=engine), expected)


def test_hls_word_limit_holds_the_weight_word() -> None:
    """512 bipolar inputs against 8-bit weights: the weight word (4096 bits) is the widest
    ap_uint, wider than any stream, and AP_INT_MAX_W holds it."""
    spec = hw.MvtuSpec(1, 512, 1, 1, 512, 1, 32, weight_bits=8, bipolar_input=True)
    weights = np.ones((1, 512), np.int64)
    module = parse_module(module_text("tensor<?x512xi1>", "tensor<?x1xsi32>",
                                      [mvtu_text("u0", "in", spec, weights, None)], spec, spec))
    assert emitted(module).ap_int_max_w == 4096


# ===----------------------------------------------------------------------=== #
# Random QONNX networks mixing 1-, 2-, 4- and 8-bit weights and activations
# ===----------------------------------------------------------------------=== #

WIDTHS = st.sampled_from([1, 2, 4, 8])


def streamed_qnn(model: onnx.ModelProto, pick: str, seed: int) -> ModuleOp:
    """The network imported, fused, legalized (exact padding), folded and streamed."""
    with contextlib.redirect_stderr(io.StringIO()):  # the importer's remarks
        module = lowered(model, None)
    fold_with(module, pick, np.random.default_rng(seed))
    return to_stream(module)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(
    st.lists(WIDTHS, min_size=n, max_size=n), st.lists(WIDTHS, min_size=n, max_size=n))),
       st.booleans(), st.integers(0, 1), st.sampled_from(["slowest", "fastest", "random"]),
       st.integers(0, 2**32 - 1))
def test_mixed_networks_streamed_equal_qonnx(widths: tuple[list[int], list[int]], conv: bool,
                                             pad: int, pick: str, seed: int) -> None:
    weight_bits, act_bits = widths
    model, x = models.random_qnn(np.random.default_rng(seed), tuple(weight_bits),
                                 tuple(act_bits), conv=conv, pad=pad)
    module = streamed_qnn(model, pick, seed)
    assert run_module(module, x).tobytes() == models.qonnx_run(model, x).tobytes()


def mixed_network() -> tuple[ModuleOp, np.ndarray, np.ndarray]:
    """Zero-padded convs of 8-bit weights on bipolar input and ±1 weights on 2-bit values, a
    2-bit and a 4-bit dense layer; randomly folded."""
    model, x = models.random_qnn(np.random.default_rng(61), (8, 1, 2, 4), (2, 1, 4, 8))
    return streamed_qnn(model, "random", 61), x, models.qonnx_run(model, x)


def test_mixed_network_in_csim() -> None:
    module, x, expected = mixed_network()
    assert {op.spec.weight_bits for op in module.walk() if isinstance(op, hw.MvtuOp)} == \
        {1, 2, 4, 8}
    assert run_module(module, x, engine=csim.run).tobytes() == expected.tobytes()


def test_mixed_network_in_rtl() -> None:
    module, x, expected = mixed_network()
    engine = sim.RtlEngine(sim.Options(backpressure=0.3, gaps=0.3, seed=7))
    assert run_module(module, x, engine=engine).tobytes() == expected.tobytes()
