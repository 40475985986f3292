"""Kernels over feature maps: padding (pad.hpp), the sliding-window unit (window.hpp) and max
pooling (pool.hpp), each the HLS kernel's loop with the same iterations."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import hw

from bnnir.analysis.cost_model import pool_extent
from bnnir.backends.circt.builder import Reg, Rtl, Value, bits_for, width
from bnnir.backends.circt.loop import LoopKernel
from bnnir.backends.circt.params import PadParams, PoolParams, WindowParams


def _in_range(rtl: Rtl, value: Value, low: int, high: int) -> Value:
    """low <= value < high (unsigned)."""
    return rtl.and_(rtl.uge(value, low), rtl.ult(value, high))


def pad_module(name: str, p: PadParams) -> hw.HWModuleOp:
    """One iteration per output word, reading an input word inside the map."""
    m = p.map
    top, left, bottom, right = p.pads
    oh, ow = m.height + top + bottom, m.width + left + right
    k = LoopKernel(name, m.word_bits, m.word_bits, 0)
    rtl = k.rtl
    rtl.note(f"pad {m.height}x{m.width}x{m.channels} by {list(p.pads)} with {p.value}: "
             f"{oh * ow * m.folds} cycles per frame")
    sf = rtl.reg("sf", bits_for(m.folds))
    x = rtl.reg("x", bits_for(ow))
    y = rtl.reg("y", bits_for(oh))
    inside = rtl.and_(_in_range(rtl, y.q, top, top + m.height),
                      _in_range(rtl, x.q, left, left + m.width))
    fire = k.control(inside, rtl.true())
    row_done = rtl.counter_into(x, ow, rtl.counter_into(sf, m.folds, fire))
    rtl.counter_into(y, oh, row_done)
    fill = rtl.pack([rtl.const(p.value, m.bits)] * m.simd)
    return k.finish(rtl.mux(inside, k.in_data, fill))


def window_module(name: str, p: WindowParams) -> hw.HWModuleOp:
    """window.hpp's loop: the first KH rows are read alone, then each output row takes a block
    of max(WRITE, READ) iterations writing its windows while the next SH rows are read into a
    ring of KH + SH line buffers (registers); the word written is registered (latency 1)."""
    m = p.map
    (kh, kw), (sh, sw), (oh, ow) = p.kernel, p.strides, p.output
    folds, ring = m.folds, kh + sh
    fill = kh * m.width * folds
    write, read = ow * kh * kw * folds, sh * m.width * folds
    block = max(write, read)
    length = fill + oh * block
    k = LoopKernel(name, m.word_bits, m.word_bits, 1)
    rtl = k.rtl
    rtl.note(f"sliding window {kh}x{kw} stride {sh}x{sw} over {m.height}x{m.width}x"
             f"{m.channels}, SIMD {m.simd}: {length} cycles per frame; {ring} line buffers")
    i = rtl.reg("i", bits_for(length))
    filling = rtl.ult(i.q, fill)
    read_row = rtl.reg("read_row", bits_for(m.height + 1))
    step = rtl.reg("k", bits_for(block))
    reads = rtl.and_(rtl.or_(filling, rtl.ult(step.q, read)), rtl.ult(read_row.q, m.height))
    writes = rtl.and_(rtl.not_(filling), rtl.ult(step.q, write))
    fire = k.control(reads, writes)
    frame_done = rtl.counter_into(i, length, fire)
    # reading: word (read_x, read_sf) of input row read_row into ring row read_slot
    reading = rtl.and_(fire, reads)
    read_sf, sf_done = rtl.counter("read_sf", folds, reading)
    read_x, x_done = rtl.counter("read_x", m.width, sf_done)
    read_slot = rtl.reg("read_slot", bits_for(ring))
    zero_slot = rtl.const(0, bits_for(ring))
    slot_next = rtl.mux(x_done, rtl.mux(rtl.eq(read_slot.q, ring - 1), zero_slot,
                                        rtl.inc(read_slot.q)), read_slot.q)
    read_slot.next(rtl.mux(frame_done, zero_slot, slot_next))
    row_bits = width_of(read_row)
    row_next = rtl.mux(x_done, rtl.inc(read_row.q), read_row.q)
    read_row.next(rtl.mux(frame_done, rtl.const(0, row_bits), row_next))
    # writing: tap (ky, kx, sf) of the window starting at column x0 of ring row top + ky
    writing = rtl.and_(fire, writes)
    sf, tap_done = rtl.counter("sf", folds, writing)
    kx, row_taps = rtl.counter("kx", kw, tap_done)
    ky, window_done = rtl.counter("ky", kh, row_taps)
    x0, _ = rtl.counter("ox", ow, window_done)  # x0 = ox · SW
    block_done = rtl.counter_into(step, block, rtl.and_(fire, rtl.not_(filling)))
    top = rtl.reg("top", bits_for(ring))
    top_next = rtl.mux(block_done, _ring_add(rtl, top.q, sh, ring), top.q)
    top.next(rtl.mux(frame_done, rtl.const(0, width_of(top)), top_next))
    depth = ring * m.width * folds
    address = bits_for(depth)
    write_at = _linear(rtl, [(read_slot.q, m.width * folds), (read_x.q, folds), (read_sf.q, 1)],
                       address)
    lines = rtl.regfile("line", depth, m.word_bits, reading, write_at, k.in_data)
    slot = _ring_add_value(rtl, top.q, ky.q, ring)
    column = rtl.add(rtl.mul(rtl.zext(x0.q, address), sw), rtl.zext(kx.q, address))
    read_at = _linear(rtl, [(slot, m.width * folds), (column, folds), (sf.q, 1)], address)
    out = rtl.reg("out", m.word_bits, None)
    out.next(rtl.select(lines, read_at))
    return k.finish(out.q)


def width_of(r: Reg) -> int:
    return width(r.q)


def _ring_add(rtl: Rtl, value: Value, step: int, ring: int) -> Value:
    """(value + step) mod ring, for value < ring and step <= ring."""
    bits = bits_for(ring + step)
    total = rtl.add(rtl.zext(value, bits), rtl.const(step, bits))
    wrapped = rtl.sub(total, rtl.const(ring, bits))
    return rtl.extract(rtl.mux(rtl.uge(total, ring), wrapped, total), 0, width(value))


def _ring_add_value(rtl: Rtl, value: Value, step: Value, ring: int) -> Value:
    """(value + step) mod ring, both below ring."""
    bits = bits_for(2 * ring)
    total = rtl.add(rtl.zext(value, bits), rtl.zext(step, bits))
    wrapped = rtl.sub(total, rtl.const(ring, bits))
    return rtl.extract(rtl.mux(rtl.uge(total, ring), wrapped, total), 0, bits_for(ring))


def _linear(rtl: Rtl, terms: list[tuple[Value, int]], bits: int) -> Value:
    """Σ value · scale, `bits` wide."""
    parts = [rtl.zext(v, bits) if scale == 1 else rtl.mul(rtl.zext(v, bits), scale)
             for v, scale in terms]
    total = parts[0]
    for part in parts[1:]:
        total = rtl.add(total, part)
    return total


def pool_module(name: str, p: PoolParams) -> hw.HWModuleOp:
    """pool.hpp's loop over ROWS × COLS positions (the input pixels, plus one per window
    hanging over the far edge), reading each input pixel: the last KW words of the row in a
    shift register, each window's row maximum in one of KH row buffers, the window's maximum
    written (registered, latency 1) on the row where its last tap row arrives. Which taps and
    rows a position takes depends only on its column (row), so it is read from small ROMs
    indexed by the column (row) counter, computed here as pool.hpp's counters compute it."""
    m = p.map
    (kh, kw), (oh, ow) = p.kernel, p.output
    columns = _pool_axis(m.width, kw, p.strides[1], p.pads[1], ow)
    rows = _pool_axis(m.height, kh, p.strides[0], p.pads[0], oh)
    k = LoopKernel(name, m.word_bits, m.word_bits, 1)
    rtl = k.rtl
    rtl.note(f"max pool {kh}x{kw} stride {list(p.strides)} pads {list(p.pads)} over "
             f"{m.height}x{m.width}x{m.channels}: {len(rows.due) * len(columns.due)} cycles "
             "per frame")
    x = rtl.reg("x", bits_for(len(columns.due)))
    y = rtl.reg("y", bits_for(len(rows.due)))
    reads = rtl.and_(rtl.ult(x.q, m.width), rtl.ult(y.q, m.height))
    col_due = rtl.rom(columns.due, 1, x.q)
    row_due = rtl.rom(rows.due, 1, y.q)
    writes = rtl.and_(col_due, row_due)
    fire = k.control(reads, writes)
    rtl.counter_into(y, len(rows.due), rtl.counter_into(x, len(columns.due), fire))
    lowest = rtl.pack([rtl.const(1 << (m.bits - 1) if p.signed else 0, m.bits)] * m.simd)
    taps = [rtl.reg(f"tap{j}", m.word_bits, None) for j in range(kw)]
    shifted = [*(t.q for t in taps[1:]), k.in_data]
    shift = rtl.and_(fire, reads)
    current = [rtl.mux(reads, new, old.q) for new, old in zip(shifted, taps, strict=True)]
    for tap, new in zip(taps, shifted, strict=True):
        tap.next(rtl.mux(shift, new, tap.q))
    tap_mask = rtl.rom(columns.taps, kw, x.q)
    along_row = lowest
    for j in range(kw):
        along_row = _lane_max(rtl, along_row, rtl.mux(rtl.extract(tap_mask, j, 1), current[j],
                                                      lowest), m.bits, p.signed)
    ox = rtl.rom(columns.window, bits_for(ow), x.q)
    slot = rtl.rom(rows.slot, bits_for(kh), y.q)
    store = rtl.and_(fire, col_due, rtl.ult(y.q, m.height))
    address = rtl.add(rtl.mul(rtl.zext(slot, bits_for(kh * ow)), ow),
                      rtl.zext(ox, bits_for(kh * ow)))
    buffers = rtl.regfile("row", kh * ow, m.word_bits, store, address, along_row)
    row_mask = rtl.rom(rows.buffers, kh, y.q)
    fresh = rtl.rom(rows.fresh, kh, y.q)
    result = lowest
    for b in range(kh):
        held = rtl.select(buffers[b * ow:(b + 1) * ow], ox)
        value = rtl.mux(rtl.extract(fresh, b, 1), along_row, held)
        result = _lane_max(rtl, result, rtl.mux(rtl.extract(row_mask, b, 1), value, lowest),
                           m.bits, p.signed)
    out = rtl.reg("out", m.word_bits, None)
    out.next(result)
    return k.finish(out.q)


def _lane_max(rtl: Rtl, a: Value, b: Value, bits: int, signed: bool) -> Value:
    if bits == 1 and not signed:  # bipolar bits: +1 (1) beats −1 (0)
        return rtl.or_(a, b)
    lanes = []
    for la, lb in zip(rtl.lanes(a, bits), rtl.lanes(b, bits), strict=True):
        first = rtl.cmp("sge" if signed else "uge", la, lb)
        lanes.append(rtl.mux(first, la, lb))
    return rtl.pack(lanes)


@dataclass(frozen=True)
class PoolAxis:
    """pool.hpp's counters along one axis, evaluated per position: whether a window is due
    there (`due`), which window (`window`); along columns the taps of the shift register the
    window takes (`taps`, bit j: tap j); along rows the row buffers it takes (`buffers`), the
    buffer the position's input row goes to (`slot`) and the one to take fresh from the
    position's row maximum rather than from its buffer (`fresh`)."""

    due: list[int]
    window: list[int]
    taps: list[int]
    buffers: list[int]
    slot: list[int]
    fresh: list[int]


def _pool_axis(size: int, kernel: int, stride: int, pad: int, windows: int) -> PoolAxis:
    axis = PoolAxis([], [], [], [], [], [])
    o, start, slot = 0, -pad, 0
    for v in range(pool_extent(size, kernel, stride, pad, windows)):
        last = min(v, size - 1)
        due = o < windows and v >= min(start + kernel - 1, size - 1)
        axis.due.append(int(due))
        axis.window.append(min(o, windows - 1))
        # tap j holds position last − (K − 1 − j); buffer b the row (slot − b) mod K above last
        axis.taps.append(sum(1 << j for j in range(kernel)
                             if last - (kernel - 1 - j) >= max(0, start)))
        axis.buffers.append(sum(1 << b for b in range(kernel)
                                if last - (slot - b) % kernel >= max(0, start)))
        axis.slot.append(slot)
        axis.fresh.append(1 << slot if v < size else 0)
        if due:
            o += 1
            start += stride
        if v + 1 < size:
            slot = (slot + 1) % kernel
    return axis
