"""The bnn dialect's float semantics and text form: the fused affine rounds once, exactly like an
FMA instruction, and every float32 payload survives printing and parsing bit for bit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    ModuleOp,
    TensorType,
    f32,
)
from xdsl.ir import Block, Region

from bnnir.dialects import bnn
from bnnir.dialects.arithmetic import fused_multiply_add
from bnnir.dialects.bnn_values import dense_to_numpy, ui8
from bnnir.tools.cli import LocatingParser, bnnir_context, print_module

FLOAT32_MAX = Fraction(float(np.finfo(np.float32).max))
OVERFLOW = FLOAT32_MAX + Fraction(2) ** 103  # max + half an ulp rounds (to even) to inf


def round_to_float32(value: Fraction) -> np.float32:
    """The float32 nearest to an exact rational, ties to even (IEEE 754 round to nearest)."""
    if abs(value) >= OVERFLOW:
        return np.float32(np.inf if value > 0 else -np.inf)
    guess = np.float32(np.clip(float(value), -FLOAT32_MAX, FLOAT32_MAX))
    with np.errstate(over="ignore"):
        candidates = [np.nextafter(guess, np.float32(-np.inf)), guess,
                      np.nextafter(guess, np.float32(np.inf))]
    finite = [c for c in candidates if np.isfinite(c)]
    return min(finite, key=lambda c: (abs(Fraction(float(c)) - value),
                                      int(np.array(c).view(np.uint32)) & 1))


def test_fused_multiply_add_rounds_once_where_two_roundings_differ() -> None:
    """x · 1.5 lands exactly on a float32 midpoint for odd x in [2^23 / 1.5, 2^24 / 1.5); a
    tiny addend decides the direction, which a float64 sum loses and rounding to odd keeps."""
    x = (5592407 + 2 * np.arange(200)).astype(np.float32)
    scale = np.full_like(x, 1.5)
    for tiny in (2.0**-40, -(2.0**-40)):
        addend = np.full_like(x, tiny)
        exact = [round_to_float32(Fraction(float(v)) * Fraction(3, 2) + Fraction(tiny))
                 for v in x]
        twice = (x.astype(np.float64) * 1.5 + tiny).astype(np.float32)
        assert np.any(twice != exact)
        assert np.array_equal(fused_multiply_add(x, scale, addend), exact)


FLOATS = st.floats(width=32, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(x=FLOATS, a=FLOATS, b=FLOATS)
def test_fused_multiply_add_equals_exact_rounding(x: float, a: float, b: float) -> None:
    with np.errstate(over="ignore"):
        got = fused_multiply_add(np.float32([x]), np.float32([a]), np.float32([b]))[0]
    expected = round_to_float32(Fraction(x) * Fraction(a) + Fraction(b))
    assert got == expected, (got, expected)


def affine_module(values: np.ndarray) -> ModuleOp:
    """One threshold whose float32 thresholds are `values` (any bit patterns)."""
    in_type = TensorType(f32, [DYNAMIC_INDEX, len(values)])
    block = Block(arg_types=[in_type])
    thresholds = DenseIntOrFPElementsAttr(
        TensorType(f32, [len(values), 1]), BytesAttr(values.astype("<f4").tobytes()))
    op = bnn.ThresholdOp.create(
        operands=[block.args[0]], properties={"thresholds": thresholds},
        result_types=[TensorType(ui8, [DYNAMIC_INDEX, len(values)])])
    block.add_ops([op, func.ReturnOp(op.output)])
    return ModuleOp([func.FuncOp("main", ([in_type], [op.output.type]), Region(block))])


@settings(max_examples=100, deadline=None)
@given(bits=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6))
def test_float_payloads_round_trip_bit_exactly(bits: list[int]) -> None:
    """Printed modules parse back to the same float32 bits: inf, NaN payloads and values xDSL
    prints as hex integers (123456792.0) included."""
    values = np.array(bits, np.uint32).view(np.float32)
    values = np.concatenate([values, np.float32([np.inf, -np.inf, 123456792.0])])
    text = print_module(affine_module(values))
    parsed = LocatingParser(bnnir_context(), text, "m.mlir").parse_module()
    op = next(o for o in parsed.walk() if isinstance(o, bnn.ThresholdOp))
    assert op.thresholds is not None
    assert dense_to_numpy(op.thresholds).tobytes() == values.astype("<f4").tobytes()
