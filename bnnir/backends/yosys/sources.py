"""What yosys reads for one kernel: the SystemVerilog of the kernel's module as the CIRCT backend
exports it (its own file of the split export, plus the memory modules CIRCT generates for its
`seq.firmem` tables) and the hex files initializing those memories."""

from __future__ import annotations

import hashlib
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from bnnir.backends.circt.lowering import split_verilog
from bnnir.backends.circt.params import params
from bnnir.backends.circt.seq_memory import FirMemOp
from bnnir.backends.circt.top import GENERATORS
from bnnir.dialects import hwstream as hw


@dataclass(frozen=True)
class KernelSources:
    """A kernel's synthesis input: `top` names its module; `files` are (name, text) pairs,
    SystemVerilog then hex files, each in name order."""

    top: str
    files: tuple[tuple[str, str], ...]

    @property
    def verilog(self) -> list[str]:
        return [name for name, _ in self.files if name.endswith(".sv")]

    def digest(self, salt: str) -> str:
        """sha256 of the files (names and texts) and `salt` (the yosys version and script)."""
        h = hashlib.sha256()
        for name, text in self.files:
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        h.update(salt.encode())
        return h.hexdigest()


def kernel_sources(op: hw.KernelOp, name: str,
                   signed: Mapping[SSAValue, bool] | None = None) -> KernelSources:
    """The kernel's module, named `name`_KIND as the circuit names it, exported alone.

    `signed`: the design's lane signedness per stream (hwstream.lane_signedness); without it,
    the op's input is unsigned unless the op says otherwise (an MVTU's `signed_input`)."""
    p = params(op, defaultdict(bool, signed or {}))
    kind, generate = GENERATORS[type(p)]
    module = ModuleOp([generate(f"{name}_{kind}", p)])
    module.verify()
    hex_files = {m.file.data: m.contents.data for m in module.walk() if isinstance(m, FirMemOp)}
    with tempfile.TemporaryDirectory(prefix="bnnir-synth-") as tmp:
        names = split_verilog(module, Path(tmp))
        verilog = [(n, (Path(tmp) / n).read_text()) for n in names]
    return KernelSources(f"{name}_{kind}", (*verilog, *sorted(hex_files.items())))


def design_sources(design: hw.DesignOp) -> list[KernelSources]:
    """Each kernel of the design, in stream order, named as the CIRCT backend's circuit names
    its module (`DESIGN_kINDEX_KIND`)."""
    signed = hw.lane_signedness(design)
    name = design.sym_name.data
    return [kernel_sources(op, f"{name}_k{index}", signed)
            for index, op in enumerate(design.kernels())]
