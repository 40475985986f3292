"""Import ONNX and QONNX/FINN-ONNX binarized networks into the `bnn` dialect.

The importer walks the graph once, in node order, one function per ONNX op kind. Constant
subgraphs (weights behind quantizers, transposes, reshapes; shape arithmetic) are evaluated with
numpy (onnx_constants.py); every other node becomes `bnn` ops whose semantics equal the node's as
onnxruntime (or QONNX, for its custom ops) computes it:

* Conv / MatMul / Gemm need weights that are ±s (one magnitude s per tensor or per output
  channel) after any quantizer: the layer gets the ±1 pattern and, when s != 1, a following
  `bnn.affine` scale.
* A layer input that is a scalar affine function a·q + b of integer or bipolar levels q (a
  Brevitas scale, a Quant, a MultiThreshold with out_scale/out_bias, FINN's BINARY {0, 1}) is fed
  to the layer as q, and a·acc + b·rowsum(w) follows it (layer_inputs.py). This equals
  onnxruntime's float32 sum when that sum is exact (integers below 2^24, power-of-two scales);
  otherwise a remark says that the last float bit can differ.
* Gemm's alpha · acc + beta · C is one fused multiply-add, as onnxruntime's kernel computes it
  for up to 256 inputs (MLAS_K_BLOCK); over more, a remark says when its per-block roundings can
  differ.
* Mul / Add / Sub / Div / Neg by constants and BatchNormalization keep their float32 steps;
  their scales and offsets must be finite (no zero divisor, var + epsilon > 0), as inf and NaN
  from finite accumulators would meet max-pools whose NaN handling onnxruntime leaves to SIMD.
* Sign, BipolarQuant and Quant (1-bit) binarize; a multi-bit Quant becomes an exact float32
  multi-threshold (see quantizers.py); MultiThreshold maps onto `bnn.threshold`.

ONNX `Sign(0) = 0` while `bnn.sign(0) = +1` (Brevitas' convention): the two differ only on exact
ties, which a trained network with float batch-norm parameters essentially never produces.
FINN's BINARY tensors ({0, 1}) are carried as bipolar `i1` values whose ONNX meaning is
(v + 1) / 2; XnorPopcountMatMul on them is a `bnn.dense` plus the exact popcount affine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnx.parser
from google.protobuf.message import DecodeError
from onnx import numpy_helper
from onnx.external_data_helper import load_external_data_for_model, uses_external_data
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    DictionaryAttr,
    Float32Type,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from bnnir.analysis.value_ranges import integer_bounds, real_bounds
from bnnir.diagnostics import BnnirError, remark
from bnnir.dialects import bnn
from bnnir.frontend.layer_inputs import exact_float_sums, trace_levels
from bnnir.frontend.onnx_constants import (
    CONSTANT_OPS,
    DYNAMIC_BATCH,
    NodeError,
    activation_shape,
    as_str,
    binary_weights,
    check_inputs,
    fold_constant,
    int_attribute_list,
    node_attributes,
    node_error,
    quantizer_of,
    reshape_target,
)
from bnnir.frontend.quantizers import IntQuantizer, level_thresholds

QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general", "onnx.brevitas", "finn")

INPUT_TYPES: dict[str, Attribute] = {
    "ui8": bnn.ui8,
    "si8": bnn.si8,
    "bipolar": bnn.bipolar,
    "binary": bnn.bipolar,
}
"""--input-type values: what the float input of the ONNX model holds."""

_FINN_DATATYPES = {"UINT8": "ui8", "INT8": "si8", "BIPOLAR": "bipolar", "BINARY": "binary"}
_ONNX_DTYPES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.INT32: "int32",
}
MLAS_K_BLOCK = 256
"""onnxruntime's float Gemm (MLAS, with the constant B prepacked) computes alpha · A·B + beta · C
over the inner dimension in blocks of 256 (MLAS_SGEMM_PACKED_STRIDEK, core/mlas/lib/mlasi.h),
adding each block's alpha · partial to the output in one fused multiply-add; measured bit for bit
with onnxruntime 1.32 on x86-64."""
MAX_ACTIVATION_BITS = 16
"""The widest activation Quant: its 2^bits − 1 levels become thresholds per channel."""

_FLOAT_CONSUMERS = {
    "Sign", "BipolarQuant", "Quant", "MultiThreshold", "Mul", "Div", "Add", "Sub",
    "BatchNormalization", "Neg",
}


@dataclass
class Value:
    """A tensor of the ONNX graph as `bnn` IR. For `binary` bipolar values the ONNX tensor holds
    (v + 1) / 2, FINN's {0, 1} encoding of the same bit."""

    ssa: SSAValue
    binary: bool = False

    @property
    def type(self) -> TensorType[Attribute]:
        return bnn.tensor_type(self.ssa)

    @property
    def element_type(self) -> Attribute:
        return self.type.element_type

    @property
    def shape(self) -> tuple[int, ...]:
        return self.type.get_shape()


# ===----------------------------------------------------------------------=== #
# Loading
# ===----------------------------------------------------------------------=== #


def load_model(model: onnx.ModelProto | str | os.PathLike[str]) -> tuple[onnx.ModelProto, str]:
    """The model and a name for it in messages; unreadable or malformed files raise BnnirError.

    Files ending in `.onnxtxt` hold ONNX's textual syntax (`onnx.parser`), handy for tests.
    External tensor data is read relative to the model's folder, as onnx.load does."""
    if isinstance(model, onnx.ModelProto):
        return model, "<model>"
    path = str(model)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise BnnirError(path, e.strerror or str(e)) from None
    if not data:
        raise BnnirError(path, "empty file, not an ONNX model")
    try:
        if path.endswith(".onnxtxt"):
            proto = onnx.parser.parse_model(data.decode())
        else:
            proto = onnx.load_model_from_string(data)
    except (DecodeError, onnx.parser.ParseError, UnicodeDecodeError) as e:
        detail = e.args[0] if e.args else type(e).__name__
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        detail = " ".join(str(detail).split())
        raise BnnirError(path, f"not a valid ONNX model ({detail})") from None
    if not proto.graph.node or not proto.graph.output:
        raise BnnirError(path, "not a valid ONNX model (no graph nodes or outputs)")
    _load_external_data(proto, path)
    return proto, path


def _load_external_data(proto: onnx.ModelProto, path: str) -> None:
    if not any(uses_external_data(t) for t in proto.graph.initializer):
        return
    try:
        load_external_data_for_model(proto, str(Path(path).parent))
    except OSError as e:
        raise BnnirError(path, f"cannot read its external data {e.filename or ''} "
                         f"({e.strerror or e})") from None
    except (ValueError, onnx.checker.ValidationError) as e:
        raise BnnirError(path, f"cannot read its external data ({' '.join(str(e).split())})"
                         ) from None


def import_onnx(
    model: onnx.ModelProto | str | os.PathLike[str],
    input_type: str | None = None,
    source_name: str | None = None,
) -> ModuleOp:
    """Import an ONNX / QONNX / FINN-ONNX model as a `bnn` module with one `func.func @main`.

    Results that can differ from onnxruntime's in the last float bit (a non-power-of-two scale
    moved behind a layer) are named in a remark on stderr."""
    proto, source = load_model(model)
    if input_type is not None and input_type not in INPUT_TYPES:
        raise BnnirError("--input-type", f"unknown input type '{input_type}'; use one of "
                         f"{', '.join(INPUT_TYPES)}")
    module = OnnxImporter(proto, source_name or source, input_type).run()
    try:
        module.verify()
    except VerifyException as e:  # a bug in the importer rather than in the model
        raise BnnirError(source_name or source, f"imported IR does not verify: {e}") from None
    return module


# ===----------------------------------------------------------------------=== #
# The importer
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class LayerInput:
    """The input of a compute layer as integer or bipolar levels: ONNX value = scale · levels +
    offset elementwise (see layer_inputs.py); `exact` if that holds for every level."""

    levels: Value
    scale: float = 1.0
    offset: float = 0.0
    values: np.ndarray | None = None
    exact: bool = True
    zero_level: int | None = 0


@dataclass
class OnnxImporter:
    model: onnx.ModelProto
    source: str
    input_type: str | None = None
    constants: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    zero_pads: dict[str, tuple[Value, tuple[int, ...]]] = field(default_factory=dict)
    consumers: dict[str, list[onnx.NodeProto]] = field(default_factory=dict)
    node: onnx.NodeProto | None = None
    where: str = ""

    def run(self) -> ModuleOp:
        graph = self.model.graph
        for init in graph.initializer:
            self.constants[init.name] = numpy_helper.to_array(init)
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        self._check_graph()
        block, arg_attrs = self._make_entry_block()
        self.builder = Builder(InsertPoint.at_end(block))
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

    def _input_kind(self, name: str) -> str:
        if self.input_type is not None:
            return self.input_type
        annotated = self._finn_datatypes().get(name)
        if annotated in _FINN_DATATYPES:
            return _FINN_DATATYPES[annotated]
        users = self._users(name)
        if not users:
            raise BnnirError(self.source, f"graph input '{name}' is not used by any node")
        if all(n.op_type in _FLOAT_CONSUMERS for n in users):
            return "f32"
        raise BnnirError(
            self.source,
            f"graph input '{name}' feeds {users[0].op_type} directly: say what it holds with "
            "--input-type ui8|si8|bipolar|binary",
        )

    def _users(self, name: str) -> list[onnx.NodeProto]:
        """The nodes reading tensor `name`, looking through Identity and Dropout."""
        users = []
        for node in self.consumers.get(name, []):
            if node.op_type in ("Identity", "Dropout") and node.output:
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
        if dims and dims[0] == 0:
            dims[0] = DYNAMIC_INDEX
        if any(d in (DYNAMIC_INDEX, 0) for d in dims[1:]):
            raise BnnirError(self.source, f"graph input '{graph_input.name}' must have static "
                             "dimensions except the batch")
        kind = self._input_kind(graph_input.name)
        element = f32 if kind == "f32" else INPUT_TYPES[kind]
        block = Block(arg_types=[TensorType(element, dims)])
        block.args[0].name_hint = _ssa_name(graph_input.name)
        self.values[graph_input.name] = Value(block.args[0], binary=kind == "binary")
        attrs: dict[str, Attribute] = {"bnn.onnx_name": StringAttr(graph_input.name)}
        if kind == "binary":
            attrs["bnn.encoding"] = StringAttr("binary")
        return block, [DictionaryAttr(attrs)]

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
            value = self.values[output.name]
            ssa = self._real(value).ssa if value.binary else value.ssa
            dtype = _ONNX_DTYPES.get(output.type.tensor_type.elem_type, "float32")
            results.append(ssa)
            attrs.append(DictionaryAttr({"bnn.onnx_name": StringAttr(output.name),
                                         "bnn.onnx_dtype": StringAttr(dtype)}))
        return results, attrs

    # -- helpers ------------------------------------------------------------

    def _insert(self, op: Operation, name: str | None = None) -> SSAValue:
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

    def _weights(self, pattern: np.ndarray, name: str) -> SSAValue:
        return self._insert(bnn.ConstantOp.from_bipolar(np.ascontiguousarray(pattern)), name)

    def _bind(self, name: str, ssa: SSAValue, binary: bool = False) -> None:
        self.values[name] = Value(ssa, binary)

    def _value(self, name: str) -> Value:
        if name in self.zero_pads:
            raise node_error(f"input '{name}' is a zero-padded bipolar tensor; bnnir supports zero "
                             "padding of bipolar tensors only as the input of a Conv")
        if name not in self.values:
            if name in self.constants:
                raise node_error(f"input '{name}' is a constant where bnnir expects an activation")
            raise node_error(f"input '{name}' is not computed by the supported nodes")
        return self.values[name]

    def _constant(self, name: str, what: str) -> np.ndarray:
        if name not in self.constants:
            raise node_error(f"{what} '{name}' must be a constant (initializer)")
        return self.constants[name]

    def _optional(self, node: onnx.NodeProto, index: int) -> str | None:
        """The name of an optional input, None if it is omitted."""
        return node.input[index] if len(node.input) > index and node.input[index] else None

    def _remark(self, what: str) -> None:
        remark(self.where or self.source, what)

    def _real(self, value: Value) -> Value:
        """A value whose IR equals its ONNX meaning: BINARY tensors become {0, 1} in f32."""
        if not value.binary:
            return value
        half = np.array([0.5], np.float32)
        return Value(self._insert(bnn.AffineOp(value.ssa, half, half)))

    def _layer_input(self, name: str) -> LayerInput:
        """The integer/bipolar levels a compute layer reads for its input `name`."""
        value = self._value(name)
        if value.binary:  # FINN BINARY: x = (v + 1) / 2 of the bipolar v
            return LayerInput(value, 0.5, 0.5, np.array([0.0, 1.0]), zero_level=-1)
        if not isinstance(value.element_type, Float32Type):
            return LayerInput(value)
        levels = trace_levels(value.ssa)
        if levels is None:
            raise node_error(
                f"input '{name}' is a real-valued (f32) tensor; layers need bipolar or integer "
                "inputs, or a scalar scale and offset of them (add a quantizer, or give "
                "--input-type for the graph input)"
            )
        values = levels.values()
        if values is None:  # a wide accumulator: exact for power-of-two scales below 2^24
            exact = levels.offset == 0 and float(np.frexp(levels.scale)[0]) in (0.5, -0.5)
        else:
            exact = levels.is_exact()
        return LayerInput(Value(levels.levels), levels.scale, levels.offset, values, exact,
                          levels.zero_level())

    def _layer_output(
        self, acc: SSAValue, layer_input: LayerInput, weights: np.ndarray, w_scale: np.ndarray
    ) -> SSAValue:
        """The ONNX result of a layer from its accumulator over the input levels:
        scale · acc + offset · rowsum(weights), then the weight magnitude. Remarks where
        onnxruntime's float32 sum may round differently."""
        rows = weights.reshape(len(weights), -1)
        out = acc
        if layer_input.offset:
            offset = (layer_input.offset * rows.sum(axis=1, dtype=np.int64)).astype(np.float32)
            offset += np.float32(0)  # an exact zero sum is +0, as onnxruntime's
            fused = layer_input.scale != 1
            scale = np.float32([layer_input.scale]) if fused else None
            out = self._insert(bnn.AffineOp(out, scale, offset, fused=fused))
        elif layer_input.scale != 1:
            out = self._insert(bnn.AffineOp(out, np.float32([layer_input.scale])))
        if not np.all(w_scale == 1):
            out = self._insert(bnn.AffineOp(out, w_scale))
        self._remark_inexact(layer_input, w_scale, rows.shape[1])
        return out

    def _remark_inexact(self, layer_input: LayerInput, w_scale: np.ndarray, fan_in: int) -> None:
        terms = np.multiply.outer(_input_values(layer_input), w_scale.astype(np.float64))
        if layer_input.exact and exact_float_sums(terms, fan_in):
            return
        parts = []
        if layer_input.offset:
            parts.append(f"scale {layer_input.scale:.9g} and offset {layer_input.offset:.9g} of "
                         "the input")
        elif layer_input.scale != 1:
            parts.append(f"input scale {layer_input.scale:.9g}")
        if not np.all(w_scale == 1):
            parts.append(f"weight scale {w_scale.reshape(-1)[0]:.9g}"
                         + (" (per channel)" if w_scale.size > 1 else ""))
        if parts:
            self._remark(f"{' and '.join(parts)} applied after the integer layer: results can "
                         "differ from onnxruntime in the last float bit, and so flip a sign or "
                         "threshold that follows (power-of-two scales are exact)")
        else:  # integer terms whose sums outgrow float32's 24-bit significand
            bound = int(np.abs(terms).max()) * fan_in
            self._remark(f"the accumulator reaches {bound} over {fan_in} inputs, past 2^24: "
                         "onnxruntime's float32 sums round there, bnnir's integer sums do not, "
                         "so results can differ from onnxruntime")

    def _channel_constant(self, constant: np.ndarray, value: Value) -> np.ndarray:
        """A constant operand of an elementwise op as a scalar or per-channel (axis 1) vector."""
        c = np.asarray(constant, dtype=np.float32)
        rank, channels = len(value.shape), value.shape[1]
        if c.ndim > rank:
            raise node_error(f"constant of shape [{bnn.shape_str(c.shape)}] has a higher rank "
                             f"than the tensor of shape [{bnn.shape_str(value.shape)}]; bnnir "
                             "keeps a tensor's rank through elementwise ops")
        if c.size == 1:
            return c.reshape(1)
        full = (1,) * (rank - c.ndim) + c.shape
        per_channel = tuple(channels if i == 1 else 1 for i in range(rank))
        if len(full) == rank and full == per_channel:
            return c.reshape(channels)
        raise node_error(f"constant of shape [{bnn.shape_str(c.shape)}] is neither a scalar nor "
                         f"per-channel for a tensor of shape [{bnn.shape_str(value.shape)}]")

    # -- dispatch -------------------------------------------------------------

    def _import_node(self, node: onnx.NodeProto) -> None:
        if node.domain not in ("", "ai.onnx") and node.domain not in QONNX_DOMAINS:
            raise node_error(f"unsupported domain '{node.domain}'")
        check_inputs(node)
        present = [n for n in node.input if n]
        if node.op_type == "Constant" or (present and all(n in self.constants for n in present)):
            self._fold(node)
            return
        handler = _IMPORTERS.get(node.op_type)
        if handler is None:
            only_constant = ", ".join(sorted(CONSTANT_OPS - set(_IMPORTERS)))
            raise node_error(f"unsupported op; bnnir supports {', '.join(sorted(_IMPORTERS))}, "
                             f"and {only_constant} on constants (weights, shapes)")
        handler(self, node)

    def _fold(self, node: onnx.NodeProto) -> None:
        args = [self.constants[n] if n else None for n in node.input]
        results = fold_constant(node, args)
        for name, result in zip(node.output, results, strict=False):
            if name:
                self.constants[name] = result

    # -- layers ---------------------------------------------------------------

    def _conv(self, node: onnx.NodeProto) -> None:
        attrs = node_attributes(node)
        if int(attrs.get("group", 1)) != 1:
            raise node_error("grouped convolutions are not supported (group must be 1)")
        if any(d != 1 for d in int_attribute_list(attrs, "dilations", 2, 1, [1, 1])):
            raise node_error("dilated convolutions are not supported")
        raw = self._constant(node.input[1], "weights")
        if raw.ndim != 4:
            raise node_error(f"only 2-D convolutions are supported, weights have shape "
                             f"{list(raw.shape)}")
        layer_input = self._conv_input(node.input[0])
        self._require_rank(layer_input.levels, 4)
        weights, w_scale = binary_weights(raw, 0)
        strides = int_attribute_list(attrs, "strides", 2, 1, [1, 1])
        pads = self._conv_pads(node, layer_input.levels, raw.shape[2:], strides)
        properties: dict[str, Attribute] = {}
        if any(pads) and layer_input.zero_level != 0:
            properties["pad_value"] = IntegerAttr(self._pad_level(layer_input), i64)
        w = self._weights(weights, node.input[1])
        op = bnn.Conv2dOp(layer_input.levels.ssa, w, strides, pads, properties=properties)
        out = self._layer_output(self._insert(op), layer_input, weights, w_scale)
        self._bind(node.output[0], self._bias(node, out, 2))

    def _pad_level(self, layer_input: LayerInput) -> int:
        if layer_input.zero_level is None:
            raise node_error(
                f"zero padding of an input {layer_input.scale:.9g} · q + "
                f"{layer_input.offset:.9g} has no integer level q to pad with; pad the input "
                "explicitly or drop the offset"
            )
        return layer_input.zero_level

    def _conv_input(self, name: str) -> LayerInput:
        if name in self.zero_pads:
            padded, _ = self.zero_pads[name]
            return LayerInput(padded)
        return self._layer_input(name)

    def _conv_pads(
        self, node: onnx.NodeProto, value: Value, kernel: Sequence[int], strides: list[int]
    ) -> list[int]:
        """The conv's pads, plus those of an explicit zero Pad before it (which auto_pad sees as
        part of the input)."""
        _, extra = self.zero_pads.get(node.input[0], (value, (0, 0, 0, 0)))
        top, left, bottom, right = extra
        height, width = value.shape[2:]
        padded = (height + top + bottom, width + left + right)
        pads = _window_pads(node_attributes(node), padded, kernel, strides)
        return [a + b for a, b in zip(pads, extra, strict=True)]

    def _bias(self, node: onnx.NodeProto, ssa: SSAValue, index: int) -> SSAValue:
        name = self._optional(node, index)
        if name is None:
            return ssa
        bias = self._constant(name, "bias").astype(np.float32).reshape(-1)
        channels = bnn.tensor_type(ssa).get_shape()[1]
        if bias.size != channels:
            raise node_error(f"bias has {bias.size} values for {channels} output channels")
        if not np.any(bias):
            return ssa
        return self._insert(bnn.AffineOp(ssa, offset=bias))

    def _dense_weights(self, name: str, transposed: bool) -> tuple[np.ndarray, np.ndarray]:
        """Binary weights [in, out] (or [out, in] if `transposed`) as ±1 rows [out, in] and
        their magnitudes."""
        raw = self._constant(name, "weights")
        if raw.ndim != 2:
            raise node_error(f"weights must be a matrix, got shape {list(raw.shape)}")
        pattern, scale = binary_weights(raw, 0 if transposed else 1)
        return (pattern if transposed else pattern.T), scale

    def _matmul(self, node: onnx.NodeProto) -> None:
        if node.input[0] in self.constants:
            raise node_error("the constant must be the second MatMul operand (x @ W)")
        layer_input = self._layer_input(node.input[0])
        self._require_rank(layer_input.levels, 2)
        weights, w_scale = self._dense_weights(node.input[1], False)
        acc = self._insert(bnn.DenseOp(layer_input.levels.ssa, self._weights(weights,
                                                                             node.input[1])))
        self._bind(node.output[0], self._layer_output(acc, layer_input, weights, w_scale))

    def _gemm(self, node: onnx.NodeProto) -> None:
        """Y = alpha · (A @ B) + beta · C: onnxruntime adds fl(beta · C) to alpha · acc in one
        fused multiply-add (MLAS's epilogue), which a fused `bnn.affine` reproduces."""
        attrs = node_attributes(node)
        if int(attrs.get("transA", 0)):
            raise node_error("Gemm with transA=1 reads the activations transposed (batch on "
                             "axis 1); bnnir needs the batch first (transA=0)")
        layer_input = self._layer_input(node.input[0])
        self._require_rank(layer_input.levels, 2)
        weights, w_scale = self._dense_weights(node.input[1], bool(int(attrs.get("transB", 0))))
        acc = self._insert(bnn.DenseOp(layer_input.levels.ssa, self._weights(weights,
                                                                             node.input[1])))
        out = self._layer_output(acc, layer_input, weights, w_scale)
        alpha = np.float32(attrs.get("alpha", 1.0))
        bias = self._gemm_bias(node, len(weights), np.float32(attrs.get("beta", 1.0)))
        self._remark_blocked_epilogue(layer_input, w_scale, alpha, bias, weights.shape[1])
        if bias is not None and alpha != 1:
            out = self._insert(bnn.AffineOp(out, np.float32([alpha]), bias, fused=True))
        elif bias is not None:
            out = self._insert(bnn.AffineOp(out, offset=bias))
        elif alpha != 1:
            out = self._insert(bnn.AffineOp(out, np.float32([alpha])))
        self._bind(node.output[0], out)

    def _gemm_bias(self, node: onnx.NodeProto, outputs: int, beta: np.float32) -> np.ndarray | None:
        """fl(beta · C) as one value or one per output, None if absent or zero."""
        name = self._optional(node, 2)
        if name is None or beta == 0:
            return None
        c = self._constant(name, "bias").astype(np.float32)
        if c.size not in (1, outputs) or c.ndim > 2 or (c.ndim == 2 and c.shape[0] != 1):
            raise node_error(f"Gemm bias C must be a scalar or hold one value per output "
                             f"({outputs}), got shape {list(c.shape)}")
        c = (c * beta).astype(np.float32).reshape(-1)
        return c if np.any(c) else None

    def _remark_blocked_epilogue(
        self, layer_input: LayerInput, w_scale: np.ndarray, alpha: np.float32,
        bias: np.ndarray | None, fan_in: int,
    ) -> None:
        """Remark when onnxruntime's Gemm can round alpha · acc + beta · C differently from one
        fused multiply-add: MLAS adds each block of MLAS_K_BLOCK inputs to the output with its
        own rounding, which is exact only if every partial result is a float32."""
        if fan_in <= MLAS_K_BLOCK or (alpha == 1 and bias is None):
            return
        products = np.multiply.outer(_input_values(layer_input), w_scale).reshape(-1) * alpha
        terms = products if bias is None else np.concatenate([products, bias])
        if exact_float_sums(terms, fan_in + 1):
            return
        self._remark(f"alpha · acc + beta · C rounded once, where onnxruntime rounds once per "
                     f"{MLAS_K_BLOCK} of the {fan_in} inputs: results can differ from onnxruntime "
                     "in the last float bit")

    def _xnor_popcount(self, node: onnx.NodeProto) -> None:
        value = self._value(node.input[0])
        if not (bnn.is_bipolar(value.element_type) and value.binary):
            raise node_error("XnorPopcountMatMul needs a BINARY {0, 1} input tensor")
        self._require_rank(value, 2)
        raw = self._constant(node.input[1], "weights")
        if raw.ndim != 2:
            raise node_error(f"weights must be a matrix, got shape {list(raw.shape)}")
        if not np.all((raw == 0) | (raw == 1)):
            raise node_error("XnorPopcountMatMul weights must be BINARY {0, 1}")
        weights = (raw.T * 2 - 1).astype(np.int8)
        w = self._weights(weights, node.input[1])
        acc = self._insert(bnn.DenseOp(value.ssa, w))
        # popcount of matching bits P = (d + K) / 2, exact in float32
        k = np.array([weights.shape[1] / 2], np.float32)
        self._bind(node.output[0], self._insert(bnn.AffineOp(acc, np.float32([0.5]), k)))

    def _require_rank(self, value: Value, rank: int) -> None:
        if len(value.shape) != rank:
            hint = " (add a Flatten)" if rank == 2 else ""
            raise node_error(f"expected a rank-{rank} input, got shape "
                             f"{bnn.shape_str(value.shape)}{hint}")

    # -- activations ----------------------------------------------------------

    def _batch_norm(self, node: onnx.NodeProto) -> None:
        attrs = node_attributes(node)
        if int(attrs.get("training_mode", 0)):
            raise node_error("BatchNormalization in training mode is not supported")
        value = self._real(self._value(node.input[0]))
        gamma, beta, mean, var = (
            self._constant(n, what).astype(np.float32).reshape(-1)
            for n, what in zip(node.input[1:5], ("scale", "B", "mean", "var"), strict=True)
        )
        eps = float(attrs.get("epsilon", 1e-5))
        op = bnn.BatchNormOp(value.ssa, gamma, beta, mean, var, eps)
        self._bind(node.output[0], self._insert(op))

    def _sign(self, node: onnx.NodeProto) -> None:
        value = self._real(self._value(node.input[0]))
        self._bind(node.output[0], self._insert(bnn.SignOp(value.ssa)))

    def _bipolar_quant(self, node: onnx.NodeProto) -> None:
        value = self._real(self._value(node.input[0]))
        scale = self._constant(node.input[1], "scale").astype(np.float32)
        if scale.size != 1:
            raise node_error("BipolarQuant activations need a scalar scale")
        if not np.isfinite(scale).all() or scale.reshape(-1)[0] <= 0:
            raise node_error(f"BipolarQuant scale must be positive and finite, got "
                             f"{scale.reshape(-1)[0]}")
        out = self._insert(bnn.SignOp(value.ssa))
        self._bind(node.output[0], self._scale_after(out, scale.reshape(1)))

    def _scale_after(self, ssa: SSAValue, scale: np.ndarray) -> SSAValue:
        if np.all(scale == 1):
            return ssa
        return self._insert(bnn.AffineOp(ssa, scale))

    def _quant(self, node: onnx.NodeProto) -> None:
        """QONNX Quant: levels q = quantize(x) by exact thresholds, out = (q − zeropt) · scale.
        The thresholds produce q − zeropt directly (an integer for an integer zero point)."""
        value = self._real(self._value(node.input[0]))
        args = [np.zeros(1, np.float32)] + [
            self._constant(n, what) for n, what in zip(
                node.input[1:4], ("scale", "zeropt", "bitwidth"), strict=True)
        ]
        quantizer = quantizer_of(node, args)
        if not quantizer.is_bipolar and quantizer.bit_width > MAX_ACTIVATION_BITS:
            raise node_error(f"a {quantizer.bit_width}-bit Quant of activations needs "
                             f"2^{quantizer.bit_width} - 1 thresholds per channel; bnnir "
                             f"supports at most {MAX_ACTIVATION_BITS} bits")
        if len(value.shape) not in (2, 4):
            raise node_error(f"expected a rank-2 or rank-4 input, got shape "
                             f"{bnn.shape_str(value.shape)}")
        channels = value.shape[1]
        scale = self._channel_constant(quantizer.scale, value)
        zeropt = self._channel_constant(quantizer.zeropt, value)
        thresholds = level_thresholds(
            IntQuantizer(scale, zeropt, quantizer.bit_width, quantizer.signed,
                         quantizer.narrow, quantizer.rounding_mode),
            channels,
        )
        if np.all(thresholds == thresholds[:1]):
            thresholds = thresholds[:1]
        if quantizer.is_bipolar:
            out = self._threshold(value, thresholds, bnn.bipolar)
            if np.any(zeropt):  # QONNX: (±1 − zeropt) · scale, in two float32 steps
                out = self._insert(bnn.AffineOp(out, offset=-zeropt))
            self._bind(node.output[0], self._scale_after(out, scale))
            return
        if np.any(zeropt != np.round(zeropt)) or np.any(np.abs(zeropt) >= 1 << 24):
            raise node_error("Quant with a zero point that is not an integer below 2^24 in "
                             "magnitude is not supported")
        shift = int(zeropt[0]) if zeropt.size == 1 else 0
        low, high = quantizer.min_int - shift, quantizer.max_int - shift
        out = self._threshold(value, thresholds, _integer_type(low, high), low)
        if zeropt.size > 1 and np.any(zeropt):  # per channel: q − zeropt in float32
            out = self._insert(bnn.AffineOp(out, offset=-zeropt))
        self._bind(node.output[0], self._scale_after(out, scale))

    def _threshold(
        self, value: Value, thresholds: np.ndarray, element: Attribute, bias: int = 0
    ) -> SSAValue:
        """A `bnn.threshold`; a single zero threshold on f32 is simply `bnn.sign`."""
        is_float = isinstance(value.element_type, Float32Type)
        if element == bnn.bipolar and is_float and np.all(thresholds == 0):
            return self._insert(bnn.SignOp(value.ssa))
        if is_float:
            attr = bnn.dense_from_numpy(thresholds.astype(np.float32), f32)
        else:
            # integer inputs: x >= t  <=>  x >= ceil(t)
            low, high = np.iinfo(np.int32).min, np.iinfo(np.int32).max
            ints = np.clip(np.ceil(thresholds.astype(np.float64)), low, high).astype(np.int32)
            attr = bnn.dense_from_numpy(ints, bnn.si32)
        return self._insert(bnn.ThresholdOp(value.ssa, attr, element, bias))

    def _multithreshold(self, node: onnx.NodeProto) -> None:
        """QONNX MultiThreshold: out_scale · count(v >= t_i) + out_bias."""
        attrs = node_attributes(node)
        layout = as_str(attrs.get("data_layout", "NCHW"))
        value = self._real(self._value(node.input[0]))
        if layout != "NCHW" and len(value.shape) != 2:
            raise node_error(f"MultiThreshold data_layout '{layout}' is not supported (use NCHW)")
        thresholds = self._constant(node.input[1], "thresholds").astype(np.float32)
        if thresholds.ndim != 2 or thresholds.shape[0] not in (1, value.shape[1]):
            raise node_error(f"thresholds must have shape [C, T] or [1, T], got "
                             f"{list(thresholds.shape)}")
        if np.isnan(thresholds).any():
            raise node_error("thresholds must not be NaN")
        if np.any(np.diff(thresholds, axis=1) < 0):
            raise node_error("thresholds must be sorted ascending per channel")
        steps = thresholds.shape[1]
        scale, bias = float(attrs.get("out_scale", 1.0)), float(attrs.get("out_bias", 0.0))
        if not (np.isfinite(scale) and np.isfinite(bias)):
            raise node_error("MultiThreshold out_scale and out_bias must be finite")
        if steps == 1 and (scale, bias) in ((2.0, -1.0), (1.0, 0.0)):
            out = self._threshold(value, thresholds, bnn.bipolar)
            self._bind(node.output[0], out, binary=(scale, bias) == (1.0, 0.0))
            return
        if scale == 1.0 and bias == int(bias) and abs(bias) < 1 << 24:
            element = _integer_type(int(bias), int(bias) + steps)
            self._bind(node.output[0], self._threshold(value, thresholds, element, int(bias)))
            return
        out = self._threshold(value, thresholds, _integer_type(0, steps))
        op = bnn.AffineOp(out, np.float32([scale]), np.float32([bias]) if bias else None)
        self._bind(node.output[0], self._insert(op))

    def _elementwise(self, node: onnx.NodeProto) -> None:
        """Mul, Div, Add or Sub of an activation and a constant (a scalar or one value per
        channel) as one float32 step; c − x is (−1) · x + c, exact as onnxruntime's."""
        op, (a, b) = node.op_type, node.input[:2]
        if a not in self.constants and b not in self.constants:
            raise node_error(f"{op} of two activations is not supported; one operand must be "
                             "a constant")
        if a in self.constants and op == "Div":
            raise node_error("Div(constant, tensor) computes c / x, which is not an affine "
                             "function of x; bnnir supports Div(tensor, constant)")
        constant_first = a in self.constants
        value = self._real(self._value(b if constant_first else a))
        c = self._channel_constant(self.constants[a] if constant_first
                                   else self._constant(b, "operand"), value)
        match op:
            case "Mul":
                affine = bnn.AffineOp(value.ssa, scale=c)
            case "Div":
                affine = bnn.AffineOp(value.ssa, scale=c, divide=True)
            case "Add":
                affine = bnn.AffineOp(value.ssa, offset=c)
            case _ if constant_first:  # Sub(c, x)
                affine = bnn.AffineOp(value.ssa, np.float32([-1]), c)
            case _:  # Sub(x, c)
                affine = bnn.AffineOp(value.ssa, offset=-c)
        self._bind(node.output[0], self._insert(affine))

    def _neg(self, node: onnx.NodeProto) -> None:
        value = self._real(self._value(node.input[0]))
        self._bind(node.output[0], self._insert(bnn.AffineOp(value.ssa, np.float32([-1]))))

    # -- data movement --------------------------------------------------------

    def _max_pool(self, node: onnx.NodeProto) -> None:
        attrs = node_attributes(node)
        value = self._value(node.input[0])
        self._require_rank(value, 4)
        kernel = int_attribute_list(attrs, "kernel_shape", 2, 1)
        strides = int_attribute_list(attrs, "strides", 2, 1, [1, 1])
        if any(d != 1 for d in int_attribute_list(attrs, "dilations", 2, 1, [1, 1])):
            raise node_error("dilated MaxPool is not supported")
        if len(node.output) > 1 and node.output[1]:
            raise node_error("MaxPool indices output is not supported")
        pads = _window_pads(attrs, value.shape[2:], kernel, strides)
        if int(attrs.get("ceil_mode", 0)):
            pads = _ceil_mode_pads(value.shape[2:], kernel, strides, pads)
        levels = trace_levels(value.ssa)
        if levels is not None and all(_rising(step) for step in levels.steps):
            # max commutes with a rising function of the levels: pool the integers, so that a
            # following layer still reads levels (Brevitas' Quant → MaxPool → Conv)
            pooled = self._insert(bnn.MaxPoolOp(levels.levels, kernel, strides, pads))
            self._bind(node.output[0], self._applied(levels.steps, pooled))
            return
        op = bnn.MaxPoolOp(value.ssa, kernel, strides, pads)
        self._bind(node.output[0], self._insert(op), value.binary)

    def _pad(self, node: onnx.NodeProto) -> None:
        attrs = node_attributes(node)
        value = self._value(node.input[0])
        if as_str(attrs.get("mode", "constant")) != "constant":
            raise node_error(f"only constant padding is supported, got mode "
                             f"'{as_str(attrs['mode'])}'")
        self._require_rank(value, 4)
        pads, fill = self._pad_operands(node, 4)
        if any(pads[i] for i in (0, 1, 4, 5)):
            raise node_error("only padding of the spatial dimensions of an NCHW tensor is "
                             "supported")
        if any(p < 0 for p in pads):
            raise node_error("negative pads (cropping) are not supported")
        spatial = (pads[2], pads[3], pads[6], pads[7])
        element = value.element_type
        if not isinstance(element, IntegerType):
            raise node_error("padding of real-valued tensors is not supported")
        if not np.isfinite(fill) or fill != int(fill):
            raise node_error(f"pad value {fill} is not an integer")
        fill = int(fill)
        if bnn.is_bipolar(element):
            bipolar_fill = 2 * fill - 1 if value.binary else fill
            if bipolar_fill == 0:
                self.zero_pads[node.output[0]] = (value, spatial)
                return
            if bipolar_fill in (-1, 1):
                op = bnn.PadOp(value.ssa, spatial, bipolar_fill)
                self._bind(node.output[0], self._insert(op), value.binary)
                return
            value = Value(self._bipolar_as_integers(value, fill))
            element = value.element_type
        assert isinstance(element, IntegerType)
        low, high = bnn.integer_range(element)
        if not low <= fill <= high:
            raise node_error(f"pad value {fill} is not representable in {element}")
        self._bind(node.output[0], self._insert(bnn.PadOp(value.ssa, spatial, fill)))

    def _bipolar_as_integers(self, value: Value, fill: int) -> SSAValue:
        """A bipolar tensor as the integers it means (−1/+1, or 0/1 for BINARY) in a type that
        also holds `fill`: two equal thresholds at 0 count 0 or 2, minus 1."""
        low, high = (0, 1) if value.binary else (-1, 1)
        element = _integer_type(min(low, fill), max(high, fill))
        steps = 1 if value.binary else 2
        thresholds = bnn.dense_from_numpy(np.zeros((1, steps), np.int32), bnn.si32)
        return self._insert(bnn.ThresholdOp(value.ssa, thresholds, element, low))

    def _pad_operands(self, node: onnx.NodeProto, rank: int) -> tuple[list[int], float]:
        attrs = node_attributes(node)
        pads_name = self._optional(node, 1)
        if pads_name is not None:
            pads = [int(p) for p in self._constant(pads_name, "pads").reshape(-1)]
            fill_name = self._optional(node, 2)
            fill = 0.0
            if fill_name is not None:
                fill_value = self._constant(fill_name, "constant_value").reshape(-1)
                fill = float(fill_value[0]) if fill_value.size else 0.0
            axes_name = self._optional(node, 3)
            if axes_name is not None:
                axes = [int(a) for a in self._constant(axes_name, "axes").reshape(-1)]
                if len(pads) != 2 * len(axes) or any(not -rank <= a < rank for a in axes):
                    raise node_error(f"pads {pads} do not match axes {axes} of a rank-{rank} "
                                     "tensor")
                full = [0] * (2 * rank)
                for i, axis in enumerate(a % rank for a in axes):
                    full[axis], full[axis + rank] = pads[i], pads[i + len(axes)]
                pads = full
        else:
            pads = [int(p) for p in attrs.get("pads", [])]
            fill = float(attrs.get("value", 0.0))
        if len(pads) != 2 * rank:
            raise node_error(f"expected {2 * rank} pads, got {len(pads)}")
        return pads, fill

    def _flatten(self, node: onnx.NodeProto) -> None:
        value = self._value(node.input[0])
        axis = int(node_attributes(node).get("axis", 1))
        if axis not in (1, 1 - len(value.shape)):
            raise node_error(f"only Flatten with axis=1 (after the batch) is supported, got "
                             f"axis={axis}")
        shape = value.shape
        self._bind(node.output[0], self._reshaped(value, [int(np.prod(shape[1:]))]),
                   value.binary)

    def _reshape(self, node: onnx.NodeProto) -> None:
        value = self._value(node.input[0])
        target = [int(t) for t in self._constant(node.input[1], "shape").reshape(-1)]
        if target and target[0] == DYNAMIC_BATCH:  # the batch, from Shape of an activation
            target[0] = 0
        if DYNAMIC_BATCH in target:
            raise node_error("Reshape moves the dynamic batch dimension; bnnir keeps the batch "
                             "first")
        shape = value.shape
        if any(t == 0 for t in target[len(shape):]):
            raise node_error(f"Reshape target {target} copies (0) a dimension the input "
                             f"{bnn.shape_str(shape)} does not have")
        batch_kept = target and (target[0] == 0 or (target[0] == shape[0] != DYNAMIC_INDEX)
                                 or (target[0] == -1 and -1 not in target[1:]))
        if not batch_kept:
            raise node_error(f"Reshape to {target} must keep the batch dimension first "
                             "(use 0 or -1 there)")
        rest = reshape_target(shape[1:], target[1:]) if target[1:] else []
        if int(np.prod(rest)) != int(np.prod(shape[1:])):
            raise node_error(f"cannot reshape {bnn.shape_str(shape)} to {target}")
        self._bind(node.output[0], self._reshaped(value, rest), value.binary)

    def _reshaped(self, value: Value, rest: list[int]) -> SSAValue:
        """`value` reshaped to [batch, *rest]. Scalar scales and offsets of integer levels move
        behind the reshape (they commute with it), so a following layer still reads levels."""
        if rest == list(value.shape[1:]):
            return value.ssa
        levels = trace_levels(value.ssa)
        source = value.ssa if levels is None else levels.levels
        source_type = bnn.tensor_type(source)
        out_type = TensorType(source_type.element_type, [source_type.get_shape()[0], *rest])
        op = bnn.FlattenOp(source) if len(rest) == 1 else bnn.ReshapeOp(source, out_type)
        return self._applied(() if levels is None else levels.steps, self._insert(op))

    def _applied(self, steps: Sequence[bnn.AffineOp], value: SSAValue) -> SSAValue:
        """`value` through copies of the scalar affine `steps`."""
        for step in steps:
            value = self._insert(bnn.AffineOp(
                value,
                None if step.scale is None else bnn.dense_to_numpy(step.scale),
                None if step.offset is None else bnn.dense_to_numpy(step.offset),
                divide=step.divide is not None,
                fused=step.fused is not None,
            ))
        return value

    def _shape(self, node: onnx.NodeProto) -> None:
        """Shape of an activation: its static dimensions, the dynamic batch as a marker that
        shape arithmetic (Gather, Concat, ...) carries to a Reshape."""
        value = self._value(node.input[0])
        attrs = node_attributes(node)
        start, end = int(attrs.get("start", 0)), attrs.get("end")
        dims = activation_shape(value.shape, DYNAMIC_INDEX)
        self.constants[node.output[0]] = dims[start:None if end is None else int(end)]

    def _identity(self, node: onnx.NodeProto) -> None:
        if node.input[0] in self.zero_pads:  # a zero pad waiting for its conv
            self.zero_pads[node.output[0]] = self.zero_pads[node.input[0]]
            return
        value = self._value(node.input[0])
        self._bind(node.output[0], value.ssa, value.binary)

    def _transpose(self, node: onnx.NodeProto) -> None:
        value = self._value(node.input[0])
        perm = list(node_attributes(node).get("perm", []))
        if perm != list(range(len(value.shape))):
            raise node_error("transposing activations is not supported (only constants)")
        self._bind(node.output[0], value.ssa, value.binary)

    def _top_k(self, node: onnx.NodeProto) -> None:
        """TopK with k = 1 as a label select: its indices output is the arg max."""
        attrs = node_attributes(node)
        k = self._constant(node.input[1], "k").reshape(-1)
        if k.size != 1 or int(k[0]) != 1 or int(attrs.get("largest", 1)) != 1:
            raise node_error("TopK is supported as label select only (k=1, largest=1)")
        if node.output[0] in self.consumers or self._is_graph_output(node.output[0]):
            raise node_error("the TopK values output is not supported; use its indices")
        if len(node.output) < 2 or not node.output[1]:
            raise node_error("TopK needs its indices output (the label)")
        self._arg_max_along(node, int(attrs.get("axis", -1)), node.output[1], keep=True)

    def _arg_max(self, node: onnx.NodeProto) -> None:
        attrs = node_attributes(node)
        if int(attrs.get("select_last_index", 0)):
            raise node_error("ArgMax with select_last_index=1 is not supported")
        self._arg_max_along(node, int(attrs.get("axis", 0)), node.output[0],
                            keep=bool(attrs.get("keepdims", 1)))

    def _arg_max_along(self, node: onnx.NodeProto, axis: int, out_name: str, keep: bool) -> None:
        """`bnn.arg_max` of the node's input along `axis` (the class axis 1 of [N, C]), bound to
        `out_name`, with the axis kept as [N, 1] or dropped as [N]."""
        value = self._real(self._value(node.input[0]))
        self._require_rank(value, 2)
        if axis % 2 != 1:
            raise node_error(f"label select must work along the class axis 1, got axis {axis}")
        out = self._insert(bnn.ArgMaxOp(value.ssa), out_name)
        if not keep:
            n = value.shape[0]
            out = self._insert(bnn.ReshapeOp(out, TensorType(bnn.si64, [n])), out_name)
        self._bind(out_name, out)

    def _is_graph_output(self, name: str) -> bool:
        return any(o.name == name for o in self.model.graph.output)


def _check_finite_affine(op: bnn.AffineOp) -> None:
    """A scale or offset from the model must be finite (inf or NaN would make NaN from finite
    accumulators, whose max-pooling onnxruntime does not define), and a divisor non-zero."""
    for what, attr in (("scale", op.scale), ("offset", op.offset)):
        if attr is None:
            continue
        values = bnn.dense_to_numpy(attr)
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
        var = bnn.dense_to_numpy(op.var)
        denominator = var[c % var.size] + np.float32(op.epsilon.value.data)
        raise node_error(
            f"channel {c} has var + epsilon = {denominator:.9g}, so its float32 scale "
            f"gamma / sqrt(var + epsilon) is {scale[c]:.9g} and its offset {bias[c]:.9g}; "
            "bnnir needs both finite (var + epsilon > 0, no overflow)")


def _rising(step: bnn.AffineOp) -> bool:
    """Whether a float32 affine step never decreases: its scale (or divisor) is positive."""
    return step.scale is None or bool(np.all(bnn.dense_to_numpy(step.scale) > 0))


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


def _input_values(layer_input: LayerInput) -> np.ndarray:
    """The values of a layer input as onnxruntime multiplies them, or for too many levels the
    extremes and the unit of their scaled integers (what bounds an exact float32 sum)."""
    if layer_input.values is not None:
        return layer_input.values.astype(np.float64)
    lows, highs = integer_bounds(layer_input.levels.ssa)  # the range it takes, not its type's
    low, high = float(lows.min()), float(highs.max())
    return layer_input.scale * np.array([1.0, low, high]) + layer_input.offset


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


def _window_pads(
    attrs: dict[str, Any], spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int]
) -> list[int]:
    """A Conv's or MaxPool's pads (top, left, bottom, right) from `pads` or `auto_pad`."""
    auto_pad = as_str(attrs.get("auto_pad", "NOTSET"))
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return _same_pads(spatial, kernel, strides, auto_pad == "SAME_UPPER")
    if auto_pad == "NOTSET":
        return int_attribute_list(attrs, "pads", 4, 0, [0, 0, 0, 0])
    if auto_pad == "VALID":
        return [0, 0, 0, 0]
    raise node_error(f"unknown auto_pad '{auto_pad}'")


def _same_pads(
    spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int], upper: bool
) -> list[int]:
    before, after = [], []
    for size, k, s in zip(spatial, kernel, strides, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        small, large = total // 2, total - total // 2
        before.append(small if upper else large)
        after.append(large if upper else small)
    return [before[0], before[1], after[0], after[1]]


def _ceil_mode_pads(
    spatial: Sequence[int], kernel: Sequence[int], strides: Sequence[int], pads: Sequence[int]
) -> list[int]:
    """Pads that make floor-mode pooling equal ONNX's ceil_mode=1: extra bottom/right padding
    for the last, partial window, which must start inside the input or the top/left padding
    (ONNX and PyTorch drop a window that would start in the bottom/right padding). Padded taps
    never win a max, so the extra padding changes nothing else."""
    extended = list(pads)
    for axis, (size, k, s) in enumerate(zip(spatial, kernel, strides, strict=True)):
        before, after = pads[axis], pads[axis + 2]
        out = -(-(size + before + after - k) // s) + 1
        if (out - 1) * s >= size + before:
            out -= 1
        extended[axis + 2] = max(after, (out - 1) * s + k - size - before)
    return extended


def _integer_type(low: int, high: int) -> IntegerType:
    """The narrowest signed/unsigned integer type holding low..high."""
    if low >= 0:
        return IntegerType(max(int(high).bit_length(), 1), Signedness.UNSIGNED)
    width = max(int(high).bit_length(), int(-low - 1).bit_length()) + 1
    return IntegerType(width, Signedness.SIGNED)


_IMPORTERS: dict[str, Callable[[OnnxImporter, onnx.NodeProto], None]] = {
    "Conv": OnnxImporter._conv,
    "MatMul": OnnxImporter._matmul,
    "Gemm": OnnxImporter._gemm,
    "XnorPopcountMatMul": OnnxImporter._xnor_popcount,
    "BatchNormalization": OnnxImporter._batch_norm,
    "Sign": OnnxImporter._sign,
    "BipolarQuant": OnnxImporter._bipolar_quant,
    "Quant": OnnxImporter._quant,
    "MultiThreshold": OnnxImporter._multithreshold,
    "Mul": OnnxImporter._elementwise,
    "Div": OnnxImporter._elementwise,
    "Add": OnnxImporter._elementwise,
    "Sub": OnnxImporter._elementwise,
    "Neg": OnnxImporter._neg,
    "MaxPool": OnnxImporter._max_pool,
    "Pad": OnnxImporter._pad,
    "Flatten": OnnxImporter._flatten,
    "Reshape": OnnxImporter._reshape,
    "Identity": OnnxImporter._identity,
    "Dropout": OnnxImporter._identity,
    "Transpose": OnnxImporter._transpose,
    "Shape": OnnxImporter._shape,
    "TopK": OnnxImporter._top_k,
    "ArgMax": OnnxImporter._arg_max,
}
