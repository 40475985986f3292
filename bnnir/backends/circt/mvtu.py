"""The matrix-vector-threshold unit and the standalone threshold unit as RTL.

MVTU loop (mvtu.hpp): VECTORS · NF · SF iterations per frame at II = 1; iteration (v, nf, sf)
reads input word sf of vector v when nf = 0 (kept in an SF-word buffer for the other row folds),
reads word nf·SF + sf of each PE's weight ROM, and at sf = SF − 1 writes one word of PE lanes.

Datapath, one register stage each:
  1. the SIMD products of each PE (XNOR match bits, or ±input lanes), extended to the partial
     sum's width; with N-bit weights, each product w·x as N terms, x shifted by each weight
     bit and the top bit's negated (two's complement), or ±w on a bipolar input bit;
  2. .. the adder tree, `LEVELS_PER_STAGE` levels of pairwise adds per register stage;
  last: the accumulator (cleared at sf = 0) and, at sf = SF − 1, the activation of its new
     value (thresholds of the vector's border class, or the dot product plus its offset),
     registered as the output word.
"""

from __future__ import annotations

from xdsl.dialects import hw

from bnnir.backends.circt.builder import Rtl, Value, bits_for, width
from bnnir.backends.circt.loop import LoopKernel
from bnnir.backends.circt.params import MvtuParams, ThresholdParams

LEVELS_PER_STAGE = 3
"""Adder-tree levels between two register stages (a 3-level tree of 1-bit terms is one 3-input
LUT-and-carry chain deep per bit on a 6-LUT FPGA)."""


ROM_BITS = 1 << 14
"""Weight tables of more bits than this are memories initialized from hex files (seq.firmem,
one cycle of read latency), smaller ones constant arrays (`casez` ROMs)."""


def signed_bits(low: int, high: int) -> int:
    """Bits of a two's complement value in low .. high."""
    bits = 1
    while not (-(1 << (bits - 1)) <= low and high < 1 << (bits - 1)):
        bits += 1
    return bits


def _pipelined_sum(rtl: Rtl, terms: list[Value], name: str) -> tuple[Value, int]:
    """The sum of equally wide `terms` (already extended to the sum's width), registered every
    LEVELS_PER_STAGE levels of the adder tree: (sum, register stages)."""
    level, stages, depth = terms, 0, 0
    while len(level) > 1:
        level = [rtl.add(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        depth += 1
        if depth % LEVELS_PER_STAGE == 0 and len(level) > 1:
            level = [rtl.delay(v, 1, f"{name}_l{depth}_{i}") for i, v in enumerate(level)]
            stages += 1
    return level[0], stages


def tree_stages(terms: int) -> int:
    """Register stages `_pipelined_sum` inserts into a tree of `terms` terms."""
    levels = bits_for(terms) if terms > 1 else 0
    return max(0, (levels - 1) // LEVELS_PER_STAGE)


def count_reached(rtl: Rtl, value: Value, table: list[list[int]], index: Value,
                  out_bits: int, bias: int, falling: Value | None = None) -> Value:
    """bias + Σ_i [value ≥ t_i] (or [value ≤ t_i] when `falling`) over the T thresholds of
    row `index` of `table` ([rows][T], each clamped to value's signed range + 1)."""
    bits = width(value)
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    hits = []
    for step in range(len(table[0])):
        column = [row[step] for row in table]
        if falling is None:
            clamped = [min(max(t, low), high + 1) for t in column]
            if all(t <= low for t in clamped):
                hits.append(rtl.true())
                continue
            if all(t > high for t in clamped):
                hits.append(rtl.false())
                continue
            wide = bits + 1
            t = rtl.rom(clamped, wide, index)
            hits.append(rtl.cmp("sge", rtl.sext(value, wide), t))
        else:
            wide = bits + 1
            clamped = [min(max(t, low - 1), high + 1) for t in column]
            t = rtl.rom(clamped, wide, index)
            v = rtl.sext(value, wide)
            hits.append(rtl.mux(falling, rtl.cmp("sle", v, t), rtl.cmp("sge", v, t)))
    count = rtl.sum(hits, out_bits)
    return rtl.add(count, rtl.const(bias, out_bits)) if bias else count


def _accumulator_range(p: MvtuParams) -> tuple[int, int]:
    if p.xnor:
        return 0, p.columns
    if p.weight_bits > 1:  # the extreme products of a weight and an input lane, per column
        if p.bipolar_input:
            inputs = (-1, 1)
        elif p.signed_input:
            inputs = (-(1 << (p.input_bits - 1)), (1 << (p.input_bits - 1)) - 1)
        else:
            inputs = (0, (1 << p.input_bits) - 1)
        weights = (-(1 << (p.weight_bits - 1)), (1 << (p.weight_bits - 1)) - 1)
        products = [w * x for w in weights for x in inputs]
        return p.columns * min(products), p.columns * max(products)
    top = (1 << p.input_bits) - 1 if not p.signed_input else 1 << (p.input_bits - 1)
    return -p.columns * top, p.columns * top


def _integer_terms(rtl: Rtl, p: MvtuParams, x: Value, w: Value, bits: int) -> list[Value]:
    """The terms whose sum is Σ_s w_s·x_s over the SIMD lanes of N-bit weights, each `bits`
    wide (sums wrap modulo 2^bits; the total fits): ±w_s on a bipolar input bit, else
    x_s·2^i where bit i of w_s is set, negated for the top bit (two's complement)."""
    n, terms = p.weight_bits, []
    for s, lane in enumerate(rtl.lanes(x, p.input_bits)):
        if p.bipolar_input:
            weight = rtl.sext(rtl.extract(w, s * n, n), bits)
            terms.append(rtl.mux(lane, weight, rtl.sub(rtl.const(0, bits), weight)))
            continue
        value = rtl.sext(lane, bits) if p.signed_input else rtl.zext(lane, bits)
        for i in range(n):
            shifted = rtl.concat([rtl.extract(value, 0, bits - i), rtl.const(0, i)]) if i \
                else value
            if i == n - 1:
                shifted = rtl.sub(rtl.const(0, bits), shifted)
            terms.append(rtl.mux(rtl.extract(w, s * n + i, 1), shifted, rtl.const(0, bits)))
    return terms


def _products(rtl: Rtl, p: MvtuParams, x: Value, w: Value, bits: int, name: str
              ) -> list[Value]:
    """The SIMD products of one PE, registered (stage 1), each `bits` wide (two's
    complement): XNOR match bits are registered as one SIMD-bit word, then extended."""
    if p.weight_bits > 1:
        return [rtl.delay(term, 1, f"{name}_term{t}")
                for t, term in enumerate(_integer_terms(rtl, p, x, w, bits))]
    if p.xnor:
        match = rtl.delay(rtl.not_(rtl.xor(x, w)), 1, f"{name}_match")
        return [rtl.zext(rtl.extract(match, s, 1), bits) for s in range(p.simd)]
    terms = []
    for s, lane in enumerate(rtl.lanes(x, p.input_bits)):
        value = rtl.sext(lane, p.input_bits + 2) if p.signed_input else \
            rtl.zext(lane, p.input_bits + 2)
        negated = rtl.sub(rtl.const(0, p.input_bits + 2), value)
        term = rtl.mux(rtl.extract(w, s, 1), value, negated)
        terms.append(rtl.sext(rtl.delay(term, 1, f"{name}_term{s}"), bits))
    return terms


def mvtu_module(name: str, p: MvtuParams) -> hw.HWModuleOp:
    low, high = _accumulator_range(p)
    acc_bits = signed_bits(low, high)
    partial_bits = signed_bits(low * p.simd // p.columns - 1, high * p.simd // p.columns + 1)
    terms = p.simd if p.weight_bits == 1 or p.bipolar_input else p.simd * p.weight_bits
    stages = tree_stages(terms)
    in_memory = p.weights.shape[1] >= 2 and p.weights.size * p.word_bits > ROM_BITS
    read = 1 if in_memory else 0  # cycles to read a weight word
    latency = read + 1 + stages + 1
    k = LoopKernel(name, p.simd * p.input_bits, p.pe * p.output_bits, latency)
    rtl = k.rtl
    rtl.note(f"MVTU {p.rows}x{p.columns}, PE {p.pe}, SIMD {p.simd}, {p.vectors} vectors: "
             f"{p.vectors * p.nf * p.sf} cycles per frame; adder tree of {terms} terms, "
             f"{LEVELS_PER_STAGE} levels per register stage; weights in "
             f"{'memories' if in_memory else 'constant arrays'}; latency {latency} cycles")
    sf_reg = rtl.reg("sf", bits_for(p.sf))
    nf_reg = rtl.reg("nf", bits_for(p.nf))
    reads = rtl.eq(nf_reg.q, 0)
    writes = rtl.eq(sf_reg.q, p.sf - 1)
    fire = k.control(reads, writes)
    sf_wraps = rtl.counter_into(sf_reg, p.sf, fire)
    nf_wraps = rtl.counter_into(nf_reg, p.nf, sf_wraps)
    tile, _ = rtl.counter("tile", p.nf * p.sf, fire)
    out_h, out_w = p.classes.shape  # the border class of vector (oy, ox)
    ox, row_done = rtl.counter("ox", out_w, nf_wraps)
    oy, _ = rtl.counter("oy", out_h, row_done)
    rows, cols = p.classes[:, 0] - p.classes[0, 0], p.classes[0, :]
    class_count = int(p.classes.max()) + 1
    class_bits = bits_for(class_count)
    cls = rtl.add(rtl.rom([int(c) for c in rows], class_bits, oy.q),
                  rtl.rom([int(c) for c in cols], class_bits, ox.q))

    # stage 0: the input word and the products
    if p.nf > 1:
        kept = rtl.regfile("vector", p.sf, width(k.in_data), rtl.and_(fire, reads), sf_reg.q,
                           k.in_data)
        x = rtl.mux(reads, k.in_data, rtl.select(kept, sf_reg.q))
    else:
        x = k.in_data
    if in_memory:  # the word read meets the input word a cycle later
        x = rtl.delay(x, 1, "x")
    partials = []
    for pe in range(p.pe):
        contents = [int(v) for v in p.weights[pe]]
        w = rtl.memory(f"weights{pe}", contents, p.word_bits, tile.q) if in_memory else \
            rtl.rom(contents, p.word_bits, tile.q)
        terms = _products(rtl, p, x, w, partial_bits, f"pe{pe}")
        partial, got = _pipelined_sum(rtl, terms, f"pe{pe}_sum")
        assert got == stages
        partials.append(partial)
    # control, delayed to the accumulator stage
    first = rtl.delay(rtl.eq(sf_reg.q, 0), read + 1 + stages, "first")
    valid = rtl.delay(fire, read + 1 + stages, "valid", reset=0)
    row_bits = bits_for(class_count * p.nf)
    row = rtl.add(rtl.mul(rtl.zext(nf_reg.q, row_bits), class_count), rtl.zext(cls, row_bits))
    index = rtl.delay(row, read + 1 + stages, "row")
    lanes = []
    for pe, partial in enumerate(partials):
        acc = rtl.reg(f"acc{pe}", acc_bits)
        base = rtl.mux(first, rtl.const(0, acc_bits), acc.q)
        total = rtl.add(base, rtl.sext(partial, acc_bits))
        acc.next(rtl.mux(valid, total, acc.q))
        lanes.append(_activate(rtl, p, pe, total, index))
    out = rtl.reg("out", p.pe * p.output_bits, None)
    out.next(rtl.pack(lanes))
    return k.finish(out.q)


def _activate(rtl: Rtl, p: MvtuParams, pe: int, acc: Value, index: Value) -> Value:
    """The output lane of PE `pe` from its accumulator; table row index = nf·classes + class."""
    classes = int(p.classes.max()) + 1
    if p.thresholds is not None:
        table = [list(map(int, p.thresholds[c, pe, nf])) for nf in range(p.nf)
                 for c in range(classes)]
        return count_reached(rtl, acc, table, index, p.output_bits, p.bias)
    wide = max(width(acc) + 2, p.output_bits)
    dot = rtl.sext(acc, wide)
    if p.xnor:  # 2P − MW
        dot = rtl.sub(rtl.concat([rtl.extract(dot, 0, wide - 1), rtl.const(0, 1)]),
                      rtl.const(p.columns, wide))
    if p.offsets is not None:
        offsets = [int(p.offsets[c, pe, nf]) for nf in range(p.nf) for c in range(classes)]
        bits = max(signed_bits(min(offsets), max(offsets)), 1)
        wide = max(wide, bits) + 1
        dot = rtl.add(rtl.sext(dot, wide), rtl.sext(rtl.rom(offsets, bits, index), wide))
    return rtl.sext(dot, p.output_bits)


def threshold_module(name: str, p: ThresholdParams) -> hw.HWModuleOp:
    """threshold.hpp's unit: PIXELS · C / PE iterations, each reading and writing a word;
    one register stage (the compared word)."""
    k = LoopKernel(name, p.pe * p.input_bits, p.pe * p.output_bits, 1)
    rtl = k.rtl
    rtl.note(f"threshold: {p.pixels} x {p.channels} values, PE {p.pe}: "
             f"{p.pixels * p.nf} cycles per frame")
    fire = k.control(rtl.true(), rtl.true())
    nf, _ = rtl.counter("nf", p.nf, fire)
    lanes = []
    for pe, lane in enumerate(rtl.lanes(k.in_data, p.input_bits)):
        value = rtl.sext(lane, p.input_bits + 1) if p.signed_input else \
            rtl.zext(lane, p.input_bits + 1)
        table = [list(map(int, p.thresholds[pe, f])) for f in range(p.nf)]
        falling = rtl.rom([int(v) for v in p.falling[pe]], 1, nf.q) \
            if p.falling[pe].any() else None
        lanes.append(count_reached(rtl, value, table, nf.q, p.output_bits, p.bias, falling))
    out = rtl.reg("out", p.pe * p.output_bits, None)
    out.next(rtl.pack(lanes))
    return k.finish(out.q)

