"""The importer's former module path, kept while parallel branches still import from it; new code
imports from `bnnir.frontend.onnx`."""

from bnnir.frontend.onnx import import_onnx, load_model

__all__ = ["import_onnx", "load_model"]
