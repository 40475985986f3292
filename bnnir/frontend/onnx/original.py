"""The original model run by its own runtime, for `bnn-compile --verify`: onnxruntime (graph
optimizations off, CPU) for plain ONNX, qonnx's `execute_onnx` after `cleanup_model` for QONNX
and FINN-ONNX. Both are optional: without them the comparison is skipped.

The imported module equals the original bit for bit except in the semantic contract's documented
cases, which the comparison names per row:
* Sign ties: ONNX `Sign(0) = 0`, `bnn.sign(0) = +1`; a row is a tie when a Sign node's input
  holds an exact 0 for it (read from the runtime's intermediate tensors);
* Gemm blocks: onnxruntime rounds alpha · acc + beta · C once per 256 inputs, bnnir once; a row
  differing without a Sign tie in a model with such a Gemm.
Any other difference is a real mismatch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper

from bnnir.frontend.onnx.importer import QONNX_DOMAINS, InputScale
from bnnir.frontend.onnx.layers import MLAS_K_BLOCK
from bnnir.frontend.onnx.model import load_model

SIGN_TIE = "Sign ties (ONNX Sign(0) = 0, bnn.sign(0) = +1)"
GEMM_BLOCKS = f"Gemm blocks over {MLAS_K_BLOCK} inputs (onnxruntime rounds once per block)"


@dataclass(frozen=True)
class Comparison:
    """The imported module's rows against the original's: `documented` maps a differing row to
    the contract's case that explains it, `mismatched` lists the rows no case explains."""

    runtime: str
    rows: int
    documented: dict[int, str] = field(default_factory=dict)
    mismatched: tuple[int, ...] = ()


def original_input(
    model: onnx.ModelProto, x: np.ndarray, input_scale: str | None
) -> np.ndarray:
    """What the original model reads for the batch `x` the module reads: the scaled integers
    (--input-scale), else the same values in the graph input's element type."""
    if input_scale is not None:
        return InputScale.parse(input_scale).apply(x)
    graph_input = _graph_input(model)
    dtype = helper.tensor_dtype_to_np_dtype(graph_input.type.tensor_type.elem_type)
    return np.asarray(x).astype(dtype)


def compare_with_original(
    model: onnx.ModelProto | str | os.PathLike[str],
    x: np.ndarray,
    outputs: tuple[np.ndarray, ...],
    input_scale: str | None = None,
) -> Comparison | None:
    """Compare `outputs` (the imported module's on `x`) with the original model's own runtime,
    row by row; None when that runtime is not installed."""
    proto, _ = load_model(model)
    qonnx = any(node.domain in QONNX_DOMAINS for node in proto.graph.node)
    try:
        run = _qonnx_rows if qonnx else _onnxruntime_rows
        expected, sign_inputs = run(proto, original_input(proto, x, input_scale))
    except ImportError:
        return None
    documented: dict[int, str] = {}
    mismatched: list[int] = []
    blocked = _has_blocked_gemm(proto)
    for row in range(len(x)):
        if all(_same_row(got[row], want[row]) for got, want in
               zip(outputs, expected, strict=False)):
            continue
        if any(np.any(values[row] == 0) for values in sign_inputs):
            documented[row] = SIGN_TIE
        elif blocked:
            documented[row] = GEMM_BLOCKS
        else:
            mismatched.append(row)
    return Comparison("qonnx" if qonnx else "onnxruntime", len(x), documented, tuple(mismatched))


def _same_row(got: np.ndarray, want: np.ndarray) -> bool:
    want = np.asarray(want)
    return got.shape == want.shape and got.tobytes() == want.astype(got.dtype).tobytes()


def _graph_input(model: onnx.ModelProto) -> onnx.ValueInfoProto:
    initializers = {init.name for init in model.graph.initializer}
    return next(i for i in model.graph.input if i.name not in initializers)


def _fixed_batch(model: onnx.ModelProto) -> bool:
    dims = _graph_input(model).type.tensor_type.shape.dim
    return bool(dims) and dims[0].HasField("dim_value") and dims[0].dim_value >= 1


def _sign_inputs(model: onnx.ModelProto) -> list[str]:
    return [node.input[0] for node in model.graph.node
            if node.op_type == "Sign" and node.domain in ("", "ai.onnx")]


def _onnxruntime_rows(
    model: onnx.ModelProto, x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The graph outputs and the inputs of Sign nodes for each row of `x` (one run per row when
    the model's batch is fixed)."""
    import onnxruntime as ort

    extra = _sign_inputs(model)
    probe = onnx.ModelProto.FromString(model.SerializeToString())
    known = {o.name for o in probe.graph.output}
    for name in extra:
        if name not in known:
            probe.graph.output.append(helper.make_empty_tensor_value_info(name))
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(probe.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in model.graph.output] + extra
    feed = session.get_inputs()[0].name
    chunks = [x[r:r + 1] for r in range(len(x))] if _fixed_batch(model) else [x]
    results = [session.run(names, {feed: chunk}) for chunk in chunks]
    merged = [np.concatenate([r[i] for r in results]) for i in range(len(names))]
    count = len(model.graph.output)
    return merged[:count], merged[count:]


def _qonnx_rows(
    model: onnx.ModelProto, x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """qonnx's execute_onnx after cleanup_model, one row at a time (it needs static shapes)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    static = onnx.ModelProto.FromString(model.SerializeToString())
    for info in (_graph_input(static), *static.graph.output):
        dims = info.type.tensor_type.shape.dim
        if dims:
            dims[0].dim_value = 1
    wrapper = cleanup_model(ModelWrapper(static))
    feed = wrapper.graph.input[0].name
    names = [o.name for o in wrapper.graph.output]  # cleanup_model renames tensors
    extra = _sign_inputs(wrapper.model)
    rows = [execute_onnx(wrapper, {feed: x[r:r + 1]}, return_full_exec_context=bool(extra))
            for r in range(len(x))]
    outputs = [np.concatenate([row[n] for row in rows]) for n in names]
    return outputs, [np.concatenate([row[n] for row in rows]) for n in extra]


def _has_blocked_gemm(model: onnx.ModelProto) -> bool:
    """Whether a Gemm sums more than one MLAS block of inputs with an alpha or a bias."""
    constants = {init.name: init for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Gemm" or node.input[1] not in constants:
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        dims = list(constants[node.input[1]].dims)
        fan_in = dims[1] if attrs.get("transB", 0) else dims[0]
        if fan_in > MLAS_K_BLOCK and (attrs.get("alpha", 1.0) != 1.0 or len(node.input) > 2):
            return True
    return False
