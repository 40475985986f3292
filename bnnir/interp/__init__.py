"""Executing bnnir modules: the interpreter of both dialects and the engine interface that the
backends' engines (C simulation) implement."""

from bnnir.interp.run import Engine, interpret, run_module, run_module_all

__all__ = ["Engine", "interpret", "run_module", "run_module_all"]
