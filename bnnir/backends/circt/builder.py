"""A small netlist builder over xDSL's own `hw`, `comb` and `seq` ops.

`Rtl` builds one `hw.module`: its ports, constants, combinational operators, registers whose next
value is connected after they are read (an `hw.module` body is a graph region, so a register may
feed the logic computing its own input), ROMs as constant arrays, and register files. Every value
is a signless integer (`iN`, N >= 1); the clock is `!seq.clock`, the reset `i1` (synchronous,
active high).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.dialects import comb, hw, seq
from xdsl.dialects.builtin import (
    ArrayAttr,
    FlatSymbolRefAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.rewriter import InsertPoint

from bnnir.backends.circt.seq_memory import FirMemOp, FirMemReadPortOp, hex_lines

Value = SSAValue


def bits_for(count: int) -> int:
    """Bits of an unsigned counter holding 0 .. count − 1 (at least one)."""
    return max(1, (count - 1).bit_length())


def width(value: Value) -> int:
    assert isinstance(value.type, IntegerType), value.type
    return value.type.width.data


@dataclass
class Reg:
    """A register: `q` is its output; `next` connects its input (once)."""

    op: seq.CompRegOp

    @property
    def q(self) -> Value:
        return self.op.data

    def next(self, value: Value) -> None:
        assert width(value) == width(self.q), (width(value), width(self.q))
        self.op.operands = [value, *self.op.operands[1:]]


@dataclass
class Forward:
    """A placeholder value: `value` may be used now, `resolve` replaces it by the real one."""

    op: hw.ConstantOp

    @property
    def value(self) -> Value:
        return self.op.result

    def resolve(self, value: Value) -> None:
        self.op.result.replace_all_uses_with(value)
        self.op.detach()
        self.op.erase()


class Rtl:
    """One `hw.module` under construction: `clk` and `rst` first, then the other inputs."""

    def __init__(self, name: str, inputs: Sequence[tuple[str, int]],
                 outputs: Sequence[tuple[str, int]]):
        self.name = name
        self._outputs = list(outputs)
        ports = [hw.ModulePort(StringAttr("clk"), seq.clock, hw.DirectionAttr(hw.Direction.INPUT)),
                 hw.ModulePort(StringAttr("rst"), IntegerType(1),
                               hw.DirectionAttr(hw.Direction.INPUT))]
        ports += [hw.ModulePort(StringAttr(n), IntegerType(w), hw.DirectionAttr(hw.Direction.INPUT))
                  for n, w in inputs]
        ports += [hw.ModulePort(StringAttr(n), IntegerType(w),
                                hw.DirectionAttr(hw.Direction.OUTPUT)) for n, w in outputs]
        self._type = hw.ModuleType(ArrayAttr(ports))
        self.block = Block(arg_types=[seq.clock, IntegerType(1), *(IntegerType(w)
                                                                   for _, w in inputs)])
        for arg, port in zip(self.block.args, ["clk", "rst", *(n for n, _ in inputs)],
                             strict=True):
            arg.name_hint = port
        self.clk, self.rst = self.block.args[0], self.block.args[1]
        self.inputs = {n: a for (n, _), a in zip(inputs, self.block.args[2:], strict=True)}
        self._builder = Builder(InsertPoint.at_end(self.block))
        self._constants: dict[tuple[int, int], Value] = {}
        self.notes: list[str] = []

    # --- construction -----------------------------------------------------------------------

    def _add(self, op, name: str | None = None) -> Value:
        self._builder.insert(op)
        result = op.results[0]
        if name is not None:
            result.name_hint = name
        return result

    def finish(self, outputs: dict[str, Value]) -> hw.HWModuleOp:
        values = [outputs[n] for n, _ in self._outputs]
        for (n, w), v in zip(self._outputs, values, strict=True):
            assert width(v) == w, (self.name, n, width(v), w)
        self._builder.insert(hw.OutputOp(values))
        module = hw.HWModuleOp(StringAttr(self.name), self._type, Region(self.block))
        if self.notes:  # CIRCT prints it above the SystemVerilog module
            module.attributes["comment"] = StringAttr("\n".join(self.notes))
        return module

    def instance(self, name: str, module: hw.HWModuleOp, inputs: dict[str, Value]
                 ) -> dict[str, Value]:
        """An instance of `module` (clock and reset connected); its outputs by port name."""
        ports = module.module_type.ports.data
        ins = [("clk", self.clk), ("rst", self.rst)]
        ins += [(p.port_name.data, inputs[p.port_name.data]) for p in ports
                if p.dir.data == hw.Direction.INPUT and p.port_name.data not in ("clk", "rst")]
        outs = [(p.port_name.data, p.type) for p in ports if p.dir.data == hw.Direction.OUTPUT]
        op = hw.InstanceOp(name, FlatSymbolRefAttr(module.sym_name.data), ins, outs)
        self._builder.insert(op)
        for (port, _), result in zip(outs, op.results, strict=True):
            result.name_hint = f"{name}_{port}"
        return {port: r for (port, _), r in zip(outs, op.results, strict=True)}

    # --- values -----------------------------------------------------------------------------

    def const(self, value: int, bits: int) -> Value:
        value &= (1 << bits) - 1
        key = (value, bits)
        if key not in self._constants:
            signed = value - (1 << bits) if value >> (bits - 1) else value
            op = hw.ConstantOp(signed, IntegerType(bits))
            self._constants[key] = self._add(op)
        return self._constants[key]

    def true(self) -> Value:
        return self.const(1, 1)

    def false(self) -> Value:
        return self.const(0, 1)

    def _fast(self, kind: type, operands: list[Value], result: Attribute,
              properties: dict[str, Attribute] | None = None) -> Value:
        """An op built with `create`, without IRDL's argument processing: the hot ops of large
        designs (a popcount tree builds one per weight bit); their verifiers run on the
        module."""
        return self._add(kind.create(operands=operands, result_types=[result],
                                     properties=properties or {}))

    def add(self, a: Value, b: Value, name: str | None = None) -> Value:
        result = self._fast(comb.AddOp, [a, b], a.type)
        if name is not None:
            result.name_hint = name
        return result

    def sub(self, a: Value, b: Value) -> Value:
        return self._add(comb.SubOp(a, b))

    def mul(self, a: Value, factor: int) -> Value:
        if factor == 1:
            return a
        return self._add(comb.MulOp([a, self.const(factor, width(a))]))

    def and_(self, *values: Value) -> Value:
        return values[0] if len(values) == 1 else \
            self._fast(comb.AndOp, list(values), values[0].type)

    def or_(self, *values: Value) -> Value:
        return values[0] if len(values) == 1 else self._add(comb.OrOp(list(values)))

    def xor(self, a: Value, b: Value) -> Value:
        return self._fast(comb.XorOp, [a, b], a.type)

    def not_(self, a: Value) -> Value:
        return self.xor(a, self.const(-1, width(a)))

    def cmp(self, predicate: str, a: Value, b: Value) -> Value:
        return self._add(comb.ICmpOp(a, b, predicate))

    def eq(self, a: Value, value: int | Value) -> Value:
        b = self.const(value, width(a)) if isinstance(value, int) else value
        return self.cmp("eq", a, b)

    def ult(self, a: Value, value: int) -> Value:
        if value >= 1 << width(a):
            return self.true()
        return self.cmp("ult", a, self.const(value, width(a)))

    def uge(self, a: Value, value: int) -> Value:
        if value <= 0:
            return self.true()
        if value >= 1 << width(a):
            return self.false()
        return self.cmp("uge", a, self.const(value, width(a)))

    def mux(self, cond: Value, yes: Value, no: Value, name: str | None = None) -> Value:
        if yes is no:
            return yes
        result = self._fast(comb.MuxOp, [cond, yes, no], yes.type)
        if name is not None:
            result.name_hint = name
        return result

    def concat(self, high_to_low: Sequence[Value]) -> Value:
        if len(high_to_low) == 1:
            return high_to_low[0]
        total = sum(width(v) for v in high_to_low)
        return self._fast(comb.ConcatOp, list(high_to_low), IntegerType(total))

    def extract(self, value: Value, low: int, bits: int) -> Value:
        if low == 0 and bits == width(value):
            return value
        return self._fast(comb.ExtractOp, [value], IntegerType(bits),
                          {"lowBit": IntegerAttr(low, IntegerType(32))})

    def zext(self, value: Value, bits: int) -> Value:
        have = width(value)
        if have >= bits:
            return self.extract(value, 0, bits)
        return self.concat([self.const(0, bits - have), value])

    def sext(self, value: Value, bits: int) -> Value:
        have = width(value)
        if have >= bits:
            return self.extract(value, 0, bits)
        sign = self.extract(value, have - 1, 1)
        return self.concat([self._add(comb.ReplicateOp(sign, IntegerType(bits - have))), value])

    def lanes(self, word: Value, bits: int) -> list[Value]:
        """The lanes of a word, lane 0 (least significant) first."""
        return [self.extract(word, i * bits, bits) for i in range(width(word) // bits)]

    def pack(self, lanes: Sequence[Value]) -> Value:
        """A word of `lanes`, lane 0 least significant."""
        return self.concat(list(reversed(lanes)))

    def inc(self, value: Value) -> Value:
        return self.add(value, self.const(1, width(value)))

    def sum(self, values: Sequence[Value], bits: int) -> Value:
        """The sum of `values`, each zero-extended to `bits` (unpipelined, a balanced tree)."""
        level = [self.zext(v, bits) for v in values] or [self.const(0, bits)]
        while len(level) > 1:
            level = [self.add(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                     for i in range(0, len(level), 2)]
        return level[0]

    def forward(self, bits: int) -> Forward:
        """A value used before it is computed (a graph region allows it): `resolve` it later."""
        op = hw.ConstantOp(0, IntegerType(bits))
        self._builder.insert(op)
        return Forward(op)

    # --- state ------------------------------------------------------------------------------

    def reg(self, name: str, bits: int, reset: int | None = 0) -> Reg:
        """A register of `bits` bits, reset to `reset` (None: no reset, a data register)."""
        placeholder = self.const(0, bits)
        op = seq.CompRegOp(placeholder, self.clk,
                           None if reset is None else (self.rst, self.const(reset, bits)))
        self._builder.insert(op)
        op.data.name_hint = name
        return Reg(op)

    def delay(self, value: Value, cycles: int, name: str, reset: int | None = None) -> Value:
        """`value` `cycles` cycles ago (a chain of registers)."""
        for k in range(cycles):
            r = self.reg(f"{name}_d{k + 1}", width(value), reset)
            r.next(value)
            value = r.q
        return value

    def counter(self, name: str, limit: int, step: Value) -> tuple[Reg, Value]:
        """A counter 0 .. limit − 1 advancing when `step`; (its register, whether it wraps in
        this step: `step` and at limit − 1)."""
        r = self.reg(name, bits_for(limit))
        return r, self.counter_into(r, limit, step)

    def counter_into(self, r: Reg, limit: int, step: Value) -> Value:
        """Makes `r` count 0 .. limit − 1, advancing when `step`; whether it wraps now."""
        at_last = self.eq(r.q, limit - 1)
        r.next(self.mux(step, self.mux(at_last, self.const(0, width(r.q)), self.inc(r.q)), r.q))
        return self.and_(step, at_last)

    def select(self, values: Sequence[Value], index: Value) -> Value:
        """values[index] (an `hw.array_get` of an `hw.array_create`; a lone value as is)."""
        if len(values) == 1:
            return values[0]
        bits = bits_for(len(values))
        if width(index) < bits:
            index = self.zext(index, bits)
        elif width(index) > bits:
            index = self.extract(index, 0, bits)
        padded = list(values) + [values[-1]] * ((1 << bits) - len(values))
        # hw.array_create takes the highest index first
        array = self._add(hw.ArrayCreateOp(*reversed(padded)))
        return self._add(hw.ArrayGetOp(array, index))

    def rom(self, contents: Sequence[int], bits: int, index: Value) -> Value:
        """A read-only memory of `bits`-bit words, read combinationally at `index`."""
        unique = sorted(set(contents))
        if len(unique) == 1:
            return self.const(unique[0], bits)
        return self.select([self.const(v, bits) for v in contents], index)

    def memory(self, name: str, contents: Sequence[int], bits: int, address: Value) -> Value:
        """A read-only memory initialized from a hex file (`seq.firmem`), read at `address`
        with one cycle of latency: for tables too large for constant arrays."""
        depth = len(contents)
        assert depth >= 2
        file = f"{self.name}_{name}.hex"
        memory = self._add(FirMemOp(depth, bits, file, hex_lines(contents, bits)), name)
        index_bits = bits_for(depth)
        index = self.zext(address, index_bits) if width(address) < index_bits else \
            self.extract(address, 0, index_bits)
        return self._add(FirMemReadPortOp(memory, index, self.clk))

    def regfile(self, name: str, depth: int, bits: int, write: Value, address: Value,
                data: Value) -> list[Value]:
        """`depth` data registers, entry `address` loaded with `data` when `write`; their
        outputs."""
        entries = []
        for k in range(depth):
            r = self.reg(f"{name}{k}", bits, None)
            hit = write if depth == 1 else self.and_(write, self.eq(address, k))
            r.next(self.mux(hit, data, r.q))
            entries.append(r.q)
        return entries

    def note(self, text: str) -> None:
        """A line of the module's description (printed as its `comment` attribute)."""
        self.notes.append(text)
