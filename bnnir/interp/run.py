"""Running bnnir modules: input checks and conversion, engines, output conversion.

`run_module` is the single entry point: it checks and converts the network input to the
function's argument type, runs the selected engine and converts the results to the model's
output dtypes (recorded by the importer as `bnn.onnx_dtype` result attributes). Engines are
functions from a module and its converted inputs to its raw results (`Engine`): `interpret` here,
and the engines that run a backend's output (the C simulation of the emitted HLS) with that
backend; the tools name them.

Modules may be written by hand, so everything the engines assume is checked first and reported
as a BnnirError at "module" (arguments that are not tensors of f32, integers or i1, unknown
output dtypes, recursive calls, ops no engine implements). An empty batch gives empty outputs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DictionaryAttr,
    Float32Type,
    IntegerType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.interpreter import Interpreter
from xdsl.interpreters.func import FuncFunctions
from xdsl.ir import Attribute
from xdsl.utils.exceptions import InterpretationError

from bnnir.diagnostics import BnnirError
from bnnir.dialects.bnn_values import integer_range, is_bipolar, is_integer_activation, numpy_dtype
from bnnir.interp.bnn import BnnFunctions
from bnnir.interp.hwstream import HwstreamFunctions

Engine = Callable[[ModuleOp, func.FuncOp, tuple[np.ndarray, ...]], tuple[np.ndarray, ...]]
"""A function from a module, its entry function and its converted inputs to its raw results."""

CHUNK = 64
"""Items the interpreter runs at a time: its memory is bounded by the chunk, not the batch."""


def cores() -> int:
    """The cores this process may use, at most 2 (the machines we run on have two): the
    interpreter's threads (numpy releases the GIL) and the C simulation's processes."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(2, available or os.cpu_count() or 1))


def run_with(
    module: ModuleOp, main: func.FuncOp, inputs: tuple[np.ndarray, ...],
    streams: HwstreamFunctions, host: BnnFunctions | None = None,
) -> tuple[np.ndarray, ...]:
    """xDSL's interpreter on `main`: host ops by `host` (which caches decoded constants), designs
    by `streams`."""
    interpreter = Interpreter(module)
    interpreter.register_implementations(FuncFunctions())
    interpreter.register_implementations(host or BnnFunctions())
    interpreter.register_implementations(streams)
    try:
        return tuple(interpreter.call_op(main, inputs))
    except InterpretationError as e:
        raise BnnirError("module", f"cannot be run: {' '.join(str(e).split())}") from None


def interpret(
    module: ModuleOp, main: func.FuncOp, inputs: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, ...]:
    """The reference engine: xDSL's interpreter, hwstream designs by the stream interpreter.

    Every op computes each batch item on its own, so the batch runs in chunks of CHUNK items,
    two at a time on two threads (with one BLAS thread each), and the chunks' results are
    concatenated."""
    streams, host = HwstreamFunctions(), BnnFunctions()
    batch = inputs[0].shape[0] if _batched(main, inputs) else 0
    if batch <= CHUNK:
        return run_with(module, main, inputs, streams, host)
    starts = range(0, batch, CHUNK)

    def chunk(start: int) -> tuple[np.ndarray, ...]:
        items = tuple(x[start : start + CHUNK] for x in inputs)
        return run_with(module, main, items, streams, host)

    run_with(module, main, tuple(x[:1] for x in inputs), streams, host)  # decode constants once
    # one BLAS thread per chunk thread: BLAS's own threads would spin on the cores the other
    # chunk uses (measured on FINN's CNV: 1.2x the CPU time)
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(cores()) as pool:
        parts = list(pool.map(chunk, starts))
    return tuple(np.concatenate([np.asarray(p[i]) for p in parts]) for i in range(len(parts[0])))


def _batched(main: func.FuncOp, inputs: tuple[np.ndarray, ...]) -> bool:
    """Whether every argument and result is a batch: a tensor whose first dimension is dynamic
    (the same size in every input). Only then are items independent and can run in chunks."""
    types = [*main.function_type.inputs.data, *main.function_type.outputs.data]
    return bool(inputs) and len({x.shape[0] if x.ndim else -1 for x in inputs}) == 1 and all(
        isinstance(t, TensorType) and t.get_shape()[:1] == (DYNAMIC_INDEX,) for t in types)


def entry_function(module: ModuleOp) -> func.FuncOp:
    """`func.func @main`, or the module's only function."""
    functions = [op for op in module.ops if isinstance(op, func.FuncOp)]
    for function in functions:
        if function.sym_name.data == "main":
            return function
    if len(functions) == 1:
        return functions[0]
    raise BnnirError("module", "no `func.func @main` to run (and not exactly one function)")


def check_runnable(module: ModuleOp, main: func.FuncOp) -> None:
    """What the engines assume of the entry function: a body, tensor arguments of element types
    they represent, known output dtypes, and no recursion."""
    name = f"@{main.sym_name.data}"
    if main.is_declaration:
        raise BnnirError("module", f"{name} is a declaration without a body")
    for index, arg_type in enumerate(main.function_type.inputs.data):
        if not isinstance(arg_type, TensorType):
            raise BnnirError("module", f"argument {index} of {name} is {arg_type}; bnn-run feeds "
                             "tensors")
        element = arg_type.element_type
        if not (isinstance(element, Float32Type) or is_bipolar(element)
                or is_integer_activation(element)):
            raise BnnirError("module", f"argument {index} of {name} has element type {element}; "
                             "bnn-run feeds f32, i1 or signed/unsigned integer tensors")
    res_attrs = main.res_attrs.data if main.res_attrs is not None else None
    for index in range(len(main.function_type.outputs.data)):
        dtype = _attr(res_attrs, index, "bnn.onnx_dtype")
        if dtype is not None and dtype not in ONNX_DTYPES:
            raise BnnirError("module", f"result {index} of {name} has bnn.onnx_dtype '{dtype}'; "
                             f"use one of {', '.join(ONNX_DTYPES)}")
    cycle = _call_cycle(module, main)
    if cycle:
        raise BnnirError("module", f"{' -> '.join(cycle)} calls itself; bnn-run needs a call "
                         "graph without recursion")


ONNX_DTYPES = ("float32", "int64", "int32")
"""The output dtypes the importer records (`bnn.onnx_dtype`)."""


def _call_cycle(module: ModuleOp, main: func.FuncOp) -> list[str]:
    """A chain of @callees from `main` back to a function already on it, or []."""
    functions = {op.sym_name.data: op for op in module.ops if isinstance(op, func.FuncOp)}

    def visit(function: func.FuncOp, path: list[str]) -> list[str]:
        for call in function.walk():
            if not isinstance(call, func.CallOp):
                continue
            callee = call.callee.root_reference.data
            if callee in path:
                return [*path, callee]
            if callee in functions:
                found = visit(functions[callee], [*path, callee])
                if found:
                    return found
        return []

    return [f"@{name}" for name in visit(main, [main.sym_name.data])]


def _attr(attrs: Sequence[DictionaryAttr] | None, index: int, key: str) -> str | None:
    if attrs is None or index >= len(attrs):
        return None
    value = attrs[index].data.get(key)
    return value.data if isinstance(value, StringAttr) else None


def _first_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def convert_input(x: np.ndarray, arg_type: Attribute, encoding: str | None) -> np.ndarray:
    """Check `x` against the argument type and convert it to the runtime representation."""
    assert isinstance(arg_type, TensorType)
    shape = arg_type.get_shape()
    expected = tuple(d for d in shape)
    if x.ndim != len(shape) or any(
        e not in (DYNAMIC_INDEX, a) for e, a in zip(expected, x.shape, strict=True)
    ):
        raise BnnirError("input", f"shape {tuple(x.shape)} does not match {arg_type}")
    if x.dtype.kind not in "biuf":
        raise BnnirError("input", f"dtype {x.dtype} is not numeric")
    element = arg_type.element_type
    if isinstance(element, Float32Type):
        return _float_input(x)
    if is_bipolar(element):
        return _bipolar_input(x, encoding)
    assert isinstance(element, IntegerType)
    low, high = integer_range(element)
    bad = (
        (x != np.round(x)) | (x < low) | (x > high)
        if x.dtype.kind == "f"
        else (x < low) | (x > high)
    )
    if np.any(bad):
        at = _first_index(bad)
        raise BnnirError(
            "input",
            f"value {x[at]} at index {at} does not fit {element} (integers {low}..{high}); "
            "import the model with another --input-type if the input holds other values",
        )
    return x.astype(numpy_dtype(element))


def _float_input(x: np.ndarray) -> np.ndarray:
    """Finite float32 values: bnn.sign(NaN) would be −1 where onnxruntime propagates NaN."""
    with np.errstate(over="ignore"):  # a float64 beyond float32 becomes inf, refused below
        values = x.astype(np.float32)
    bad = ~np.isfinite(values)
    if np.any(bad):
        at = _first_index(bad)
        where = f"at index {at} (row {at[0]})" if at else "of the scalar input"
        raise BnnirError("input", f"value {x[at]} {where} is not a finite float32; the network "
                         "computes on finite inputs only")
    return values


def _bipolar_input(x: np.ndarray, encoding: str | None) -> np.ndarray:
    allowed = (0, 1) if encoding == "binary" else (-1, 1)
    bad = (x != allowed[0]) & (x != allowed[1])
    if np.any(bad):
        at = _first_index(bad)
        raise BnnirError(
            "input",
            f"value {x[at]} at index {at} is not {allowed[0]} or {allowed[1]}, but the model "
            "was imported with a bipolar input; import it with another --input-type",
        )
    return np.where(x == allowed[1], 1, -1).astype(np.int8)


def convert_output(y: np.ndarray, dtype: str | None) -> np.ndarray:
    return y if dtype is None else y.astype(np.dtype(dtype))


def run_module_all(
    module: ModuleOp, inputs: Sequence[np.ndarray], engine: Engine = interpret
) -> tuple[np.ndarray, ...]:
    """Run the module's entry function on a batch with `engine`: one array per result."""
    main = entry_function(module)
    check_runnable(module, main)
    arg_types = main.function_type.inputs.data
    if len(inputs) != len(arg_types):
        raise BnnirError("input", f"the network takes {len(arg_types)} inputs, got {len(inputs)}")
    arg_attrs = main.arg_attrs.data if main.arg_attrs is not None else None
    converted = tuple(
        convert_input(np.asarray(x), t, _attr(arg_attrs, i, "bnn.encoding"))
        for i, (x, t) in enumerate(zip(inputs, arg_types, strict=True))
    )
    empty = bool(converted) and all(x.ndim and x.shape[0] == 0 for x in converted)
    if empty:  # run one filler item to learn the output shapes, then keep none of it
        converted = tuple(np.zeros((1, *x.shape[1:]), x.dtype) for x in converted)
    results = engine(module, main, converted)
    if empty:
        results = tuple(np.asarray(y)[:0] for y in results)
    res_attrs = main.res_attrs.data if main.res_attrs is not None else None
    return tuple(
        convert_output(np.asarray(y), _attr(res_attrs, i, "bnn.onnx_dtype"))
        for i, y in enumerate(results)
    )


def run_module(module: ModuleOp, x: np.ndarray, engine: Engine = interpret) -> np.ndarray:
    """Run a one-input, one-output network on the batch `x`."""
    results = run_module_all(module, [x], engine)
    if len(results) != 1:
        raise BnnirError("module", f"the network has {len(results)} outputs; use run_module_all")
    return results[0]


def result_names(main: func.FuncOp, count: int) -> list[str]:
    """The ONNX names of the entry function's results (`output<i>` where none is recorded)."""
    res_attrs = main.res_attrs.data if main.res_attrs is not None else None
    return [_attr(res_attrs, i, "bnn.onnx_name") or f"output{i}" for i in range(count)]
