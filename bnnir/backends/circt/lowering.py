"""Printing the circuit as CIRCT's MLIR, and lowering and exporting it to SystemVerilog with
CIRCT's own Python bindings (the `circt` wheel, pinned to 1.62: the newest for Python 3.11).

CIRCT 1.62 parses only the custom (pretty) form of hw/comb/seq, which xDSL's default printer
writes. The lowering pipeline and options are the ones that give plain SystemVerilog that
Verilator and Yosys read: no packed arrays (ROMs become `casez`), no local variables, no
location comments (so the output depends on nothing but the circuit).
"""

from __future__ import annotations

import io
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp
from xdsl.printer import Printer

from bnnir.backends.circt.top import Circuit
from bnnir.diagnostics import BnnirError

LOWERING_OPTIONS = "disallowPackedArrays,disallowLocalVariables,locationInfoStyle=none"
PIPELINE = ("builtin.module(lower-seq-to-sv, lower-seq-firmem, hw-memory-sim, canonicalize, cse, "
            "hw.module(hw-legalize-modules), hw.module(hw-cleanup), hw.module(prettify-verilog))")
WHERE = "--emit-verilog"


def mlir_text(circuit: Circuit | ModuleOp) -> str:
    """The circuit (or a module of hw.modules) as MLIR text that circt 1.62 parses."""
    out = io.StringIO()
    Printer(stream=out).print_op(circuit if isinstance(circuit, ModuleOp) else circuit.module)
    out.write("\n")
    return out.getvalue()


def _circt():
    try:
        import circt
        import circt.passmanager
    except ImportError:
        raise BnnirError(WHERE, "needs CIRCT's Python bindings: pip install 'circt==1.62.*'"
                         ) from None
    return circt


def _lowered(text: str, export) -> None:
    circt = _circt()
    from circt.ir import Context, Module, StringAttr
    from circt.passmanager import PassManager

    with Context() as ctx:
        circt.register_dialects(ctx)
        try:
            module = Module.parse(text)
        except Exception as e:  # the bindings raise a bare MLIRError with diagnostics
            raise BnnirError(WHERE, f"CIRCT rejects the emitted MLIR: "
                             f"{' '.join(str(e).split())[:300]}") from None
        module.operation.attributes["circt.loweringOptions"] = StringAttr.get(LOWERING_OPTIONS)
        PassManager.parse(PIPELINE).run(module.operation)
        export(circt, module)


def verilog(circuit: Circuit) -> str:
    """All modules as one SystemVerilog text."""
    out = io.StringIO()
    _lowered(mlir_text(circuit), lambda circt, m: circt.export_verilog(m, out))
    return out.getvalue()


def split_verilog(circuit: Circuit | ModuleOp, folder: Path) -> list[str]:
    """One SystemVerilog file per module in `folder` (of the circuit, or of a module of
    hw.modules: one kernel for synthesis); their names."""
    folder.mkdir(parents=True, exist_ok=True)
    _lowered(mlir_text(circuit),
             lambda circt, m: circt.export_split_verilog(m, str(folder)))
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".sv")
