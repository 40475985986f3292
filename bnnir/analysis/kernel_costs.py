"""The cost model applied to kernels: each kernel spec's cycles per frame and resources.

`kernel_cost` is the one per-kernel cost function. bnn-fold costs the specs the lowering
(bnnir/analysis/lowering.py) makes of each layer; the report, the cycle simulation and FIFO
sizing cost a design's ops through their specs (`op.spec`), so they agree with the numbers
bnn-fold optimized.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from bnnir.analysis import cost_model as cm
from bnnir.dialects import hwstream as hw


def kernel_cost(kernel: hw.KernelSpec | hw.KernelOp) -> cm.Cost:
    """The cycles per frame, LUTs and BRAM18s of a kernel (a spec, or an op by its spec)."""
    return spec_cost(kernel.spec if isinstance(kernel, hw.KernelOp) else kernel)


@lru_cache(maxsize=1 << 16)  # the folding search costs the same MVTU for every window SIMD
def spec_cost(spec: hw.KernelSpec) -> cm.Cost:
    match spec:
        case hw.MvtuSpec():
            unit = cm.MatrixVectorUnit(spec.rows, spec.columns, spec.vectors, spec.input_bits,
                                       spec.signed_input, spec.steps, spec.classes,
                                       spec.weight_bits)
            return unit.cost(spec.pe, spec.simd)
        case hw.WindowSpec():
            window = cm.SlidingWindow(spec.channels, (spec.height, spec.width),
                                      spec.output_size(), spec.kernel, spec.strides[0], spec.bits)
            return window.cost(spec.simd)
        case hw.PadSpec():
            return cm.Padding(spec.channels, spec.output_size(), spec.bits).cost(spec.simd)
        case hw.PoolSpec():
            top, left, _, _ = spec.pads
            return cm.MaxPool(spec.channels, (spec.height, spec.width), spec.output_size(),
                              spec.kernel, spec.strides, (top, left), spec.bits).cost()
        case hw.DwcSpec():
            return cm.WidthConverter(spec.in_lanes * spec.bits, spec.out_lanes * spec.bits,
                                     spec.words).cost()
        case hw.ThresholdSpec():
            unit = cm.Thresholding(spec.channels, spec.pixels, spec.input_bits, spec.steps)
            return unit.cost(spec.pe)
        case hw.LabelSelectSpec():
            return cm.LabelSelect(spec.labels, spec.bits).cost(spec.pe)
        case hw.FifoSpec():
            return cm.Fifo(spec.depth, spec.lanes * spec.bits, spec.words).cost()
    raise TypeError(f"no cost model for {type(spec).__name__}")


def matrix_work(specs: Iterable[hw.KernelSpec]) -> tuple[int, int]:
    """(MACs per frame, MACs per cycle = Σ PE·SIMD) of the matrix-vector units among these."""
    units = [s for s in specs if isinstance(s, hw.MvtuSpec)]
    return sum(s.macs for s in units), sum(s.pe * s.simd for s in units)


def ideal_cycles(macs: int, lanes: int) -> float:
    """The ideal cycles per frame of matrix-vector units doing `macs` MACs per frame, `lanes`
    (Σ PE·SIMD, `matrix_work`) per cycle, to three decimals; 0.0 without a unit."""
    return round(macs / lanes, 3) if lanes else 0.0
