"""Reading an ONNX model file: binary protobuf, ONNX's textual syntax, external tensor data."""

from __future__ import annotations

import os
from pathlib import Path

import onnx
import onnx.parser
from google.protobuf.message import DecodeError
from onnx.external_data_helper import load_external_data_for_model, uses_external_data

from bnnir.diagnostics import BnnirError


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
    except (IndexError, ValueError, OverflowError) as e:  # onnx.parser's std::stoll and kin
        detail = " ".join(str(e).split())
        if detail in ("stoll", "stoi", "stoul", "stoull", "stof", "stod"):
            detail = "a number literal is out of its type's range"
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
