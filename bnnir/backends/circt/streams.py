"""Kernels that move or reduce words without a map: the FIFO, the width converter (dwc.hpp) and
the label selector (label_select.hpp)."""

from __future__ import annotations

from math import gcd

from xdsl.dialects import hw

from bnnir.backends.circt.builder import Rtl, Value, bits_for, width
from bnnir.backends.circt.loop import LoopKernel, queue, stream_ports
from bnnir.backends.circt.params import DwcParams, FifoParams, LabelSelectParams


def fifo_module(name: str, p: FifoParams) -> hw.HWModuleOp:
    """A FIFO of `depth` words in registers; ready while it has room (its own registers)."""
    inputs, outputs = stream_ports(p.word_bits, p.word_bits)
    rtl = Rtl(name, inputs, outputs)
    rtl.note(f"FIFO of {p.depth} words of {p.word_bits} bits")
    count = rtl.reg("fifo_count", bits_for(p.depth + 1))
    room = rtl.ult(count.q, p.depth)
    push = rtl.and_(rtl.inputs["in_valid"], room)
    head, nonempty, _ = queue(rtl, "fifo", p.depth, push, rtl.inputs["in_data"],
                              rtl.inputs["out_ready"], count)
    return rtl.finish({"in_ready": room, "out_data": head, "out_valid": nonempty})


def _shifted_in(rtl: Rtl, base: Value, word: Value, lanes: Value, bits: int, choices: int
                ) -> Value:
    """base | word << (lanes · bits), truncated to base's width, for lanes in 0 .. choices − 1:
    a constant shift per choice and a select (no barrel shifter)."""
    total = width(base)
    options = []
    for a in range(choices):
        shift = a * bits
        if shift >= total:
            options.append(base)
            continue
        moved = rtl.concat([rtl.extract(rtl.zext(word, total), 0, total - shift),
                            rtl.const(0, shift)]) if shift else rtl.zext(word, total)
        options.append(rtl.or_(base, moved))
    return rtl.select(options, lanes)


def _shifted_down(rtl: Rtl, word: Value, lanes: Value, bits: int, choices: int, offset: int
                  ) -> Value:
    """word >> ((offset − lanes) · bits), zero-filled, for lanes in 0 .. choices − 1."""
    total = width(word)
    options = []
    for a in range(choices):
        shift = (offset - a) * bits
        options.append(rtl.const(0, total) if shift >= total else
                       rtl.zext(rtl.extract(word, shift, total - shift), total))
    return rtl.select(options, lanes)


def dwc_module(name: str, p: DwcParams) -> hw.HWModuleOp:
    """The gearbox: max(words in, words out) iterations per frame, one word a cycle on the
    side with more words."""
    a, b, bits = p.in_lanes, p.out_lanes, p.bits
    k = LoopKernel(name, a * bits, b * bits, 0)
    rtl = k.rtl
    words_out = p.words * a // b
    rtl.note(f"width converter {a} -> {b} lanes of {bits}-bit elements: "
             f"{max(p.words, words_out)} cycles per frame")
    if a == b:
        k.control(rtl.true(), rtl.true())
        return k.finish(k.in_data)
    if a > b:
        return _narrowing(k, a, b, bits)
    return _widening(k, a, b, bits)


def _narrowing(k: LoopKernel, a: int, b: int, bits: int) -> hw.HWModuleOp:
    rtl = k.rtl
    # lanes move in groups of g = gcd(a, b): counting groups, a shift selects among b / g
    # positions instead of b (a 128 -> 1152 lane converter: 9 instead of 1152)
    g = gcd(a, b)
    a_g, b_g = a // g, b // g
    held = rtl.reg("held", a * bits, None)  # `avail` groups not yet written, from lane 0
    avail = rtl.reg("avail", bits_for(a_g + 1))
    enough = rtl.uge(avail.q, b_g)
    fire = k.control(rtl.not_(enough), rtl.true())
    divides = a % b == 0
    nxt = k.in_data
    # enough lanes held: write the lowest b
    word_held = rtl.extract(held.q, 0, b * bits)
    held_after = rtl.zext(rtl.extract(held.q, b * bits, (a - b) * bits), a * bits)
    avail_after = rtl.sub(avail.q, rtl.const(b_g, width(avail.q)))
    # too few: the held lanes, then the next word's first b − avail lanes
    if divides:
        word_read = rtl.extract(nxt, 0, b * bits)
        held_read = rtl.zext(rtl.extract(nxt, b * bits, (a - b) * bits), a * bits)
        avail_read = rtl.const(a_g - b_g, width(avail.q))
    else:
        low = (rtl.extract(avail.q, 0, bits_for(b_g)) if width(avail.q) > bits_for(b_g)
               else avail.q)
        word_read = rtl.extract(_shifted_in(rtl, rtl.zext(held.q, max(a, b) * bits), nxt, low,
                                            g * bits, b_g), 0, b * bits)
        held_read = _shifted_down(rtl, nxt, low, g * bits, b_g, b_g)
        avail_read = rtl.add(avail.q, rtl.const(a_g - b_g, width(avail.q)))
    held.next(rtl.mux(fire, rtl.mux(enough, held_after, held_read), held.q))
    avail.next(rtl.mux(fire, rtl.mux(enough, avail_after, avail_read), avail.q))
    return k.finish(rtl.mux(enough, word_held, word_read))


def _widening(k: LoopKernel, a: int, b: int, bits: int) -> hw.HWModuleOp:
    rtl = k.rtl
    g = gcd(a, b)  # lanes move in groups of g, as in _narrowing
    a_g, b_g = a // g, b // g
    filled = rtl.reg("filled", b * bits, None)  # `fill` groups of the next output word
    fill = rtl.reg("fill", bits_for(b_g))
    full = rtl.uge(fill.q, b_g - a_g)
    fire = k.control(rtl.true(), full)
    word = _shifted_in(rtl, filled.q, k.in_data, fill.q, g * bits, b_g)
    if b % a == 0:
        left = rtl.const(0, b * bits)
    else:  # the lanes of the word that did not fit: it moves down by b − fill lanes
        left = _shifted_down(rtl, rtl.zext(k.in_data, b * bits), fill.q, g * bits, b_g, b_g)
    fill_bits = width(fill.q)
    fill_full = rtl.sub(fill.q, rtl.const(b_g - a_g, fill_bits))
    fill_more = rtl.add(fill.q, rtl.const(a_g, fill_bits))
    filled.next(rtl.mux(fire, rtl.mux(full, left, word), filled.q))
    fill.next(rtl.mux(fire, rtl.mux(full, fill_full, fill_more), fill.q))
    return k.finish(word)


def label_select_module(name: str, p: LabelSelectParams) -> hw.HWModuleOp:
    """LABELS / PE iterations per frame, each reading a word; the last writes the index of the
    largest value (the lowest index on ties)."""
    words = p.labels // p.pe
    k = LoopKernel(name, p.pe * p.bits, p.index_bits, 0)
    rtl = k.rtl
    rtl.note(f"label select over {p.labels} labels, PE {p.pe}: {words} cycles per frame")
    step = rtl.reg("word", bits_for(words))
    last = rtl.eq(step.q, words - 1)
    fire = k.control(rtl.true(), last)
    rtl.counter_into(step, words, fire)
    cmp = "sgt" if p.signed else "ugt"
    index_bits = p.index_bits
    # the best lane of the word: (value, index), a tree preferring the lower index on ties
    level = [(lane, rtl.add(rtl.mul(rtl.zext(step.q, index_bits), p.pe),
                            rtl.const(i, index_bits)) if words > 1 else rtl.const(i, index_bits))
             for i, lane in enumerate(rtl.lanes(k.in_data, p.bits))]
    while len(level) > 1:
        paired = []
        for i in range(0, len(level), 2):
            if i + 1 == len(level):
                paired.append(level[i])
                continue
            (va, ia), (vb, ib) = level[i], level[i + 1]
            b_wins = rtl.cmp(cmp, vb, va)
            paired.append((rtl.mux(b_wins, vb, va), rtl.mux(b_wins, ib, ia)))
        level = paired
    value, index = level[0]
    best = rtl.reg("best", p.bits, None)
    best_index = rtl.reg("best_index", index_bits, None)
    first = rtl.eq(step.q, 0)
    take = rtl.or_(first, rtl.cmp(cmp, value, best.q))
    new_value = rtl.mux(take, value, best.q)
    new_index = rtl.mux(take, index, best_index.q)
    best.next(rtl.mux(fire, new_value, best.q))
    best_index.next(rtl.mux(fire, new_index, best_index.q))
    return k.finish(new_index)
