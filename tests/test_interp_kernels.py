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
from xdsl.rewriter import InsertPoint

from bnnir.dialects import bnn
from bnnir.interp import run_module
from bnnir.interp.bnn import integer_dot, pack_rows, xnor_popcount_dot


@pytest.mark.parametrize("width", [1, 7, 8, 63, 64, 65, 127, 128, 129, 577])
def test_xnor_popcount_equals_integer_dot(width: int) -> None:
    rng = np.random.default_rng(width)
    x = rng.choice(np.array([-1, 1], np.int8), size=(37, width))
    w = rng.choice(np.array([-1, 1], np.int8), size=(11, width))
    expected = x.astype(np.int64) @ w.astype(np.int64).T
    assert np.array_equal(xnor_popcount_dot(x, w), expected)


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
    element = bnn.bipolar if bipolar else bnn.ui8
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
