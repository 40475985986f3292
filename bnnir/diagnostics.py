"""The error type for bad input: what went wrong, and where."""

from __future__ import annotations


class BnnirError(Exception):
    """Bad input to a bnnir tool or API: `where` names the file, node or IR location and `what`
    says what is wrong and, where possible, what to do. Tools print it as one line."""

    def __init__(self, where: str, what: str):
        super().__init__(where, what)
        self.where = where
        self.what = what

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


class BnnirWarning(UserWarning):
    """A result bnnir computes that may differ from the reference (onnxruntime, QONNX), or a
    choice the user should know about: `where` and `what` as in BnnirError. Tools print it as
    one line and go on."""

    def __init__(self, where: str, what: str):
        super().__init__(where, what)
        self.where = where
        self.what = what

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


def warn(where: str, what: str) -> None:
    """Emit a BnnirWarning (tools print it as `TOOL: warning: WHERE: WHAT`)."""
    import warnings

    warnings.warn(BnnirWarning(where, what), stacklevel=2)
