"""The cost model applied to hwstream kernels: each kernel op's cycles per frame and resources.

The report, the cycle simulation and FIFO sizing all read a design's numbers from here, so they
agree with the numbers bnn-fold optimized.
"""

from __future__ import annotations

from bnnir.analysis import cost_model as cm
from bnnir.dialects import hwstream as hw


def kernel_cost(op: hw.KernelOp) -> cm.Cost:
    match op:
        case hw.MvtuOp():
            steps = 0 if op.thresholds is None else op.thresholds.get_shape()[3]
            table = op.thresholds if op.thresholds is not None else op.offsets
            classes = 1 if table is None else table.get_shape()[0]
            unit = cm.MatrixVectorUnit(
                op.prop_int("rows"), op.prop_int("columns"), op.prop_int("vectors"),
                op.prop_int("input_bits"), op.signed_input is not None, steps, classes,
            )
            return unit.cost(op.prop_int("pe"), op.prop_int("simd"))
        case hw.WindowOp():
            oh, ow = op.output_size()
            window = cm.SlidingWindow(
                op.prop_int("channels"), (op.prop_int("height"), op.prop_int("width")), (oh, ow),
                op.prop_ints("kernel"), op.prop_ints("strides")[0], op.prop_int("bits"),
            )
            return window.cost(op.prop_int("simd"))
        case hw.PadOp():
            top, left, bottom, right = op.prop_ints("pads")
            out = (op.prop_int("height") + top + bottom, op.prop_int("width") + left + right)
            return cm.Padding(op.prop_int("channels"), out, op.prop_int("bits")).cost(
                op.prop_int("simd"))
        case hw.PoolOp():
            top, left, _, _ = op.prop_ints("pads")
            map_dims = (op.prop_int("height"), op.prop_int("width"))
            pool = cm.MaxPool(op.prop_int("channels"), map_dims, op.output_size(),
                              op.prop_ints("kernel"), op.prop_ints("strides"), (top, left),
                              op.prop_int("bits"))
            return pool.cost()
        case hw.DwcOp():
            return cm.WidthConverter(op.lanes_in * op.bits_in, op.lanes_out * op.bits_out,
                                     op.words_in()).cost()
        case hw.ThresholdOp():
            steps = op.thresholds.get_shape()[2]
            unit = cm.Thresholding(op.prop_int("channels"), op.prop_int("pixels"),
                                   op.prop_int("input_bits"), steps)
            return unit.cost(op.prop_int("pe"))
        case hw.LabelSelectOp():
            return cm.LabelSelect(op.prop_int("labels"), op.prop_int("bits")).cost(
                op.prop_int("pe"))
        case hw.FifoOp():
            return cm.Fifo(op.prop_int("depth"), op.lanes_in * op.bits_in, op.words_in()).cost()
    raise TypeError(f"no cost model for {op.name}")
