"""The accelerator's input and output adapters (adapters.hpp): between its byte-aligned
AXI-stream ports, whose words hold PORT_LANES elements, and the words of LANES elements of its
first and last kernels. One kernel word per cycle, element order kept."""

from __future__ import annotations

from xdsl.dialects import hw

from bnnir.backends.circt.builder import bits_for
from bnnir.backends.circt.loop import LoopKernel


def input_adapter(name: str, port_lanes: int, lanes: int, bits: int, port_width: int
                  ) -> hw.HWModuleOp:
    """Splits each port word into PORT_LANES / LANES kernel words, the lowest first."""
    parts = port_lanes // lanes
    k = LoopKernel(name, port_width, lanes * bits, 0)
    rtl = k.rtl
    rtl.note(f"input adapter: {port_width}-bit port words of {port_lanes} x {bits}-bit "
             f"elements -> {parts} words of {lanes} elements each")
    part = rtl.reg("part", bits_for(parts))
    reads = rtl.eq(part.q, 0)
    fire = k.control(reads, rtl.true())
    rtl.counter_into(part, parts, fire)
    used = port_lanes * bits
    fresh = rtl.extract(k.in_data, 0, used)
    if parts == 1:
        return k.finish(rtl.extract(fresh, 0, lanes * bits))
    rest = rtl.reg("rest", used, None)
    word = rtl.mux(reads, fresh, rest.q)
    shift = lanes * bits
    rest.next(rtl.mux(fire, rtl.zext(rtl.extract(word, shift, used - shift), used), rest.q))
    return k.finish(rtl.extract(word, 0, lanes * bits))


def output_adapter(name: str, lanes: int, port_lanes: int, bits: int, port_width: int
                   ) -> hw.HWModuleOp:
    """Joins PORT_LANES / LANES kernel words into each port word, the first lowest; the bits
    above PORT_LANES · BITS are zero."""
    parts = port_lanes // lanes
    k = LoopKernel(name, lanes * bits, port_width, 0)
    rtl = k.rtl
    rtl.note(f"output adapter: {parts} words of {lanes} x {bits}-bit elements -> "
             f"{port_width}-bit port words")
    part = rtl.reg("part", bits_for(parts))
    fire = k.control(rtl.true(), rtl.eq(part.q, parts - 1))
    rtl.counter_into(part, parts, fire)
    if parts == 1:
        return k.finish(rtl.zext(k.in_data, port_width))
    shift = lanes * bits
    held = rtl.reg("held", (parts - 1) * shift, None)  # the earlier parts, the first lowest
    word = rtl.concat([k.in_data, held.q])
    following = rtl.extract(word, shift, (parts - 1) * shift)
    held.next(rtl.mux(fire, following, held.q))
    return k.finish(rtl.zext(word, port_width))
