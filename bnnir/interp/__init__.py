"""Executing bnnir modules: the interpreter and, later, other engines of the same module."""

from bnnir.interp.run import ENGINES, run_module, run_module_all

__all__ = ["ENGINES", "run_module", "run_module_all"]
