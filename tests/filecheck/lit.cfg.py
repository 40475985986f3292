"""lit configuration: FileCheck tests of the dialects, passes, importer and tools."""

import os
import sys

import lit.formats

config = globals()["config"]  # provided by lit when it runs this file
config.name = "bnnir"
config.test_format = lit.formats.ShTest()
config.suffixes = [".mlir", ".onnxtxt"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py"]
# The tools and filecheck live next to the running Python (a venv's bin). Not realpath(): a venv
# python is a symlink to the base interpreter, whose bin has no bnn-opt.
config.environment["PATH"] = os.pathsep.join(
    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
)
config.substitutions.append(("%python", sys.executable))
