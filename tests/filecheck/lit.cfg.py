"""lit configuration: FileCheck tests of the dialects, passes, importer and tools."""

import os
import sys

import lit.formats

config.name = "bnnir"  # noqa: F821 - `config` is provided by lit
config.test_format = lit.formats.ShTest()  # noqa: F821
config.suffixes = [".mlir", ".onnxtxt"]  # noqa: F821
config.test_source_root = os.path.dirname(__file__)  # noqa: F821
config.excludes = ["lit.cfg.py"]  # noqa: F821
# The tools and filecheck live next to the running Python (a venv's bin). Not realpath(): a venv
# python is a symlink to the base interpreter, whose bin has no bnn-opt.
config.environment["PATH"] = os.pathsep.join(  # noqa: F821
    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
)
config.substitutions.append(("%python", sys.executable))  # noqa: F821
