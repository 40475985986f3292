"""The check behind bnn-opt --verify-each and bnn-compile --verify: a module still gives the
network's outputs, bit for bit, on a fixed input batch (FINN's verification steps, automated).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from bnnir.diagnostics import BnnirError
from bnnir.tools.cli import load_batch, run_batch


class OutputCheck:
    """The reference outputs of a module on the batch in `path`, and comparisons against them."""

    def __init__(self, path: str, module: ModuleOp, x: np.ndarray | None = None):
        """`path` names the batch in messages; it is read unless the batch `x` is given."""
        self.path = path
        self.x = load_batch(path) if x is None else x
        self.expected = run_batch(module, self.x, path)

    def outputs(self, module: ModuleOp, engine: str = "interp") -> tuple[np.ndarray, ...]:
        return run_batch(module, self.x, self.path, engine)

    def difference(self, actual: tuple[np.ndarray, ...]) -> str | None:
        """What differs from the reference, in words, or None when every bit is the same."""
        for index, (got, want) in enumerate(zip(actual, self.expected, strict=True)):
            if got.shape == want.shape and got.tobytes() == want.tobytes():
                continue
            if got.shape != want.shape:
                return (f"changed output {index} of the network on {self.path}: shape "
                        f"{got.shape} instead of {want.shape}")
            differ = _bits(got) != _bits(want)  # -0.0 and NaN payloads count
            first = tuple(int(i) for i in np.argwhere(differ)[0])
            return (f"changed output {index} of the network on {self.path}: "
                    f"{int(differ.sum())} of {want.size} values differ, the first at index "
                    f"{first}")
        return None

    def check(self, where: str, module: ModuleOp, engine: str = "interp") -> None:
        """Raise a BnnirError at `where` unless `module` gives the reference outputs."""
        difference = self.difference(self.outputs(module, engine))
        if difference is not None:
            raise BnnirError(where, difference)

    def rebase(self, module: ModuleOp) -> bool:
        """Make `module`'s outputs the reference (after a step that may change them on
        purpose); whether they changed."""
        actual = self.outputs(module)
        changed = self.difference(actual) is not None
        self.expected = actual
        return changed


def _bits(values: np.ndarray) -> np.ndarray:
    """Each element's bit pattern as an unsigned integer."""
    values = np.ascontiguousarray(values)
    return values.view(f"u{values.dtype.itemsize}")
