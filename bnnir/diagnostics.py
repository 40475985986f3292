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
