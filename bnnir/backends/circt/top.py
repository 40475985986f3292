"""A hwstream design as a circuit: one `hw.module` per kernel instance, the port adapters, and the
top module `<design>_top` chaining them with ready/valid streams.

Top ports (clock `clk`, synchronous active-high reset `rst`):

    in:  in_data (the input port's width), in_valid, out_ready
    out: in_ready, out_data (the output port's width), out_valid,
         stream_valid, stream_ready: one bit per internal stream (the input of unit i is bit i),
         for a testbench to name a stream that stalls; synthesis drops them when unconnected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.dialects import hw
from xdsl.dialects.builtin import ModuleOp, TensorType

from bnnir.backends.circt import maps, mvtu, streams
from bnnir.backends.circt.builder import Rtl, Value
from bnnir.backends.circt.loop import stream_ports
from bnnir.backends.circt.params import (
    DwcParams,
    FifoParams,
    KernelParams,
    LabelSelectParams,
    MvtuParams,
    PadParams,
    PoolParams,
    ThresholdParams,
    WindowParams,
    params,
)
from bnnir.backends.circt.ports import input_adapter, output_adapter
from bnnir.backends.circt.seq_memory import FirMemOp
from bnnir.backends.hls.emit import Interface, design_of, interface
from bnnir.diagnostics import BnnirError
from bnnir.dialects import hwstream as hw_stream

GENERATORS: dict[type, tuple[str, Callable[[str, KernelParams], hw.HWModuleOp]]] = {
    PadParams: ("pad", maps.pad_module),
    WindowParams: ("window", maps.window_module),
    PoolParams: ("pool", maps.pool_module),
    DwcParams: ("dwc", streams.dwc_module),
    MvtuParams: ("mvtu", mvtu.mvtu_module),
    ThresholdParams: ("threshold", mvtu.threshold_module),
    LabelSelectParams: ("label_select", streams.label_select_module),
    FifoParams: ("fifo", streams.fifo_module),
}
"""Each kernel's kind (the module name's suffix) and generator."""


@dataclass(frozen=True)
class Circuit:
    """The modules of a design, the top last; `streams` names each stream the stall bits
    report, in order."""

    name: str
    module: ModuleOp  # the kernels' and adapters' hw.modules, then the top
    streams: list[str]
    io: Interface
    input_type: TensorType
    output_type: TensorType

    def data_files(self) -> dict[str, str]:
        """The hex files initializing the memories, by name (the simulator reads them from its
        working directory)."""
        return {op.file.data: op.contents.data for op in self.module.walk()
                if isinstance(op, FirMemOp)}

    @property
    def top(self) -> str:
        *_, top = self.module.ops
        assert isinstance(top, hw.HWModuleOp)
        return top.sym_name.data


def circuit(module: ModuleOp) -> Circuit:
    """The circuit of the module's one hwstream design."""
    design = design_of(module)
    io = interface(design)
    signed = hw_stream.lane_signedness(design)
    name = design.sym_name.data
    units: list[tuple[str, hw.HWModuleOp]] = []
    if io.input.adapted:
        units.append(("input adapter", input_adapter(
            f"{name}_input_adapter", io.input.lanes, io.input.kernel_lanes, io.input.bits,
            io.input.width)))
    for index, op in enumerate(design.kernels()):
        if type(op) not in _KNOWN_OPS:
            raise BnnirError("--emit-circt", f"no RTL kernel for '{op.name}' (kernel {index} "
                             f"of @{name})")
        p = params(op, signed)
        kind, generate = GENERATORS[type(p)]
        units.append((f"kernel {index} ({op.name})", generate(f"{name}_k{index}_{kind}", p)))
    if io.output.adapted:
        units.append(("output adapter", output_adapter(
            f"{name}_output_adapter", io.output.kernel_lanes, io.output.lanes, io.output.bits,
            io.output.width)))
    top = _top(f"{name}_top", units, io)
    circuit_module = ModuleOp([*(m for _, m in units), top])
    circuit_module.verify()
    return Circuit(name, circuit_module, [u for u, _ in units], io, design.input_type,
                   design.output_type)


_KNOWN_OPS = (hw_stream.PadOp, hw_stream.WindowOp, hw_stream.PoolOp, hw_stream.DwcOp,
              hw_stream.MvtuOp, hw_stream.ThresholdOp, hw_stream.LabelSelectOp,
              hw_stream.FifoOp)


def _top(name: str, units: list[tuple[str, hw.HWModuleOp]], io: Interface) -> hw.HWModuleOp:
    inputs, outputs = stream_ports(io.input.width, io.output.width)
    n = len(units)
    rtl = Rtl(name, inputs, [*outputs, ("stream_valid", n), ("stream_ready", n)])
    rtl.note(f"top: {n} units in a chain; ports in_data ({io.input.width} bits) and out_data "
             f"({io.output.width} bits), ready/valid")
    data, valid = rtl.inputs["in_data"], rtl.inputs["in_valid"]
    readies: list[Value] = []
    valids: list[Value] = []
    ready_wires = []
    for index, (_, module) in enumerate(units):
        # the consumer's ready comes from the next instance: a forward reference, resolved
        # below (an hw.module body is a graph region)
        ready = rtl.forward(1)
        ready_wires.append(ready)
        outs = rtl.instance(f"u{index}", module, {"in_data": data, "in_valid": valid,
                                                  "out_ready": ready.value})
        valids.append(valid)
        readies.append(outs["in_ready"])
        data, valid = outs["out_data"], outs["out_valid"]
    following = [*readies[1:], rtl.inputs["out_ready"]]
    for wire, ready in zip(ready_wires, following, strict=True):
        wire.resolve(ready)
    return rtl.finish({"in_ready": readies[0], "out_data": data, "out_valid": valid,
                       "stream_valid": rtl.pack(valids), "stream_ready": rtl.pack(readies)})
