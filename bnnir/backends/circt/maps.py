"""Kernels over feature maps: padding (pad.hpp), the sliding-window unit (window.hpp) and max
pooling (pool.hpp), each the HLS kernel's loop with the same iterations."""

from __future__ import annotations

from xdsl.dialects import hw

from bnnir.backends.circt.builder import Rtl, Value, bits_for
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
    raise NotImplementedError


def pool_module(name: str, p: PoolParams) -> hw.HWModuleOp:
    raise NotImplementedError
