"""The cost model applied to kernels: each kernel spec's cycles per frame and resources.

`kernel_cost` is the one per-kernel cost function. bnn-fold costs the specs the lowering
(bnnir/analysis/lowering.py) makes of each layer; the report, the cycle simulation and FIFO
sizing cost a design's ops through their specs (`op.spec`), so they agree with the numbers
bnn-fold optimized.

Two cost models price a kernel (COST_MODELS): `finn`, FINN's formulas (cost_model.py), the
default, and `measured`, the same structure fitted to yosys synthesis of our RTL
(measured_costs.py). They differ in LUTs and BRAM18s only. bnn-fold{cost=measured} folds under
the measured model and records it on the module (COST_MODEL_ATTR, absent for the default), so
the report costs the design as it was folded (`module_cost_model`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from xdsl.dialects.builtin import ModuleOp, StringAttr

from bnnir.analysis import cost_model as cm
from bnnir.analysis import measured_costs
from bnnir.dialects import hwstream as hw

FINN, MEASURED = "finn", "measured"
COST_MODELS = (FINN, MEASURED)
"""The cost models, the default (FINN's formulas: every existing figure is theirs) first."""

COST_MODEL_ATTR = "bnn.cost_model"
"""The module attribute naming the cost model bnn-fold used, when it is not the default."""


def kernel_cost(kernel: hw.KernelSpec | hw.KernelOp, model: str = FINN) -> cm.Cost:
    """The cycles per frame, LUTs and BRAM18s of a kernel (a spec, or an op by its spec) under
    a cost model (COST_MODELS)."""
    return spec_cost(kernel.spec if isinstance(kernel, hw.KernelOp) else kernel, model)


def module_cost_model(module: ModuleOp) -> str:
    """The cost model a module was folded under (COST_MODEL_ATTR; the default without it)."""
    model = module.attributes.get(COST_MODEL_ATTR)
    return model.data if isinstance(model, StringAttr) else FINN


@lru_cache(maxsize=1 << 16)  # the folding search costs the same MVTU for every window SIMD
def spec_cost(spec: hw.KernelSpec, model: str = FINN) -> cm.Cost:
    if model != FINN:
        return _measured(spec, model)
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


def _measured(spec: hw.KernelSpec, model: str) -> cm.Cost:
    if model != MEASURED:
        raise ValueError(f"unknown cost model '{model}'; known: {', '.join(COST_MODELS)}")
    return measured_costs.spec_cost(spec, spec_cost(spec))


def matrix_work(specs: Iterable[hw.KernelSpec]) -> tuple[int, int]:
    """(MACs per frame, MACs per cycle = Σ PE·SIMD) of the matrix-vector units among these."""
    units = [s for s in specs if isinstance(s, hw.MvtuSpec)]
    return sum(s.macs for s in units), sum(s.pe * s.simd for s in units)


def ideal_cycles(macs: int, lanes: int) -> float:
    """The ideal cycles per frame of matrix-vector units doing `macs` MACs per frame, `lanes`
    (Σ PE·SIMD, `matrix_work`) per cycle, to three decimals; 0.0 without a unit."""
    return round(macs / lanes, 3) if lanes else 0.0
