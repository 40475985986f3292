"""What of a bnn function becomes hardware, and how its values stream.

The accelerator is one run of `@main`'s ops: from the first layer that hardware computes (a conv,
dense layer, pool, pad, integer threshold or arg-max) up to the last before anything only the
host can do (float arithmetic), flattens and reshapes between them included. Folding and
streaming conversion both take their layers from here (`hardware_run`), and both lower each
layer with bnnir/analysis/lowering.py: bnn-to-hwstream builds the very kernel specs bnn-fold
costed. Each stream element is `element_bits` wide: bipolar values are bits.
"""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerType, ModuleOp, StringAttr
from xdsl.ir import Attribute, Operation

from bnnir.analysis.cost_model import ACCUMULATOR_BITS
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import is_bipolar

LAYER_OPS = (bnn.Conv2dOp, bnn.DenseOp, bnn.MaxPoolOp, bnn.PadOp, bnn.ThresholdOp, bnn.ArgMaxOp)
"""The ops that become streaming kernels (a threshold only on integers)."""

PASS_THROUGH_OPS = (bnn.FlattenOp, bnn.ReshapeOp)
"""Ops that only rename a stream: they become no kernel but do not end the design."""


def is_hardware(op: Operation) -> bool:
    if isinstance(op, bnn.ThresholdOp):
        return isinstance(bnn.tensor_type(op.input).element_type, IntegerType)
    return isinstance(op, (*LAYER_OPS, *PASS_THROUGH_OPS))


def is_layer(op: Operation) -> bool:
    return is_hardware(op) and not isinstance(op, PASS_THROUGH_OPS)


def hardware_run(ops: list[Operation]) -> list[Operation]:
    """The ops from the first hardware layer (with the flattens just before it) up to the last
    layer before anything the host must do (float arithmetic between layers ends the design;
    what follows stays on the host), constants among them; empty without a hardware layer."""
    start = next((i for i, op in enumerate(ops) if is_layer(op)), None)
    if start is None:
        return []
    while start > 0 and isinstance(ops[start - 1], (*PASS_THROUGH_OPS, bnn.ConstantOp)):
        start -= 1
    while isinstance(ops[start], bnn.ConstantOp):
        start += 1
    run: list[Operation] = []
    for op in ops[start:]:
        if not (is_hardware(op) or isinstance(op, bnn.ConstantOp)):
            break
        run.append(op)
    run = run[:_unordered_flatten(run)]
    while run and not is_layer(run[-1]):
        run.pop()
    return run


def reorders(op: Operation) -> bool:
    """Whether a flatten's features stream in another order than the tensor's: a map of
    several channels and pixels streams (h, w, c), the flattened tensor is (c, h, w)."""
    if not isinstance(op, PASS_THROUGH_OPS):
        return False
    shape = bnn.tensor_type(op.operands[0]).get_shape()
    return len(shape) == 4 and shape[1] > 1 and shape[2] * shape[3] > 1


def _unordered_flatten(run: list[Operation]) -> int:
    """Where the run must end so that no flattened map reaches a reader that needs the
    tensor's order: a dense layer reorders its columns to the stream's, and thresholds on the
    way their rows, but an arg-max or the design's output would see features out of order, so
    such a flatten and what follows it stay on the host."""
    for index, op in enumerate(run):
        if not reorders(op):
            continue
        reader = next((r for r in run[index + 1:] if isinstance(r, bnn.DenseOp | bnn.ArgMaxOp)),
                      None)
        if not isinstance(reader, bnn.DenseOp):
            return index
    return len(run)


def main_function(module: ModuleOp) -> func.FuncOp | None:
    return next((f for f in module.ops if isinstance(f, func.FuncOp)), None)


def module_hardware_run(module: ModuleOp) -> list[Operation]:
    """The hardware run of the module's function (empty without one)."""
    main = main_function(module)
    return [] if main is None else hardware_run(list(main.body.block.ops))


def layer_name(op: Operation, index: int) -> str:
    """A layer's name: its ONNX node, else its result's name, else its op and run index."""
    node = op.attributes.get("onnx_node")
    if isinstance(node, StringAttr):
        return node.data
    hint = op.results[0].name_hint if op.results else None
    return hint or f"{op.name.split('.')[-1]}{index}"


def element_bits(element: Attribute) -> int:
    """The bits of one stream lane holding a value of this element type."""
    if is_bipolar(element):
        return 1
    if isinstance(element, IntegerType):
        return element.width.data
    raise BnnirError("hardware run", f"no stream encoding for element type {element}: "
                     "streams carry integer and bipolar (i1) values")


def matrix_output_bits(op: bnn.Conv2dOp | bnn.DenseOp) -> int:
    """The lane bits a matrix-vector unit writes: its thresholded output, else its dot product."""
    if op.thresholds is None:
        return ACCUMULATOR_BITS
    return element_bits(bnn.tensor_type(op.output).element_type)


def index_bits(labels: int) -> int:
    """The bits of a label index in 0 .. labels − 1."""
    return max(1, (labels - 1).bit_length())
