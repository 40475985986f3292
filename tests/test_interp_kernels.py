"""The interpreter's packed kernels against plain integer arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i64
from xdsl.ir import Block, Region
from xdsl.parser import Parser
from xdsl.rewriter import InsertPoint

from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn, bnn_values
from bnnir.interp import run_module
from bnnir.interp.bnn import (
    count_thresholds,
    integer_dot,
    pack_rows,
    xnor_popcount_columns,
    xnor_popcount_dot,
)
from bnnir.tools.cli import bnnir_context


@pytest.mark.parametrize("width", [1, 7, 8, 63, 64, 65, 127, 128, 129, 577])
def test_xnor_popcount_equals_integer_dot(width: int) -> None:
    rng = np.random.default_rng(width)
    x = rng.choice(np.array([-1, 1], np.int8), size=(37, width))
    w = rng.choice(np.array([-1, 1], np.int8), size=(11, width))
    expected = x.astype(np.int64) @ w.astype(np.int64).T
    assert np.array_equal(xnor_popcount_dot(x, w), expected)


@pytest.mark.parametrize(("positions", "outputs", "width"), [
    (5000, 3, 577), (40000, 11, 64), (1500, 5, 130), (1000, 4, 70), (16385, 9, 1)])
def test_xnor_popcount_columns_equals_integer_dot(positions: int, outputs: int, width: int
                                                  ) -> None:
    """The outputs-first kernel over long runs (and the rows-first one below 1024 positions):
    uneven runs, output groups that do not divide the outputs, unused bits in the last word."""
    rng = np.random.default_rng(positions)
    x = rng.choice(np.array([-1, 1], np.int8), size=(positions, width))
    w = rng.choice(np.array([-1, 1], np.int8), size=(outputs, width))
    got = xnor_popcount_columns(np.ascontiguousarray(pack_rows(x > 0).T), pack_rows(w > 0), width)
    assert got.shape == (outputs, positions)
    assert np.array_equal(got, w.astype(np.int64) @ x.astype(np.int64).T)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
def test_count_thresholds_with_thresholds_beyond_the_values_dtype(dtype: type) -> None:
    """Thresholds outside the values' dtype compare as in int64: below it always passed, above
    it never; the values' memory order (outputs first) is kept."""
    info = np.iinfo(dtype)
    values = np.array([[info.min, -1 if info.min else 0, 0, info.max]] * 3, dtype).T  # [4, 3]
    table = np.array([[-(1 << 40), 0, 1 << 40], [info.min, info.max, info.max],
                      [-(1 << 40), -(1 << 40), info.max]], np.int64)  # [C=3, T=3]
    expected = (values.astype(np.int64)[:, :, None] >= table[None]).sum(axis=2)
    channels_first = np.ascontiguousarray(values.T).T
    got = count_thresholds(channels_first, table, None)
    assert np.array_equal(got, expected)
    one_step = count_thresholds(values, table[:, :1], None)  # within the dtype below: clipped
    assert np.array_equal(one_step, values.astype(np.int64) >= table[:, 0])


@pytest.mark.parametrize("table_dtype", [np.int8, np.int32, np.uint16])
def test_count_thresholds_with_a_narrower_table(table_dtype: type) -> None:
    """si32 thresholds against the int64 dot products of integer weights (and other narrower
    tables): compared as integers, not clipped to the wider dtype's lowest value."""
    values = np.array([[-5, 0, 7], [100, -100, 3]], np.int64)
    table = np.array([[0, 3], [1, 5], [2, 100]], table_dtype)  # [C=3, T=2]
    expected = (values[:, :, None] >= table.astype(np.int64)[None]).sum(axis=2)
    assert np.array_equal(count_thresholds(values, table, None), expected)


def test_pack_rows_puts_element_zero_at_bit_zero() -> None:
    bits = np.zeros((1, 70), dtype=bool)
    bits[0, [0, 65]] = True
    words = pack_rows(bits)
    assert words.shape == (1, 2)
    assert words[0, 0] == 1 and words[0, 1] == 2


@pytest.mark.parametrize("high", [255, 1 << 20])
def test_integer_dot_is_exact_beyond_float32(high: int) -> None:
    rng = np.random.default_rng(high)
    x = rng.integers(0, high + 1, size=(9, 300))
    w = rng.choice(np.array([-1, 1], np.int8), size=(4, 300))
    assert np.array_equal(integer_dot(x, w), x.astype(np.int64) @ w.astype(np.int64).T)


def test_integer_dot_bounds_int8_minus_128() -> None:
    """np.abs(int8 −128) is −128: the exactness bound must still see a magnitude of 128. Here
    127·K < 2^24 ≤ 128·K and the odd sum lies above 2^24, where float32 holds only evens."""
    x = np.full((1, 132100), -127, np.int8)
    x[0, :1001] = -128
    w = np.ones((1, 132100), np.int8)
    assert integer_dot(x, w)[0, 0] == -(127 * 132100 + 1001)


def reference_conv(x: np.ndarray, w: np.ndarray, strides: tuple[int, int],
                   pads: tuple[int, int, int, int], pad_value: int) -> np.ndarray:
    """Direct convolution, one kernel tap at a time, in int64."""
    top, left, bottom, right = pads
    xp = np.pad(x.astype(np.int64), ((0, 0), (0, 0), (top, bottom), (left, right)),
                constant_values=pad_value)
    kh, kw = w.shape[2:]
    oh = (xp.shape[2] - kh) // strides[0] + 1
    ow = (xp.shape[3] - kw) // strides[1] + 1
    acc = np.zeros((x.shape[0], w.shape[0], oh, ow), np.int64)
    sh, sw = strides
    for ky in range(kh):
        for kx in range(kw):
            window = xp[:, :, ky : ky + sh * oh : sh, kx : kx + sw * ow : sw]
            acc += np.einsum("nchw,oc->nohw", window, w[:, :, ky, kx].astype(np.int64))
    return acc


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    channels=st.integers(1, 70),
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    pads=st.tuples(*[st.integers(0, 3)] * 4),
    pad_value=st.sampled_from([0, -1, 1]),
    bipolar=st.booleans(),
)
def test_conv2d_equals_direct_convolution(
    seed: int, channels: int, size: tuple[int, int], kernel: tuple[int, int],
    strides: tuple[int, int], pads: tuple[int, int, int, int], pad_value: int, bipolar: bool,
) -> None:
    top, left, bottom, right = pads
    if size[0] + top + bottom < kernel[0] or size[1] + left + right < kernel[1]:
        return
    rng = np.random.default_rng(seed)
    element = bnn_values.bipolar if bipolar else bnn_values.ui8
    if bipolar:
        x = rng.choice(np.array([-1, 1], np.int8), size=(2, channels, *size))
    else:
        x, pad_value = rng.integers(0, 256, size=(2, channels, *size)), max(pad_value, 0)
    w = rng.choice(np.array([-1, 1], np.int8), size=(3, channels, *kernel))
    in_type = TensorType(element, [2, channels, *size])
    block = Block(arg_types=[in_type])
    b = Builder(InsertPoint.at_end(block))
    wv = b.insert(bnn.ConstantOp.from_bipolar(w)).result
    properties = {"pad_value": IntegerAttr(pad_value, i64)} if pad_value else {}
    acc = b.insert(bnn.Conv2dOp(block.args[0], wv, strides, pads, properties=properties)).output
    b.insert(func.ReturnOp(acc))
    module = ModuleOp([func.FuncOp("main", ([in_type], [acc.type]), Region(block))])
    module.verify()
    got = run_module(module, x.astype(np.float32))
    assert np.array_equal(got, reference_conv(x, w, strides, pads, pad_value))


FLOAT_INPUT = """
func.func @main(%x: tensor<?x4xf32>) -> (tensor<?x2xf32> {bnn.onnx_dtype = "float32"}) {
  %b = bnn.sign %x : tensor<?x4xf32> -> tensor<?x4xi1>
  %w = bnn.constant bits<"0xF0"> : tensor<2x4xi1>
  %a = bnn.dense %b, %w : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xsi32>
  %y = bnn.affine %a {scale = dense<0.5> : tensor<1xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}
"""


@pytest.mark.parametrize(("value", "dtype"), [(np.nan, np.float32), (-np.inf, np.float32),
                                              (1e300, np.float64)])
def test_non_finite_float_inputs_are_refused(value: float, dtype: type) -> None:
    """bnn.sign(NaN) would be −1 where onnxruntime answers NaN (issue 15): the engines refuse
    a non-finite input (or one that is not finite in float32), naming its row and index."""
    module = Parser(bnnir_context(), FLOAT_INPUT).parse_module()
    x = np.ones((3, 4), dtype)
    assert run_module(module, x).tolist() == [[-2.0, 2.0]] * 3
    x[2, 1] = value
    with pytest.raises(BnnirError) as error:
        run_module(module, x)
    assert str(error.value) == (f"input: value {x[2, 1]} at index (2, 1) (row 2) is not a "
                                "finite float32; the network computes on finite inputs only")


# ===----------------------------------------------------------------------=== #
# The fast kernels against their reference definitions
# ===----------------------------------------------------------------------=== #


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 3000), outputs=st.integers(1, 70),
       width=st.sampled_from([1, 5, 63, 64, 65, 128, 200, 577]))
def test_xnor_popcount_across_tiles(seed: int, rows: int, outputs: int, width: int) -> None:
    """Any row count (several tiles of the kernel, a partial last one), any K."""
    rng = np.random.default_rng(seed)
    x = rng.choice(np.array([-1, 1], np.int8), size=(rows, width))
    w = rng.choice(np.array([-1, 1], np.int8), size=(outputs, width))
    assert np.array_equal(xnor_popcount_dot(x, w), x.astype(np.int64) @ w.astype(np.int64).T)


def threshold_module(values: str, table: np.ndarray, out: str, bias: int | None,
                     falling: list[int], channels: int) -> ModuleOp:
    """One bnn.threshold over [N, channels, 2, 3] values."""
    elem = "si32" if values.startswith("si") else "f32"
    rows = ", ".join("[" + ", ".join(repr(float(t)) if elem == "f32" else str(int(t))
                                      for t in row) + "]" for row in table)
    props = [f"thresholds = dense<[{rows}]> : tensor<{table.shape[0]}x{table.shape[1]}x{elem}>"]
    if bias is not None:
        props.append(f"bias = {bias} : i64")
    if falling:
        props.append(f"descending = array<i64: {', '.join(map(str, falling))}>")
    in_type = f"tensor<?x{channels}x2x3x{values}>"
    text = (f"func.func @main(%x: {in_type}) -> tensor<?x{channels}x2x3x{out}> {{\n"
            f"  %t = bnn.threshold %x {{{', '.join(props)}}} : {in_type} -> "
            f"tensor<?x{channels}x2x3x{out}>\n"
            f"  func.return %t : tensor<?x{channels}x2x3x{out}>\n}}\n")
    module = Parser(bnnir_context(), text).parse_module()
    module.verify()
    return module


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), channels=st.integers(1, 5), steps=st.integers(1, 7),
       shared=st.booleans(), floats=st.booleans(), bits=st.integers(1, 4))
def test_thresholds_equal_the_ops_definition(seed: int, channels: int, steps: int,
                                             shared: bool, floats: bool, bits: int) -> None:
    """The interpreter's threshold counting (one pass per step, falling channels negated) equals
    ThresholdedOp.apply_thresholds, with ties on every threshold, shared and per-channel rows,
    descending channels, bipolar and multi-bit results with a bias."""
    rng = np.random.default_rng(seed)
    bipolar = bits == 1
    steps = 1 if bipolar else min(steps, 2**bits - 1)
    table = np.sort(rng.integers(-6, 7, size=(1 if shared else channels, steps)), axis=1)
    if floats:
        table = table / 2
    falling = sorted(set(rng.integers(0, channels, size=rng.integers(0, channels + 1)).tolist()))
    bias = None if bipolar else int(rng.integers(-(2 ** (bits - 1)), 1))
    out = "i1" if bipolar else f"si{bits + 1}"
    module = threshold_module("f32" if floats else "si32", table, out, bias, falling, channels)
    x = rng.integers(-7, 8, size=(4, channels, 2, 3)).astype(np.float32)
    if floats:
        x = x / 2  # every threshold value is met exactly somewhere: ties
    op = next(o for o in module.walk() if isinstance(o, bnn.ThresholdOp))
    converted = x if floats else x.astype(np.int32)
    expected = op.apply_thresholds(converted, bnn.tensor_type(op.output).element_type)
    assert np.array_equal(run_module(module, x), expected)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       pads=st.tuples(*[st.integers(0, 2)] * 4), dtype=st.sampled_from(["i1", "ui3", "si4"]))
def test_max_pool_equals_window_maximum(seed: int, kernel: tuple[int, int],
                                        strides: tuple[int, int],
                                        pads: tuple[int, int, int, int], dtype: str) -> None:
    """The integer max-pool (pairwise maxima of strided taps) equals each window's maximum, with
    padded taps never winning."""
    top, left, bottom, right = pads
    if max(top, bottom) >= kernel[0] or max(left, right) >= kernel[1]:
        return
    rng = np.random.default_rng(seed)
    in_type = f"tensor<?x2x5x4x{dtype}>"
    oh = (5 + top + bottom - kernel[0]) // strides[0] + 1
    ow = (4 + left + right - kernel[1]) // strides[1] + 1
    out_type = f"tensor<?x2x{oh}x{ow}x{dtype}>"
    text = (f"func.func @main(%x: {in_type}) -> {out_type} {{\n"
            f"  %p = bnn.max_pool %x {{kernel = array<i64: {kernel[0]}, {kernel[1]}>, "
            f"strides = array<i64: {strides[0]}, {strides[1]}>, "
            f"pads = array<i64: {top}, {left}, {bottom}, {right}>}} : {in_type} -> {out_type}\n"
            f"  func.return %p : {out_type}\n}}\n")
    module = Parser(bnnir_context(), text).parse_module()
    module.verify()
    low, high = {"i1": (-1, 1), "ui3": (0, 7), "si4": (-8, 7)}[dtype]
    x = rng.integers(low, high + 1, size=(3, 2, 5, 4))
    if dtype == "i1":
        x = np.where(x >= 0, 1, -1)
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)),
                    constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel, axis=(2, 3))
    expected = windows[:, :, :: strides[0], :: strides[1]].max(axis=(4, 5))
    assert np.array_equal(run_module(module, x.astype(np.float32)), expected)


def test_chunks_and_threads_equal_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch larger than the interpreter's chunk (several chunks on two threads, a partial
    last one) gives the outputs of each item run alone, in order, at both levels."""
    import models
    from bnnir.interp import run as interp_run
    from test_hwstream_exact import fold_with, lowered, to_stream

    model, x = models.cnv_small(np.random.default_rng(3), batch=23)
    module = lowered(model, "ui8")
    stream = module.clone()
    fold_with(stream, "random", np.random.default_rng(5))
    to_stream(stream)
    alone = [run_module(module, x[i : i + 1]) for i in range(len(x))]
    monkeypatch.setattr(interp_run, "CHUNK", 4)
    for level in (module, stream):
        assert np.array_equal(run_module(level, x), np.concatenate(alone))
