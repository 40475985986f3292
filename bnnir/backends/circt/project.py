"""The --emit-verilog folder: one SystemVerilog file per module (CIRCT's split export), the
Verilator testbench, a file list and a README naming the top's ports and their AXI-stream
layout (the HLS project's: byte-aligned words, the same for every folding)."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp, TensorType

from bnnir.backends.circt.lowering import mlir_text, split_verilog
from bnnir.backends.circt.testbench import testbench
from bnnir.backends.circt.top import Circuit, circuit
from bnnir.backends.hls.emit import Port, counted, word_layout


def _port_text(port: Port, tensor: TensorType, signed: bool, name: str) -> str:
    text = (f"`{name}_data` ({port.width} bits, {counted(port.width // 8, 'byte')}): {tensor} "
            f"per frame as {counted(port.words, 'word')}. {word_layout(port, signed)}")
    return textwrap.fill(text, 96, initial_indent="- ", subsequent_indent="  ")


def readme(c: Circuit) -> str:
    io = c.io
    units = "\n".join(f"{i}. {name}" for i, name in enumerate(c.streams))
    return f"""# bnnir accelerator `{c.name}`: SystemVerilog

Exported by CIRCT from the hw/comb/seq modules bnnir builds (`bnn-translate --emit-circt`
prints them). Top module `{c.top}`: clock `clk` (rising edge), synchronous active-high reset
`rst`, and two AXI-stream ports without side channels: `in_data`/`in_valid`/`in_ready` and
`out_data`/`out_valid`/`out_ready` (a word moves in a cycle where valid and ready are both
high). Frames follow each other on the ports without any framing signal.

{_port_text(io.input, c.input_type, io.input_signed, "in")}
{_port_text(io.output, c.output_type, io.output_signed, "out")}

`stream_valid` and `stream_ready` show the handshake of the stream into each unit below (bit
i: unit i), for testbenches and debugging; leave them unconnected in a design.

Units, in stream order (one module each, `{c.name}_*.sv`):
{units}

Every kernel runs its HLS kernel's loop at one iteration per cycle; its output goes through a
registered queue, so no ready or valid path crosses a kernel. `tb.cpp` is the Verilator
testbench `bnn-run --engine rtl` builds (`verilator --cc --exe --build --top-module {c.top}
$(cat files.f) tb.cpp`). Large weight tables are memories initialized by `$readmemh` from the
`.hex` files here (paths relative to the simulator's working directory; synthesis tools read
them with ENABLE_INITIAL_MEM_ defined).
"""


def emit_project(module: ModuleOp) -> dict[str, str]:
    """Every file of the SystemVerilog folder, by name."""
    c = circuit(module)
    with tempfile.TemporaryDirectory(prefix="bnnir-sv-") as tmp:
        names = split_verilog(c, Path(tmp))
        files = {name: (Path(tmp) / name).read_text() for name in names}
    files |= c.data_files()
    files["files.f"] = "".join(f"{name}\n" for name in names)
    files["tb.cpp"] = testbench(c)
    files["README.md"] = readme(c)
    return files


def emit_mlir(module: ModuleOp) -> str:
    return mlir_text(circuit(module))
