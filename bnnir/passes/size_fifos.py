"""hwstream-size-fifos: a FIFO on every stream into a kernel without its own buffer, deep enough
that no kernel stalls in steady state.

The depth is the most words that wait in that stream in the word-level schedule
(bnnir/analysis/stream_schedule.py) with unbounded FIFOs, at least `min-depth`. Streams into a
sliding window or a pool get none: those kernels take their input into their own line buffers.
Running the pass again re-sizes the FIFOs it made.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.passes import ModulePass

from bnnir.analysis.stream_schedule import simulate
from bnnir.dialects import hwstream as hw


@dataclass(frozen=True)
class SizeFifos(ModulePass):
    """Insert or re-size FIFOs (see the module docstring).

    Arguments:
      min_depth: the smallest FIFO (default 2, as FINN's shallow FIFOs).
    """

    name = "hwstream-size-fifos"

    min_depth: int = 2

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for design in [d for d in op.ops if isinstance(d, hw.DesignOp)]:
            _remove_fifos(design)
            schedule = simulate(design)
            for timing in schedule.kernels:
                kernel = timing.op
                if isinstance(kernel, hw.WindowOp | hw.PoolOp):
                    continue
                depth = max(self.min_depth, timing.waiting)
                fifo = hw.FifoOp.create(
                    operands=[kernel.input], result_types=[kernel.input.type],
                    properties={"depth": IntegerAttr(depth, i64),
                                "lanes": IntegerAttr(kernel.lanes_in, i64),
                                "bits": IntegerAttr(kernel.bits_in, i64),
                                "words": IntegerAttr(kernel.words_in(), i64)},
                )
                if "layer" in kernel.attributes:
                    fifo.attributes["layer"] = kernel.attributes["layer"]
                design.body.block.insert_op_before(fifo, kernel)
                kernel.operands[0] = fifo.output


def _remove_fifos(design: hw.DesignOp) -> None:
    for fifo in [o for o in design.body.block.ops if isinstance(o, hw.FifoOp)]:
        fifo.output.replace_all_uses_with(fifo.input)
        fifo.detach()
        fifo.erase()
