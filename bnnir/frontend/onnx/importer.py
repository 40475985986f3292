"""The importer's driver: the graph's input and outputs, the node walk and its dispatch table.

Each node family lives in a module of its own (layers, normalization, activations, windows,
layout, labels); every such module exports `HANDLERS`, a table from op type to a function
`handler(importer, node)` that reads the node's inputs from the importer and binds its outputs.
Nodes whose inputs are all constants are folded with numpy (constants.py) instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    DictionaryAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from bnnir.analysis.value_ranges import real_bounds
from bnnir.diagnostics import BnnirError, remark
from bnnir.dialects import bnn
from bnnir.dialects.bnn_values import bipolar, dense_to_numpy, si8, ui8
from bnnir.frontend.onnx import activations, labels, layers, layout, normalization, windows
from bnnir.frontend.onnx.constants import (
    CONSTANT_OPS,
    NodeError,
    check_inputs,
    fold_constant,
    node_error,
)
from bnnir.frontend.onnx.model import load_model
from bnnir.frontend.onnx.values import Value

QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general", "onnx.brevitas", "finn")

INPUT_TYPES: dict[str, Attribute] = {
    "ui8": ui8,
    "si8": si8,
    "bipolar": bipolar,
    "binary": bipolar,
}
"""--input-type values: what the float input of the ONNX model holds."""

_FINN_DATATYPES = {"UINT8": "ui8", "INT8": "si8", "BIPOLAR": "bipolar", "BINARY": "binary"}
_ONNX_DTYPES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.INT32: "int32",
}

_INTEGER_INPUTS = {onnx.TensorProto.UINT8: "ui8", onnx.TensorProto.INT8: "si8"}
"""Integer graph inputs: the module reads them as they are."""

_FLOAT_CONSUMERS = {
    "Sign", "BipolarQuant", "Quant", "MultiThreshold", "Mul", "Div", "Add", "Sub",
    "BatchNormalization", "Neg", "Relu",
}

_MOVES_DATA = {"Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose"}
"""Nodes whose output holds their first input's values: what reads a graph input is what reads
their output."""

_ELEMENTWISE = {
    "BatchNormalization", "Mul", "Div", "Add", "Sub", "Neg", "Sign", "BipolarQuant", "Quant",
    "MultiThreshold", "Relu", "Identity", "Dropout",
}
"""Nodes that compute each element from its own value and its channel's constants: they work on
a value whose IR leaves out size-1 axes of the ONNX tensor (Value.onnx_shape), and so does their
output."""

_READS_LAYOUT = {"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Shape"}
"""Nodes that read a value's ONNX shape themselves (layout.py)."""

_QONNX_OPS = {
    "BipolarQuant", "Quant", "IntQuant", "FloatQuant", "MultiThreshold", "XnorPopcountMatMul",
    "Trunc", "Im2Col", "MaxPoolNHWC", "QuantAvgPool2d", "DebugMarker", "GenericPartition",
}
"""The custom ops of qonnx's domains (qonnx.custom_op.general), some named as standard ops."""

Handler = Callable[["OnnxImporter", onnx.NodeProto], None]

HANDLERS: dict[str, Handler] = {
    **layers.HANDLERS,
    **normalization.HANDLERS,
    **activations.HANDLERS,
    **windows.HANDLERS,
    **layout.HANDLERS,
    **labels.HANDLERS,
}
"""The op types the importer turns into `bnn` ops, and the function importing each."""


@dataclass(frozen=True)
class InputScale:
    """The float graph input is fl(k · factor), or fl(k / factor) with `divide` (torchvision's
    ToTensor computes k / 255), of the integers k the imported module reads."""

    factor: float
    divide: bool
    text: str

    @staticmethod
    def parse(text: str) -> InputScale:
        """`S` (a multiplier) or `1/D` (a divisor), both positive and finite in float32."""
        divide = text.replace(" ", "").startswith("1/")
        number = text.replace(" ", "")[2:] if divide else text
        try:
            factor = float(np.float32(float(number)))
        except (ValueError, OverflowError):
            factor = float("nan")
        if not (np.isfinite(factor) and factor > 0):
            raise BnnirError("--input-scale", f"'{text}' is not a positive number S or 1/D "
                             "(for example 1/255: the model reads k / 255 of the integers k)")
        return InputScale(factor, divide, text)

    def apply(self, levels: np.ndarray) -> np.ndarray:
        """The model's float32 input for the integers `levels`."""
        x, factor = np.asarray(levels).astype(np.float32), np.float32(self.factor)
        return x / factor if self.divide else x * factor


def import_onnx(
    model: onnx.ModelProto | str | os.PathLike[str],
    input_type: str | None = None,
    source_name: str | None = None,
    input_scale: str | None = None,
) -> ModuleOp:
    """Import an ONNX / QONNX / FINN-ONNX model as a `bnn` module with one `func.func @main`.

    With `input_scale` (`S` or `1/D`) the float input is that scale of the `input_type`
    integers, which the module reads. Results that can differ from onnxruntime's in the last
    float bit (a non-power-of-two scale moved behind a layer) are named in a remark on stderr."""
    proto, source = load_model(model)
    if input_type is not None and input_type not in INPUT_TYPES:
        raise BnnirError("--input-type", f"unknown input type '{input_type}'; use one of "
                         f"{', '.join(INPUT_TYPES)}")
    scale = None if input_scale is None else InputScale.parse(input_scale)
    if scale is not None and input_type not in ("ui8", "si8"):
        raise BnnirError("--input-scale", "needs --input-type ui8 or si8, the integers whose "
                         "scale the model's float input is")
    module = OnnxImporter(proto, source_name or source, input_type, input_scale=scale).run()
    try:
        module.verify()
    except VerifyException as e:  # a bug in the importer rather than in the model
        raise BnnirError(source_name or source, f"imported IR does not verify: {e}") from None
    return module


@dataclass
class OnnxImporter:
    """The state of one import: the tensors seen so far, as constants or as `bnn` values."""

    model: onnx.ModelProto
    source: str
    input_type: str | None = None
    constants: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    zero_pads: dict[str, tuple[Value, tuple[int, ...]]] = field(default_factory=dict)
    consumers: dict[str, list[onnx.NodeProto]] = field(default_factory=dict)
    producers: dict[str, onnx.NodeProto] = field(default_factory=dict)
    node: onnx.NodeProto | None = None
    where: str = ""
    fixed_batch: bool = False
    """The graph input's batch was a fixed 1, imported as a dynamic batch."""
    input_scale: InputScale | None = None

    def run(self) -> ModuleOp:
        graph = self.model.graph
        for init in graph.initializer:
            self.constants[init.name] = self._initializer(init)
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
            for name in node.output:
                self.producers.setdefault(name, node)
        self._check_graph()
        block, arg_attrs = self._make_entry_block()
        self.builder = Builder(InsertPoint.at_end(block))
        self._scale_input(block.args[0])
        for index, node in enumerate(graph.node):
            self.node, self.where = node, self._where(node, index)
            try:
                self._import_node(node)
            except NodeError as e:
                raise BnnirError(self.where, str(e)) from None
        self.node = None
        results, res_attrs = self._outputs()
        self.builder.insert(func.ReturnOp(*results))
        _erase_dead_ops(block)
        fn = func.FuncOp(
            "main",
            ([a.type for a in block.args], [r.type for r in results]),
            Region(block),
            arg_attrs=ArrayAttr(arg_attrs),
            res_attrs=ArrayAttr(res_attrs),
        )
        return ModuleOp([fn])

    def _initializer(self, init: onnx.TensorProto) -> np.ndarray:
        """An initializer's values; too few or too many for its dims is the model's error."""
        try:
            return numpy_helper.to_array(init)
        except (ValueError, TypeError) as e:
            dims, need = list(init.dims), int(np.prod(init.dims, dtype=np.int64))
            found = re.search(r"array of size (\d+)", str(e))
            held = f"{found.group(1)} values" if found else "a different number of values"
            raise BnnirError(f"{self.source}: initializer '{init.name}'",
                             f"holds {held} where its dims {dims} need {need}") from None

    def _where(self, node: onnx.NodeProto, index: int) -> str:
        name = node.name or (node.output[0] if node.output and node.output[0] else f"#{index}")
        return f"{self.source}: node '{name}' ({node.op_type})"

    def _check_graph(self) -> None:
        """Every node reads tensors defined before it and defines new ones (ONNX's SSA rule)."""
        defined = {i.name for i in self.model.graph.input} | set(self.constants)
        producers: dict[str, str] = {}
        for index, node in enumerate(self.model.graph.node):
            where = self._where(node, index)
            for name in node.input:
                if name and name not in defined:
                    later = "produced by a later node (graph not in topological order)" \
                        if name in self._all_outputs() else "not defined in the graph"
                    raise BnnirError(where, f"input '{name}' is {later}")
            for name in node.output:
                if name in producers or name in defined - set(producers):
                    raise BnnirError(where, f"output '{name}' is already defined "
                                     + (f"by node '{producers[name]}'" if name in producers
                                        else "as a graph input or initializer"))
                if name:
                    producers[name] = node.name or name
                    defined.add(name)

    def _all_outputs(self) -> set[str]:
        return {name for node in self.model.graph.node for name in node.output}

    # -- graph input and outputs ---------------------------------------------

    def _graph_input(self) -> onnx.ValueInfoProto:
        inputs = [i for i in self.model.graph.input if i.name not in self.constants]
        if len(inputs) != 1:
            names = ", ".join(i.name for i in inputs) or "none"
            raise BnnirError(self.source, f"bnnir needs exactly one graph input, got {names}")
        return inputs[0]

    def _finn_datatypes(self) -> dict[str, str]:
        found = {}
        for annotation in self.model.graph.quantization_annotation:
            for entry in annotation.quant_parameter_tensor_names:
                if entry.key == "finn_datatype":
                    found[annotation.tensor_name] = entry.value
        return found

    def _input_kind(self, graph_input: onnx.ValueInfoProto) -> str:
        """What the graph input holds: its integer element type (a real uint8 or int8 image,
        which the model casts to float), --input-type, a QONNX annotation, or f32 when float
        ops read it first."""
        name = graph_input.name
        elem_type = graph_input.type.tensor_type.elem_type
        integer = _INTEGER_INPUTS.get(elem_type)
        if elem_type != onnx.TensorProto.FLOAT and integer is None:
            raise BnnirError(self.source, f"graph input '{name}' is declared "
                             f"{_dtype_name(elem_type)}; bnnir reads float32 inputs, or uint8 "
                             "and int8 inputs (cast to float)")
        if integer is not None:
            if self.input_type not in (None, integer):
                raise BnnirError("--input-type", f"'{self.input_type}' does not match graph "
                                 f"input '{name}', which is declared {_dtype_name(elem_type)}")
            return integer
        if self.input_type is not None:
            return self.input_type
        annotated = self._finn_datatypes().get(name)
        if annotated in _FINN_DATATYPES:
            return _FINN_DATATYPES[annotated]
        direct = self.consumers.get(name, [])
        if not direct:
            raise BnnirError(self.source, f"graph input '{name}' is not used by any node")
        users = self._users(name)
        if users and all(n.op_type in _FLOAT_CONSUMERS for n in users):
            return "f32"
        user = users[0] if users else direct[0]
        how = "directly" if user in direct else "through data movement"
        raise BnnirError(
            self.source,
            f"graph input '{name}' feeds {user.op_type} {how}: say what it holds with "
            "--input-type ui8|si8|bipolar|binary",
        )

    def _users(self, name: str) -> list[onnx.NodeProto]:
        """The nodes reading the values of tensor `name`, looking through data movement
        (Identity, Reshape, ...) and leaving out Shape, which reads only its dimensions."""
        users = []
        for node in self.consumers.get(name, []):
            if node.op_type == "Shape":
                continue
            if node.op_type in _MOVES_DATA and node.input[0] == name and node.output:
                users += self._users(node.output[0])
            else:
                users.append(node)
        return users

    def _make_entry_block(self) -> tuple[Block, list[DictionaryAttr]]:
        graph_input = self._graph_input()
        tensor = graph_input.type.tensor_type
        if not tensor.HasField("shape"):
            raise BnnirError(self.source, f"graph input '{graph_input.name}' has no shape")
        dims = [d.dim_value if d.HasField("dim_value") else DYNAMIC_INDEX
                for d in tensor.shape.dim]
        # A fixed batch of 1 is the exporters' convention (PyTorch traces one example), not a
        # constraint of the network: bnnir runs it on any batch.
        self.fixed_batch = bool(dims) and dims[0] == 1
        if dims and dims[0] in (0, 1):
            dims[0] = DYNAMIC_INDEX
        if any(d in (DYNAMIC_INDEX, 0) for d in dims[1:]):
            raise BnnirError(self.source, f"graph input '{graph_input.name}' must have static "
                             "dimensions except the batch")
        kind = self._input_kind(graph_input)
        element = f32 if kind == "f32" else INPUT_TYPES[kind]
        block = Block(arg_types=[TensorType(element, dims)])
        block.args[0].name_hint = _ssa_name(graph_input.name)
        self.values[graph_input.name] = Value(block.args[0], binary=kind == "binary")
        attrs: dict[str, Attribute] = {"bnn.onnx_name": StringAttr(graph_input.name)}
        if kind == "binary":
            attrs["bnn.encoding"] = StringAttr("binary")
        if self.input_scale is not None:
            attrs["bnn.input_scale"] = StringAttr(self.input_scale.text)
        return block, [DictionaryAttr(attrs)]

    def _scale_input(self, arg: SSAValue) -> None:
        """The float graph input as the float32 scale of the integers the module reads: one
        `bnn.affine` step, which layers and threshold fusion see through to the integers."""
        scale = self.input_scale
        if scale is None:
            return
        name = self._graph_input().name
        factor = np.float32([scale.factor])
        self.values[name] = Value(self.insert(bnn.AffineOp(arg, factor, divide=scale.divide),
                                              name))

    def _outputs(self) -> tuple[list[SSAValue], list[DictionaryAttr]]:
        results, attrs = [], []
        for output in self.model.graph.output:
            if output.name in self.zero_pads:
                raise BnnirError(self.source, f"graph output '{output.name}' is a zero-padded "
                                 "bipolar tensor, which has no bipolar encoding; bnnir supports "
                                 "zero padding of bipolar tensors only as the input of a Conv")
            if output.name not in self.values:
                raise BnnirError(self.source, f"graph output '{output.name}' is a constant or "
                                 "is not computed by the supported nodes")
            value = self._in_onnx_shape(self.values[output.name])
            ssa = self.real(value).ssa if value.binary else value.ssa
            dtype = self._output_dtype(output)
            results.append(ssa)
            attrs.append(DictionaryAttr({"bnn.onnx_name": StringAttr(output.name),
                                         "bnn.onnx_dtype": StringAttr(dtype)}))
        return results, attrs

    def _output_dtype(self, output: onnx.ValueInfoProto) -> str:
        """The declared element type of a graph output, one bnnir computes exactly (float32
        values, int64 or int32 labels); undeclared is float32."""
        elem_type = output.type.tensor_type.elem_type
        if elem_type == onnx.TensorProto.UNDEFINED:
            return "float32"
        if elem_type not in _ONNX_DTYPES:
            raise BnnirError(self.source, f"graph output '{output.name}' is declared "
                             f"{_dtype_name(elem_type)}, which bnnir does not compute (it "
                             "computes float32, or int64/int32 labels); onnxruntime refuses "
                             "such a model too: declare the output float")
        return _ONNX_DTYPES[elem_type]

    # -- dispatch -------------------------------------------------------------

    def _import_node(self, node: onnx.NodeProto) -> None:
        if node.domain not in ("", "ai.onnx") and node.domain not in QONNX_DOMAINS:
            raise node_error(f"unsupported domain '{node.domain}'")
        if node.domain in QONNX_DOMAINS and node.op_type not in _QONNX_OPS and \
                onnx.defs.has(node.op_type):
            raise node_error(f"{node.op_type} is a standard ONNX op, not an op of the custom "
                             f"domain '{node.domain}' (onnxruntime and qonnx refuse it there); "
                             "give the node the domain ''")
        check_inputs(node)
        present = [n for n in node.input if n]
        if node.op_type == "Constant" or (present and all(n in self.constants for n in present)):
            self._fold(node)
            return
        handler = HANDLERS.get(node.op_type)
        if handler is None:
            only_constant = ", ".join(sorted(CONSTANT_OPS - set(HANDLERS)))
            raise node_error(f"unsupported op; bnnir supports {', '.join(sorted(HANDLERS))}, "
                             f"and {only_constant} on constants (weights, shapes)")
        handler(self, node)
        if node.op_type in _ELEMENTWISE:
            self._keep_onnx_shape(node)

    def _keep_onnx_shape(self, node: onnx.NodeProto) -> None:
        """An elementwise node's outputs have its input's ONNX shape."""
        source = self.values.get(node.input[0])
        if source is None or source.onnx_shape is None:
            return
        for name in node.output:
            out = self.values.get(name)
            if out is not None and out.ir_shape == source.ir_shape:
                out.onnx_shape = source.onnx_shape

    def _fold(self, node: onnx.NodeProto) -> None:
        args = [self.constants[n] if n else None for n in node.input]
        results = fold_constant(node, args)
        for name, result in zip(node.output, results, strict=False):
            if name:
                self.constants[name] = result

    # -- what the node families use ---------------------------------------------

    def insert(self, op: Operation, name: str | None = None) -> SSAValue:
        """Insert `op`, named after `name` or the current node's output; an op that does not
        verify (shapes the node's inputs do not allow) is the node's error."""
        node = self.node
        if node is not None and node.name and not isinstance(op, bnn.ConstantOp):
            op.attributes["onnx_node"] = StringAttr(node.name)
        try:
            op.verify()
        except VerifyException as e:
            raise node_error(str(e.args[0]) if e.args else str(e)) from None
        if isinstance(op, bnn.AffineOp):
            _check_finite_affine(op)
        if isinstance(op, bnn.BatchNormOp):
            _check_finite_batch_norm(op)
        if isinstance(op, bnn.AffineOp | bnn.BatchNormOp):
            _check_no_nan(op)
        self.builder.insert(op)
        result = op.results[0]
        if name is None and node is not None and node.output:
            name = node.output[0]
        result.name_hint = _ssa_name(name) if name else None
        return result

    def weights(self, integers: np.ndarray, name: str, bits: int = 1) -> SSAValue:
        """A packed weight constant: ±1 values for 1 bit, else si<bits> integers."""
        return self.insert(
            bnn.ConstantOp.from_integers(np.ascontiguousarray(integers), bits), name)

    def bind(self, name: str, ssa: SSAValue, binary: bool = False) -> None:
        self.values[name] = Value(ssa, binary)

    def value(self, name: str) -> Value:
        """The activation `name`, in its ONNX shape unless the current node is elementwise or
        reads the ONNX shape itself."""
        if name in self.zero_pads:
            raise node_error(f"input '{name}' is a zero-padded bipolar tensor; bnnir supports zero "
                             "padding of bipolar tensors only as the input of a Conv")
        if name not in self.values:
            if name in self.constants:
                raise node_error(f"input '{name}' is a constant where bnnir expects an activation")
            raise node_error(f"input '{name}' is not computed by the supported nodes")
        value = self.values[name]
        op_type = self.node.op_type if self.node is not None else ""
        if value.onnx_shape is not None and op_type not in _ELEMENTWISE | _READS_LAYOUT:
            value = self.values[name] = self._in_onnx_shape(value)
        return value

    def _in_onnx_shape(self, value: Value) -> Value:
        if value.onnx_shape is None:
            return value
        out_type = TensorType(value.element_type, value.onnx_shape)
        return Value(self.insert(bnn.ReshapeOp(value.ssa, out_type)), value.binary)

    def constant(self, name: str, what: str) -> np.ndarray:
        if name not in self.constants:
            raise node_error(f"{what} '{name}' must be a constant (initializer)")
        return self.constants[name]

    def optional(self, node: onnx.NodeProto, index: int) -> str | None:
        """The name of an optional input, None if it is omitted."""
        return node.input[index] if len(node.input) > index and node.input[index] else None

    def remark(self, what: str) -> None:
        remark(self.where or self.source, what)

    def real(self, value: Value) -> Value:
        """A value whose IR equals its ONNX meaning: BINARY tensors become {0, 1} in f32."""
        if not value.binary:
            return value
        half = np.array([0.5], np.float32)
        return Value(self.insert(bnn.AffineOp(value.ssa, half, half)))

    def consumed(self, name: str) -> bool:
        """Whether a node or the graph's outputs read tensor `name`."""
        return name in self.consumers or self.consumed_by_graph(name)

    def consumed_by_graph(self, name: str) -> bool:
        return any(o.name == name for o in self.model.graph.output)


def _check_finite_affine(op: bnn.AffineOp) -> None:
    """A scale or offset from the model must be finite (inf or NaN would make NaN from finite
    accumulators, whose max-pooling onnxruntime does not define), and a divisor non-zero."""
    for what, attr in (("scale", op.scale), ("offset", op.offset)):
        if attr is None:
            continue
        values = dense_to_numpy(attr)
        if not np.all(np.isfinite(values)):
            raise node_error(f"the {'divisor' if op.divide and what == 'scale' else what} "
                             f"{values.tolist()[:4]} is not finite (inf or NaN), which bnnir "
                             "does not support")
        if what == "scale" and op.divide is not None and np.any(values == 0):
            raise node_error(f"the divisor {values.tolist()[:4]} has a zero, which bnnir does "
                             "not support (it makes inf or NaN)")


def _check_finite_batch_norm(op: bnn.BatchNormOp) -> None:
    """A batch norm's float32 scale and offset must be finite, as an affine's."""
    with np.errstate(all="ignore"):
        scale, bias = op.scale_and_bias()
    infinite = np.nonzero(~(np.isfinite(scale) & np.isfinite(bias)))[0]
    if infinite.size:
        c = int(infinite[0])
        var = dense_to_numpy(op.var)
        denominator = var[c % var.size] + np.float32(op.epsilon.value.data)
        raise node_error(
            f"channel {c} has var + epsilon = {denominator:.9g}, so its float32 scale "
            f"gamma / sqrt(var + epsilon) is {scale[c]:.9g} and its offset {bias[c]:.9g}; "
            "bnnir needs both finite (var + epsilon > 0, no overflow)")


def _check_no_nan(op: bnn.AffineOp | bnn.BatchNormOp) -> None:
    """Finite parameters can still make NaN: a value that overflowed to inf, times a zero
    scale. Its ordering is undefined (max-pools, signs), so bnnir refuses it."""
    bounds = real_bounds(op.output)
    if bounds is None:
        return
    nan = np.nonzero(np.isnan(bounds[0]) | np.isnan(bounds[1]))[0]
    if nan.size:
        raise node_error(
            f"channel {int(nan[0])} becomes NaN for values its input can take (a float32 "
            "overflow to inf times a zero scale); bnnir needs finite values here: scale the "
            "layer before it down or remove the zero scale")


def _dtype_name(elem_type: int) -> str:
    try:
        return onnx.TensorProto.DataType.Name(elem_type)
    except ValueError:
        return f"element type {elem_type}"


def _erase_dead_ops(block: Block) -> None:
    """Erase ops whose results nothing reads (a scale moved behind a layer, unused weights)."""
    for op in reversed(list(block.ops)):
        if op.results and all(not result.uses for result in op.results):
            op.detach()
            op.erase()


def _ssa_name(onnx_name: str) -> str | None:
    cleaned = "".join(c if c.isalnum() or c in "_." else "_" for c in onnx_name)
    if not cleaned or cleaned[0].isdigit() or cleaned[0] == ".":
        return None
    return cleaned
