"""bnnir: binarized neural networks to streaming FPGA dataflow accelerators, with xDSL.

`bnnir.compile(model, target_fps=..., clock_mhz=..., part=...)` is bnn-compile as a function
(bnnir/api.py); it is imported on first use, so the tools start without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Build", "compile"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bnnir import api

        return getattr(api, name)
    raise AttributeError(f"module 'bnnir' has no attribute {name!r}")
