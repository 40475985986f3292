"""CIRCT's `seq.firmem` memories, which xDSL 0.74 lacks: a memory initialized from a hex file
(inline `$readmemh` after lowering) and its read port, printed in CIRCT 1.62's syntax.

    %m = seq.firmem 1, 1, undefined, undefined
             {init = #seq.firmem.init<"F.hex", false, true>} : <D x W>     (on one line)
    %r = seq.firmem.read_port %m[%address], clock %clk : <D x W>

The read port has one cycle of latency. The op keeps the file's text (not printed): the emitter
writes it beside the SystemVerilog, where the simulator reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import seq
from xdsl.dialects.builtin import IntAttr, IntegerType, StringAttr
from xdsl.ir import Attribute, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer


@irdl_attr_definition
class FirMemType(ParametrizedAttribute, TypeAttribute):
    """`!seq.firmem<D x W>`: D words of W bits."""

    name = "seq.firmem"

    depth: IntAttr
    width: IntAttr

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        raise NotImplementedError("bnnir prints seq.firmem, it never parses it")

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.depth.data} x {self.width.data}>")


@irdl_op_definition
class FirMemOp(IRDLOperation):
    """A read-only memory (no write port is ever attached) initialized from `file`."""

    name = "seq.firmem"

    file = prop_def(StringAttr)
    contents = prop_def(StringAttr)
    memory = result_def(FirMemType)

    def __init__(self, depth: int, width: int, file: str, contents: str):
        super().__init__(properties={"file": StringAttr(file), "contents": StringAttr(contents)},
                         result_types=[FirMemType(IntAttr(depth), IntAttr(width))])

    def print(self, printer: Printer) -> None:
        kind = self.memory.type
        assert isinstance(kind, FirMemType)
        printer.print_string(f' 1, 1, undefined, undefined {{init = #seq.firmem.init<"'
                             f'{self.file.data}", false, true>}} : <{kind.depth.data} x '
                             f"{kind.width.data}>")


@irdl_op_definition
class FirMemReadPortOp(IRDLOperation):
    """The word at `address`, one cycle later."""

    name = "seq.firmem.read_port"

    memory = operand_def(FirMemType)
    address = operand_def(IntegerType)
    clock = operand_def(seq.ClockType)
    data = result_def(IntegerType)

    def __init__(self, memory: SSAValue, address: SSAValue, clock: SSAValue):
        kind = memory.type
        assert isinstance(kind, FirMemType)
        super().__init__(operands=[memory, address, clock],
                         result_types=[IntegerType(kind.width.data)])

    def print(self, printer: Printer) -> None:
        kind = self.memory.type
        assert isinstance(kind, FirMemType)
        printer.print_string(" ")
        printer.print_operand(self.memory)
        printer.print_string("[")
        printer.print_operand(self.address)
        printer.print_string("], clock ")
        printer.print_operand(self.clock)
        printer.print_string(f" : <{kind.depth.data} x {kind.width.data}>")


def hex_lines(words: Sequence[int], width: int) -> str:
    """`$readmemh` text: one word per line, most significant digit first."""
    digits = -(-width // 4)
    return "".join(f"{w:0{digits}x}\n" for w in words)
