"""hwstream-size-fifos: FIFOs deep enough that the design's outputs come as early as with
unbounded streams: the same first-frame latency and cycles per frame.

The depths come from the cycle-level schedule (bnnir/analysis/stream_schedule.py, `fifo_depths`,
which says why they suffice). A stream that needs no more than the words a plain stream holds
(2, as the HLS backend declares it) gets no FIFO, as FINN removes its shallow ones; a FIFO is at
least `min-depth` deep, so a `min-depth` above 2 puts one on every stream into a kernel.
Running the pass again re-sizes the FIFOs it made. The module's `bnn.fold` totals (luts, brams)
count the FIFOs afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.analysis.stream_schedule import fifo_depths, stream_kernels
from bnnir.analysis.targets import DEFAULT_STREAM_DEPTH
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw

MAX_DEPTH = 1 << 24
"""The deepest FIFO min-depth may ask for (16 Mi words, far beyond any part's block RAM)."""


@dataclass(frozen=True)
class SizeFifos(ModulePass):
    """Insert or re-size FIFOs (see the module docstring).

    Arguments:
      min_depth: the smallest FIFO (default 2, FINN's shallow FIFOs).
    """

    name = "hwstream-size-fifos"

    min_depth: int = DEFAULT_STREAM_DEPTH

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not 1 <= self.min_depth <= MAX_DEPTH:
            raise BnnirError("hwstream-size-fifos", f"min-depth must be between 1 and "
                             f"{MAX_DEPTH} words, got {self.min_depth}")
        designs = [d for d in op.ops if isinstance(d, hw.DesignOp)]
        before = _fifo_resources(designs)
        for design in designs:
            _remove_fifos(design)
            for kernel, needed in zip(stream_kernels(design), fifo_depths(design), strict=True):
                depth = max(self.min_depth, needed)
                if depth > DEFAULT_STREAM_DEPTH:
                    _insert_fifo(design, kernel, depth)
        after = _fifo_resources(designs)
        _update_summary(op, after[0] - before[0], after[1] - before[1])


def _fifo_resources(designs: list[hw.DesignOp]) -> tuple[int, int]:
    """(LUTs, BRAM18s) of the designs' FIFOs."""
    costs = [kernel_cost(op) for d in designs for op in d.kernels() if isinstance(op, hw.FifoOp)]
    return sum(c.luts for c in costs), sum(c.brams for c in costs)


def _update_summary(module: ModuleOp, luts: int, brams: int) -> None:
    """Count the FIFOs in the module's `bnn.fold` totals, which bnn-fold made without them."""
    summary = module.attributes.get("bnn.fold")
    if isinstance(summary, bnn.FoldSummaryAttr):
        module.attributes["bnn.fold"] = summary.with_resources(summary.luts.data + luts,
                                                               summary.brams.data + brams)


def _insert_fifo(design: hw.DesignOp, kernel: hw.KernelOp, depth: int) -> None:
    spec = kernel.spec
    fifo = hw.FifoOp(kernel.input, hw.FifoSpec(depth, spec.lanes_in, spec.bits_in, spec.words_in()))
    if "layer" in kernel.attributes:
        fifo.attributes["layer"] = kernel.attributes["layer"]
    design.body.block.insert_op_before(fifo, kernel)
    kernel.operands[0] = fifo.output


def _remove_fifos(design: hw.DesignOp) -> None:
    for fifo in [o for o in design.body.block.ops if isinstance(o, hw.FifoOp)]:
        fifo.output.replace_all_uses_with(fifo.input)
        fifo.detach()
        fifo.erase()
