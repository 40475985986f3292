"""The `hwstream` dialect: a network as a graph of streaming kernels joined by word streams.

A `hwstream.design` holds one block: its argument is the input stream, its `hwstream.yield` the
output stream, and every op between is a kernel reading one stream and writing one. Streams carry
W-bit words (`!hwstream.stream<W>`); a word holds `lanes` elements of `bits` bits each, lane 0 in
the least significant bits. Feature maps stream in NHWC order, channels fastest: a pixel of C
channels is C / lanes consecutive words. Bipolar elements are bits (1 = +1, 0 = −1).

A kernel's parameters are its spec (`op.spec`: a frozen KernelSpec of plain integers, e.g.
MvtuSpec(rows, columns, vectors, pe, simd, ...)); its tables (weights, thresholds, offsets) are
properties of their own, and each op is built from its spec (`hw.MvtuOp(input, spec,
weights=...)`). bnnir/analysis/lowering.py makes the specs of a bnn layer, which folding costs
and bnn-to-hwstream builds, so a kernel's numbers before and after conversion are one.

Every kernel knows the words it reads and writes per frame, so the design's verifier checks that
each producer writes exactly the words its consumer reads, with the same lanes of the same bits,
and that the input and output streams carry the frames of `input_type` and `output_type`. The
semantics of each kernel are in its docstring; the stream interpreter (bnnir/interp/hwstream.py)
implements them, the cost model (bnnir/analysis/cost_model.py) gives their cycles and resources,
and bnnir/analysis/stream_schedule.py their loops' cycle-level timing.

    hwstream.design @cnv attributes {...} {
    ^bb0(%in: !hwstream.stream<24>):
      %w = hwstream.window %in {channels = 3, ...} : !hwstream.stream<24> -> !hwstream.stream<24>
      ...
      hwstream.yield %out : !hwstream.stream<32>
    }
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import ClassVar, TypeVar

import numpy as np
from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FlatSymbolRefAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    SymbolNameConstraint,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, Region, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, Pure, SymbolOpInterface, SymbolTable
from xdsl.utils.exceptions import VerifyException

from bnnir.dialects.bnn_values import dense_to_numpy


@irdl_attr_definition
class StreamType(ParametrizedAttribute, TypeAttribute):
    """A stream of W-bit words: `!hwstream.stream<W>`."""

    name = "hwstream.stream"

    width: IntAttr

    def __init__(self, width: int | IntAttr):
        super().__init__(IntAttr(width) if isinstance(width, int) else width)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return (IntAttr(width),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}>")

    def verify(self) -> None:
        if self.width.data <= 0:
            raise VerifyException(f"stream width must be positive, got {self.width.data}")


def int_values(attr: DenseArrayBase) -> tuple[int, ...]:
    return tuple(int(v) for v in attr.iter_values())


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def stream_width(value: SSAValue) -> int:
    if not isinstance(value.type, StreamType):
        raise VerifyException(f"expected a !hwstream.stream, got {value.type}")
    return value.type.width.data


_S = TypeVar("_S", bound="KernelSpec")

I64Attr = IntegerAttr[I64]
I64Array = DenseArrayBase.constr(I64)


# ===----------------------------------------------------------------------=== #
# Kernel specs
# ===----------------------------------------------------------------------=== #


class KernelSpec(ABC):
    """A kernel's parameters as plain values: its op's properties (integers, tuples of them,
    flags) less its tables, plus what the tables' shapes say (`DERIVED`). A kernel's stream
    layout and cost depend on its spec alone, so folding enumerates specs
    (bnnir/analysis/lowering.py makes them from bnn layers, bnnir/analysis/kernel_costs.py costs
    them), bnn-to-hwstream builds ops from them (each op's `__init__` takes its spec) and an op
    gives its own back (`KernelOp.spec`), which is how other code reads a kernel's parameters."""

    DERIVED: ClassVar[frozenset[str]] = frozenset()
    """Fields read from the op's tables, not from properties of their own."""

    @property
    def op(self) -> type[KernelOp]:
        """The kernel op this spec describes."""
        return KERNEL_OPS[type(self)]

    @property
    def kind(self) -> str:
        """The op's name in its dialect (`mvtu`): a report's kind column."""
        return self.op.name.removeprefix("hwstream.")

    @property
    @abstractmethod
    def lanes_in(self) -> int:
        """Lanes per input word."""

    @property
    @abstractmethod
    def lanes_out(self) -> int:
        """Lanes per output word."""

    @property
    @abstractmethod
    def bits_in(self) -> int:
        """Bits per input lane."""

    @property
    @abstractmethod
    def bits_out(self) -> int:
        """Bits per output lane."""

    @abstractmethod
    def words_in(self) -> int:
        """Words read per frame."""

    @abstractmethod
    def words_out(self) -> int:
        """Words written per frame."""

    @property
    def parallelism(self) -> tuple[int, int]:
        """(PE, SIMD): the output lanes computed per cycle (1 where nothing is computed in
        parallel) and the input lanes read per cycle."""
        return 1, self.lanes_in

    @property
    def widest(self) -> int:
        """The wider of its stream words, in bits."""
        return max(self.lanes_in * self.bits_in, self.lanes_out * self.bits_out)

    def properties(self) -> dict[str, Attribute]:
        """The op properties that hold this spec: integers as i64, tuples as i64 arrays, a true
        flag as a unit attribute (a false one is absent)."""
        props: dict[str, Attribute] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name in self.DERIVED or value is False:
                continue
            if value is True:
                props[f.name] = UnitAttr()
            elif isinstance(value, tuple):
                props[f.name] = i64_array(value)
            else:
                props[f.name] = IntegerAttr(value, i64)
        return props


@dataclass(frozen=True)
class _MapSpec(KernelSpec):
    """An H × W × C feature map streamed `simd` channels per word."""

    channels: int
    height: int
    width: int
    simd: int
    bits: int

    @property
    def lanes_in(self) -> int:
        return self.simd

    @property
    def lanes_out(self) -> int:
        return self.simd

    @property
    def bits_in(self) -> int:
        return self.bits

    @property
    def bits_out(self) -> int:
        return self.bits

    @property
    def folds(self) -> int:
        return self.channels // self.simd

    def words_in(self) -> int:
        return self.height * self.width * self.folds


@dataclass(frozen=True)
class PadSpec(_MapSpec):
    pads: tuple[int, ...]  # top, left, bottom, right
    value: int  # as a lane holds it: bipolar ±1 as its bit

    def output_size(self) -> tuple[int, int]:
        top, left, bottom, right = self.pads
        return self.height + top + bottom, self.width + left + right

    def words_out(self) -> int:
        oh, ow = self.output_size()
        return oh * ow * self.folds


@dataclass(frozen=True)
class WindowSpec(_MapSpec):
    kernel: tuple[int, ...]
    strides: tuple[int, ...]

    def output_size(self) -> tuple[int, int]:
        (kh, kw), (sh, sw) = self.kernel, self.strides
        return (self.height - kh) // sh + 1, (self.width - kw) // sw + 1

    def words_out(self) -> int:
        (kh, kw), (oh, ow) = self.kernel, self.output_size()
        return oh * ow * kh * kw * self.folds


@dataclass(frozen=True)
class PoolSpec(_MapSpec):
    kernel: tuple[int, ...]
    strides: tuple[int, ...]
    pads: tuple[int, ...]  # top, left, bottom, right

    def output_size(self) -> tuple[int, int]:
        (kh, kw), (sh, sw) = self.kernel, self.strides
        top, left, bottom, right = self.pads
        return ((self.height + top + bottom - kh) // sh + 1,
                (self.width + left + right - kw) // sw + 1)

    def words_out(self) -> int:
        oh, ow = self.output_size()
        return oh * ow * self.folds


@dataclass(frozen=True)
class DwcSpec(KernelSpec):
    in_lanes: int
    out_lanes: int
    bits: int
    words: int  # read per frame

    @property
    def lanes_in(self) -> int:
        return self.in_lanes

    @property
    def lanes_out(self) -> int:
        return self.out_lanes

    @property
    def bits_in(self) -> int:
        return self.bits

    @property
    def bits_out(self) -> int:
        return self.bits

    def words_in(self) -> int:
        return self.words

    def words_out(self) -> int:
        return self.words * self.in_lanes // self.out_lanes


@dataclass(frozen=True)
class MvtuSpec(KernelSpec):
    rows: int
    columns: int
    vectors: int
    pe: int
    simd: int
    input_bits: int
    output_bits: int
    xnor: bool = False
    signed_input: bool = False
    steps: int = 0  # thresholds per row (T); 0 without thresholds
    classes: int = 1  # border classes of its threshold or offset table
    weight_bits: int = 1  # 1: bipolar ±1 weights; 2..8: signed two's complement integers
    bipolar_input: bool = False  # integer weights against bipolar (±1) input bits

    DERIVED: ClassVar[frozenset[str]] = frozenset({"steps", "classes"})

    @property
    def lanes_in(self) -> int:
        return self.simd

    @property
    def lanes_out(self) -> int:
        return self.pe

    @property
    def bits_in(self) -> int:
        return self.input_bits

    @property
    def bits_out(self) -> int:
        return self.output_bits

    @property
    def parallelism(self) -> tuple[int, int]:
        return self.pe, self.simd

    @property
    def macs(self) -> int:
        """Multiply-accumulates per frame."""
        return self.rows * self.columns * self.vectors

    def words_in(self) -> int:
        return self.vectors * self.columns // self.simd

    def words_out(self) -> int:
        return self.vectors * self.rows // self.pe

    @property
    def widest(self) -> int:
        """The wider of its stream words and of one PE's weight word (SIMD·W bits), which is
        an ap_uint like a stream word."""
        return max(super().widest, self.simd * self.weight_bits)

    def properties(self) -> dict[str, Attribute]:
        """Its properties; `weight_bits` only when the weights are not bipolar (1)."""
        props = super().properties()
        if self.weight_bits == 1:
            del props["weight_bits"]
        return props

    def weight_memory_shape(self) -> tuple[int, int, int]:
        """finn-hlslib's weight memory: [PE, WMEM, ceil(SIMD·W / 8)] bytes."""
        depth = self.rows * self.columns // (self.pe * self.simd)
        return self.pe, depth, (self.simd * self.weight_bits + 7) // 8


@dataclass(frozen=True)
class ThresholdSpec(KernelSpec):
    channels: int
    pixels: int
    pe: int
    input_bits: int
    output_bits: int
    steps: int = 1  # thresholds per channel (T)

    DERIVED: ClassVar[frozenset[str]] = frozenset({"steps"})

    @property
    def lanes_in(self) -> int:
        return self.pe

    @property
    def lanes_out(self) -> int:
        return self.pe

    @property
    def bits_in(self) -> int:
        return self.input_bits

    @property
    def bits_out(self) -> int:
        return self.output_bits

    @property
    def parallelism(self) -> tuple[int, int]:
        return self.pe, self.pe

    def words_in(self) -> int:
        return self.pixels * self.channels // self.pe

    def words_out(self) -> int:
        return self.words_in()


@dataclass(frozen=True)
class LabelSelectSpec(KernelSpec):
    labels: int
    pe: int
    bits: int
    index_bits: int

    @property
    def lanes_in(self) -> int:
        return self.pe

    @property
    def lanes_out(self) -> int:
        return 1

    @property
    def bits_in(self) -> int:
        return self.bits

    @property
    def bits_out(self) -> int:
        return self.index_bits

    @property
    def parallelism(self) -> tuple[int, int]:
        return self.pe, self.pe

    def words_in(self) -> int:
        return self.labels // self.pe

    def words_out(self) -> int:
        return 1


@dataclass(frozen=True)
class FifoSpec(KernelSpec):
    depth: int
    lanes: int
    bits: int
    words: int

    @property
    def lanes_in(self) -> int:
        return self.lanes

    @property
    def lanes_out(self) -> int:
        return self.lanes

    @property
    def bits_in(self) -> int:
        return self.bits

    @property
    def bits_out(self) -> int:
        return self.bits

    def words_in(self) -> int:
        return self.words

    def words_out(self) -> int:
        return self.words


# ===----------------------------------------------------------------------=== #
# Kernels
# ===----------------------------------------------------------------------=== #


class KernelOp(IRDLOperation, ABC):
    """A streaming kernel: one input stream, one output stream. Its parameters are its spec
    (`op.spec`, a KernelSpec of plain integers); its tables are properties of their own."""

    input = operand_def(StreamType)
    output = result_def(StreamType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    SPEC: ClassVar[type[KernelSpec]]
    """The spec class of this kernel."""

    PROPERTY_ORDER: ClassVar[tuple[str, ...]] = ()
    """The order its builder gives its properties in (the printed order); the spec's
    otherwise, its tables after it."""

    def __init__(self, input: SSAValue, spec: KernelSpec,
                 tables: dict[str, Attribute | None] | None = None):
        assert isinstance(spec, self.SPEC), f"{self.name} takes a {self.SPEC.__name__}"
        props = spec.properties() | {k: v for k, v in (tables or {}).items() if v is not None}
        order = {name: index for index, name in enumerate(self.PROPERTY_ORDER)}
        props = dict(sorted(props.items(), key=lambda item: order.get(item[0], len(order))))
        super().__init__(operands=[input], properties=props,
                         result_types=[StreamType(spec.lanes_out * spec.bits_out)])

    @property
    def spec(self) -> KernelSpec:
        """Its parameters as plain values (see KernelSpec)."""
        return self._read_spec(self.SPEC)

    def _read_spec(self, cls: type[_S]) -> _S:
        # Read once per set of property values: the schedule and the interpreter ask often.
        props = tuple(self.properties.items())
        cached = self.__dict__.get("_spec_cache")
        if cached is not None and len(cached[0]) == len(props) and all(
                k == ck and v is cv for (k, v), (ck, cv) in zip(props, cached[0], strict=True)):
            return cached[1]
        spec = self._spec_from_properties(cls)
        self.__dict__["_spec_cache"] = (props, spec)
        return spec

    def _spec_from_properties(self, cls: type[_S]) -> _S:
        values: dict[str, object] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name in cls.DERIVED:
                continue
            attr = self.properties.get(f.name)
            if isinstance(attr, IntegerAttr):
                values[f.name] = attr.value.data
            elif isinstance(attr, DenseArrayBase):
                values[f.name] = int_values(attr)
            elif attr is None and isinstance(f.default, int):  # an absent flag or default
                values[f.name] = f.default
            else:
                values[f.name] = isinstance(attr, UnitAttr)
        return cls(**values, **self.derived())

    def derived(self) -> dict[str, int]:
        """The spec's DERIVED fields, from the tables."""
        return {}

    @property
    def lanes_in(self) -> int:
        return self.spec.lanes_in

    @property
    def lanes_out(self) -> int:
        return self.spec.lanes_out

    @property
    def bits_in(self) -> int:
        return self.spec.bits_in

    @property
    def bits_out(self) -> int:
        return self.spec.bits_out

    def words_in(self) -> int:
        """Words read per frame."""
        return self.spec.words_in()

    def words_out(self) -> int:
        """Words written per frame."""
        return self.spec.words_out()

    def check_positive(self, *names: str) -> None:
        spec = self.spec
        for name in names:
            if getattr(spec, name) <= 0:
                raise VerifyException(f"'{self.name}' {name} must be positive, got "
                                      f"{getattr(spec, name)}")

    def check_divides(self, part: str, whole: str) -> None:
        p, w = getattr(self.spec, part), getattr(self.spec, whole)
        if p <= 0 or w % p:
            raise VerifyException(f"'{self.name}' {part} ({p}) must divide {whole} ({w})")

    def check_array(self, name: str, length: int, minimum: int) -> tuple[int, ...]:
        values = getattr(self.spec, name)
        if len(values) != length or any(v < minimum for v in values):
            raise VerifyException(f"'{self.name}' {name} must be {length} integers >= {minimum}, "
                                  f"got {list(values)}")
        return values

    def check_outputs_fit(self, steps: int, bias: int) -> None:
        """A threshold count plus `bias`, bias..bias + steps, must fit the output lanes (two's
        complement when bias < 0)."""
        bits, low, high = self.bits_out, bias, bias + steps
        fits = (-(1 << (bits - 1)) <= low and high < 1 << (bits - 1)) if low < 0 else \
            high < 1 << bits
        if not fits:
            raise VerifyException(f"'{self.name}' outputs {low}..{high} ({steps} thresholds, bias "
                                  f"{bias}) do not fit in {bits} output bits")

    def verify_(self) -> None:
        self.verify_kernel()
        for what, value, lanes, bits in (("input", self.input, self.lanes_in, self.bits_in),
                                         ("output", self.output, self.lanes_out, self.bits_out)):
            if stream_width(value) != lanes * bits:
                raise VerifyException(
                    f"'{self.name}' {what} stream must be {lanes} lanes x {bits} bits = "
                    f"{lanes * bits} bits wide, got !hwstream.stream<{stream_width(value)}>"
                )

    def verify_kernel(self) -> None:
        """Kernel-specific checks (divisibility of the folding, memory shapes)."""


def _check_threshold_table(op: str, table: DenseIntOrFPElementsAttr) -> None:
    """Thresholds are si32, each row (the last axis) sorted ascending."""
    element = table.get_element_type()
    if not (isinstance(element, IntegerType) and element.width.data == 32
            and element.signedness.data == Signedness.SIGNED):
        raise VerifyException(f"'{op}' thresholds must be si32, got {element}")
    if np.any(np.diff(dense_to_numpy(table), axis=-1) < 0):
        raise VerifyException(f"'{op}' thresholds must be sorted ascending")


class _MapKernel(KernelOp, ABC):
    """A kernel over an H × W × C feature map streamed `simd` channels per word."""

    channels = prop_def(I64Attr)
    height = prop_def(I64Attr)
    width = prop_def(I64Attr)
    simd = prop_def(I64Attr)
    bits = prop_def(I64Attr)

    def verify_kernel(self) -> None:
        self.check_positive("channels", "height", "width", "bits")
        self.check_divides("simd", "channels")


def _check_window_fits(op: KernelOp, kernel: Sequence[int], size: tuple[int, int]) -> None:
    if kernel[0] > size[0] or kernel[1] > size[1]:
        raise VerifyException(f"'{op.name}' kernel {list(kernel)} does not fit in the "
                              f"{size[0]}x{size[1]} map")


@irdl_op_definition
class PadOp(_MapKernel):
    """Pads an H × W map to (H + top + bottom) × (W + left + right) with `value` in every
    channel (bipolar: 0 = −1, 1 = +1 as bits), row by row, channels fastest.

        %p = hwstream.pad %in {channels = 8 : i64, height = 6 : i64, width = 6 : i64,
                               simd = 8 : i64, bits = 1 : i64, pads = array<i64: 1, 1, 1, 1>,
                               value = 0 : i64} : !hwstream.stream<8> -> !hwstream.stream<8>
    """

    name = "hwstream.pad"

    pads = prop_def(I64Array)
    value = prop_def(I64Attr)

    SPEC: ClassVar[type[KernelSpec]] = PadSpec

    def __init__(self, input: SSAValue, spec: PadSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> PadSpec:
        return self._read_spec(PadSpec)

    def verify_kernel(self) -> None:
        super().verify_kernel()
        self.check_array("pads", 4, 0)
        # a multi-bit value's range depends on its stream's signedness: the design checks it
        spec = self.spec
        if spec.bits == 1 and spec.value not in (0, 1):
            raise VerifyException(f"'{self.name}' value {spec.value} is not a 1-bit lane value "
                                  "(0..1, bipolar bits)")


@irdl_op_definition
class WindowOp(_MapKernel):
    """The sliding-window unit: for each output pixel (row-major), each kernel tap (ky, kx) and
    each channel fold, one word of the input map at (y·sh + ky, x·sw + kx). The output of a
    pixel is thus its im2col column in (ky, kx, c) order."""

    name = "hwstream.window"

    kernel = prop_def(I64Array)
    strides = prop_def(I64Array)

    SPEC: ClassVar[type[KernelSpec]] = WindowSpec

    def __init__(self, input: SSAValue, spec: WindowSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> WindowSpec:
        return self._read_spec(WindowSpec)

    def output_size(self) -> tuple[int, int]:
        return self.spec.output_size()

    def verify_kernel(self) -> None:
        super().verify_kernel()
        kernel = self.check_array("kernel", 2, 1)
        self.check_array("strides", 2, 1)
        spec = self.spec
        _check_window_fits(self, kernel, (spec.height, spec.width))


@irdl_op_definition
class PoolOp(_MapKernel):
    """Max pooling with all channels in one word (simd = channels): the maximum of each window,
    padded taps ignored; on bipolar bits this is the OR of the window."""

    name = "hwstream.pool"

    kernel = prop_def(I64Array)
    strides = prop_def(I64Array)
    pads = prop_def(I64Array)

    SPEC: ClassVar[type[KernelSpec]] = PoolSpec

    def __init__(self, input: SSAValue, spec: PoolSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> PoolSpec:
        return self._read_spec(PoolSpec)

    def output_size(self) -> tuple[int, int]:
        return self.spec.output_size()

    def verify_kernel(self) -> None:
        super().verify_kernel()
        spec = self.spec
        if spec.simd != spec.channels:
            raise VerifyException(f"'{self.name}' takes all channels in one word: simd "
                                  f"({spec.simd}) must equal channels ({spec.channels})")
        kernel = self.check_array("kernel", 2, 1)
        self.check_array("strides", 2, 1)
        top, left, bottom, right = self.check_array("pads", 4, 0)
        if max(top, bottom) >= kernel[0] or max(left, right) >= kernel[1]:
            raise VerifyException(f"'{self.name}' pads {[top, left, bottom, right]} must be "
                                  f"smaller than the kernel {list(kernel)}")
        _check_window_fits(self, kernel, (spec.height + top + bottom,
                                          spec.width + left + right))


@irdl_op_definition
class DwcOp(KernelOp):
    """A width converter (a gearbox): regroups the stream's lanes from `in_lanes` to `out_lanes`
    per word, keeping their order (lane i of the frame stays lane i). Any two lane counts: a
    frame's `words` input words must fill whole output words. It moves one word per cycle on
    the side with more words, so it takes max(words in, words out) cycles per frame.

        %n = hwstream.dwc %w {in_lanes = 5 : i64, out_lanes = 3 : i64, bits = 1 : i64,
                              words = 3 : i64} : !hwstream.stream<5> -> !hwstream.stream<3>
    """

    name = "hwstream.dwc"

    in_lanes = prop_def(I64Attr)
    out_lanes = prop_def(I64Attr)
    bits = prop_def(I64Attr)
    words = prop_def(I64Attr)

    SPEC: ClassVar[type[KernelSpec]] = DwcSpec

    def __init__(self, input: SSAValue, spec: DwcSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> DwcSpec:
        return self._read_spec(DwcSpec)

    def verify_kernel(self) -> None:
        self.check_positive("in_lanes", "out_lanes", "bits", "words")
        a, b = self.lanes_in, self.lanes_out
        if (self.words_in() * a) % b:
            raise VerifyException(f"'{self.name}' {self.words_in()} words of {a} lanes do not "
                                  f"fill whole words of {b} lanes")


@irdl_op_definition
class MvtuOp(KernelOp):
    """The matrix-vector-threshold unit: MH × MW weights, PE rows and SIMD columns per cycle,
    over `vectors` input vectors of MW elements per frame.

    Weights are bipolar (±1, one bit each: 1 = +1) or, with `weight_bits` = N in 2..8, signed
    N-bit two's complement integers. They are stored as finn-hlslib lays them out: row r goes to
    PE r mod PE at fold nf = r div PE, column c to fold sf = c div SIMD, lane c mod SIMD; memory
    word nf·SF + sf of each PE is SIMD·N bits, lane j at bits [j·N, (j + 1)·N), lane 0 least
    significant (`weights`: [PE, NF·SF, ceil(SIMD·N/8)] bytes, the word's bytes little endian).
    With `xnor` (bipolar weights only) the input is bipolar bits and the accumulator counts
    matching bits (popcount P); otherwise it sums weight × input over the columns, the input
    lanes read as unsigned, `signed_input` (two's complement) or `bipolar_input` (bits, 1 = +1,
    0 = −1; integer weights only: bipolar weights on bipolar bits are `xnor`). With
    thresholds ([classes, PE, NF, T], sorted) a row outputs `bias` + Σ_i [acc ≥ t_i] (hardware
    compares with ≥ only: falling channels have negated weight rows); the class of a vector is
    its border class (`border` = the conv's input height, width, kernel, strides and pads:
    [IH, IW, KH, KW, SH, SW, top, left, bottom, right]) when classes > 1. Without thresholds
    a row outputs its signed dot product 2P − MW (xnor) or the sum, plus `offsets`[class, pe,
    nf] when given ([classes, PE, NF] of si32, hlslib order): the additive border-class
    correction of a zero-padded conv computed with −1 padding. A table of more than one class
    needs `border`, and its classes are the border's:
    (min(top, KH) + 1)·(min(bottom, KH) + 1)·(min(left, KW) + 1)·(min(right, KW) + 1).
    Outputs: NF words per vector, PE lanes each.
    """

    name = "hwstream.mvtu"

    rows = prop_def(I64Attr)
    columns = prop_def(I64Attr)
    vectors = prop_def(I64Attr)
    pe = prop_def(I64Attr)
    simd = prop_def(I64Attr)
    input_bits = prop_def(I64Attr)
    output_bits = prop_def(I64Attr)
    weights = prop_def(DenseIntOrFPElementsAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    bias = opt_prop_def(I64Attr)
    xnor = opt_prop_def(UnitAttr)
    signed_input = opt_prop_def(UnitAttr)
    bipolar_input = opt_prop_def(UnitAttr)
    weight_bits = opt_prop_def(I64Attr)
    border = opt_prop_def(I64Array)
    offsets = opt_prop_def(DenseIntOrFPElementsAttr)

    SPEC: ClassVar[type[KernelSpec]] = MvtuSpec
    PROPERTY_ORDER: ClassVar[tuple[str, ...]] = (
        "rows", "columns", "vectors", "pe", "simd", "input_bits", "weight_bits", "weights",
        "xnor", "signed_input", "bipolar_input", "offsets", "thresholds", "bias", "border",
        "output_bits")

    def __init__(self, input: SSAValue, spec: MvtuSpec, *,
                 weights: DenseIntOrFPElementsAttr,
                 thresholds: DenseIntOrFPElementsAttr | None = None, bias: int = 0,
                 border: Sequence[int] | None = None,
                 offsets: DenseIntOrFPElementsAttr | None = None):
        super().__init__(input, spec, {
            "weights": weights, "thresholds": thresholds,
            "bias": IntegerAttr(bias, i64) if bias else None,
            "border": None if border is None else i64_array(border), "offsets": offsets})

    @property
    def spec(self) -> MvtuSpec:
        return self._read_spec(MvtuSpec)

    def derived(self) -> dict[str, int]:
        table = self.thresholds if self.thresholds is not None else self.offsets
        shape = () if self.thresholds is None else tuple(self.thresholds.get_shape())
        return {"steps": shape[3] if len(shape) == 4 else 0,
                "classes": 1 if table is None or not table.get_shape() else
                table.get_shape()[0]}

    @property
    def bias_value(self) -> int:
        return 0 if self.bias is None else self.bias.value.data

    @property
    def is_xnor(self) -> bool:
        return self.xnor is not None

    def weight_memory_shape(self) -> tuple[int, int, int]:
        return self.spec.weight_memory_shape()

    def verify_kernel(self) -> None:
        self.check_positive("rows", "columns", "vectors", "input_bits", "output_bits")
        self.check_divides("pe", "rows")
        self.check_divides("simd", "columns")
        if self.is_xnor and self.spec.input_bits != 1:
            raise VerifyException(f"'{self.name}' xnor takes bipolar bits: input_bits must be 1, "
                                  f"got {self.spec.input_bits}")
        if self.is_xnor and self.signed_input is not None:
            raise VerifyException(f"'{self.name}' xnor takes bipolar bits, which are not "
                                  "signed_input")
        self._verify_weight_kind()
        expected = self.weight_memory_shape()
        weight_element = self.weights.get_element_type()
        if not (isinstance(weight_element, IntegerType) and weight_element.width.data == 8):
            raise VerifyException(f"'{self.name}' weights must be bytes (i8), got "
                                  f"{weight_element}")
        if tuple(self.weights.get_shape()) != expected:
            word = "SIMD bytes" if self.spec.weight_bits == 1 else \
                f"ceil(SIMD * {self.spec.weight_bits} weight bits / 8) bytes"
            raise VerifyException(
                f"'{self.name}' weights must be [PE, WMEM, {word}] = {list(expected)}, got "
                f"{list(self.weights.get_shape())}"
            )
        if self.thresholds is not None:
            self._verify_thresholds()
        elif self.bias is not None:
            raise VerifyException(f"'{self.name}' has a bias but no thresholds: the bias offsets "
                                  "threshold counts")
        if self.offsets is not None:
            self._verify_offsets()
        if self.thresholds is None:
            self._verify_dot_products_fit()
        if self.border is not None:
            self._verify_border()

    def _verify_weight_kind(self) -> None:
        """Bipolar weights are one bit; integer weights 2..8 bits, never XNOR, and the only
        ones a `bipolar_input` unit has (bipolar weights on bipolar bits are `xnor`)."""
        spec = self.spec
        if not 1 <= spec.weight_bits <= 8:
            raise VerifyException(f"'{self.name}' weight_bits must be 1 (bipolar ±1) or 2..8 "
                                  f"(signed two's complement), got {spec.weight_bits}")
        if spec.weight_bits > 1 and self.is_xnor:
            raise VerifyException(f"'{self.name}' xnor takes bipolar weights: weight_bits must "
                                  f"be 1, got {spec.weight_bits}")
        if spec.bipolar_input and (spec.weight_bits == 1 or spec.input_bits != 1
                                   or spec.signed_input):
            raise VerifyException(f"'{self.name}' bipolar_input takes 1-bit unsigned input "
                                  "lanes and integer weights (weight_bits >= 2); bipolar "
                                  "weights on bipolar input are xnor")

    def _verify_dot_products_fit(self) -> None:
        """Without thresholds a row outputs its dot product (plus offsets), two's complement."""
        bits, columns = self.spec.input_bits, self.spec.columns
        if self.is_xnor or self.spec.bipolar_input:
            largest_input = 1
        elif self.signed_input is not None:
            largest_input = 1 << (bits - 1)
        else:
            largest_input = (1 << bits) - 1
        bound = columns * largest_input << (self.spec.weight_bits - 1)  # |w| <= 2^(N-1)
        if self.offsets is not None:
            bound += int(np.abs(dense_to_numpy(self.offsets).astype(np.int64)).max(initial=0))
        out_bits = self.spec.output_bits
        if bound >= 1 << (out_bits - 1):
            raise VerifyException(
                f"'{self.name}' dot products reach ±{bound} over {columns} columns, which "
                f"{out_bits} signed output bits do not hold; give it thresholds or more "
                "output_bits")

    def _verify_thresholds(self) -> None:
        assert self.thresholds is not None
        shape = tuple(self.thresholds.get_shape())
        nf = self.spec.rows // self.spec.pe
        if len(shape) != 4 or shape[1:3] != (self.spec.pe, nf) or shape[3] < 1:
            raise VerifyException(
                f"'{self.name}' thresholds must be [classes, PE, NF, T] with PE = "
                f"{self.spec.pe}, NF = {nf} and T >= 1, got {list(shape)}"
            )
        _check_threshold_table(self.name, self.thresholds)
        self.check_outputs_fit(shape[3], self.bias_value)
        self._verify_classes("thresholds", shape[0])

    def border_classes(self) -> int:
        """The number of border classes `border` distinguishes (1 without it)."""
        if self.border is None:
            return 1
        _, _, kh, kw, _, _, top, left, bottom, right = int_values(self.border)
        return ((min(top, kh) + 1) * (min(bottom, kh) + 1) * (min(left, kw) + 1)
                * (min(right, kw) + 1))

    def _verify_border_format(self) -> None:
        assert self.border is not None
        border = list(int_values(self.border))
        if len(border) != 10:
            raise VerifyException(
                f"'{self.name}' border must be [IH, IW, KH, KW, SH, SW, top, left, bottom, "
                f"right], got {border}"
            )
        if min(border[:6]) < 1 or min(border[6:]) < 0:
            raise VerifyException(f"'{self.name}' border sizes must be >= 1 and its pads >= 0, "
                                  f"got {border}")

    def _verify_classes(self, table: str, classes: int) -> None:
        if self.border is not None:
            self._verify_border_format()
        if classes != self.border_classes():
            where = "without a border" if self.border is None else \
                f"for border {list(int_values(self.border))}"
            raise VerifyException(
                f"'{self.name}' {table} have {classes} border classes, but {where} there are "
                f"{self.border_classes()}"
            )

    def _verify_border(self) -> None:
        """`border` selects the class of each vector: it needs a table to select from, and its
        conv's output pixels are the unit's vectors."""
        assert self.border is not None
        self._verify_border_format()
        if self.thresholds is None and self.offsets is None:
            raise VerifyException(f"'{self.name}' border selects threshold or offset classes; "
                                  "it needs thresholds or offsets")
        in_h, in_w, kh, kw, sh, sw, top, left, bottom, right = int_values(self.border)
        pixels = ((in_h + top + bottom - kh) // sh + 1) * ((in_w + left + right - kw) // sw + 1)
        if pixels != self.spec.vectors:
            raise VerifyException(f"'{self.name}' border gives {pixels} output pixels but vectors "
                                  f"is {self.spec.vectors}")

    def _verify_offsets(self) -> None:
        assert self.offsets is not None
        if self.thresholds is not None:
            raise VerifyException(f"'{self.name}' has offsets and thresholds: a thresholded "
                                  "unit holds its offsets in its per-class thresholds")
        shape = tuple(self.offsets.get_shape())
        nf = self.spec.rows // self.spec.pe
        element = self.offsets.get_element_type()
        if len(shape) != 3 or shape[1:] != (self.spec.pe, nf) or not (
            isinstance(element, IntegerType) and element.signedness.data == Signedness.SIGNED
            and element.width.data == 32
        ):
            raise VerifyException(
                f"'{self.name}' offsets must be [classes, PE, NF] of si32 with PE = "
                f"{self.spec.pe} and NF = {nf}, got {self.offsets.get_type()}"
            )
        self._verify_classes("offsets", shape[0])




@irdl_op_definition
class ThresholdOp(KernelOp):
    """A standalone multi-threshold unit over `pixels` × `channels` values streamed PE channels
    per word: each value becomes `bias` + Σ_i [v ≥ t_{c,i}], or Σ_i [v ≤ t_{c,i}] for a channel
    listed in `descending` (`thresholds`: [PE, NF, T], channel c at PE c mod PE, fold c div PE).
    """

    name = "hwstream.threshold"

    channels = prop_def(I64Attr)
    pixels = prop_def(I64Attr)
    pe = prop_def(I64Attr)
    input_bits = prop_def(I64Attr)
    output_bits = prop_def(I64Attr)
    thresholds = prop_def(DenseIntOrFPElementsAttr)
    bias = opt_prop_def(I64Attr)
    descending = opt_prop_def(I64Array)

    SPEC: ClassVar[type[KernelSpec]] = ThresholdSpec
    PROPERTY_ORDER: ClassVar[tuple[str, ...]] = (
        "channels", "pixels", "pe", "input_bits", "thresholds", "output_bits", "bias",
        "descending")

    def __init__(self, input: SSAValue, spec: ThresholdSpec, *,
                 thresholds: DenseIntOrFPElementsAttr, bias: int = 0,
                 descending: Sequence[int] = ()):
        super().__init__(input, spec, {
            "thresholds": thresholds, "bias": IntegerAttr(bias, i64) if bias else None,
            "descending": i64_array(descending) if descending else None})

    @property
    def spec(self) -> ThresholdSpec:
        return self._read_spec(ThresholdSpec)

    def derived(self) -> dict[str, int]:
        shape = self.thresholds.get_shape()
        return {"steps": shape[2] if len(shape) == 3 else 0}

    def verify_kernel(self) -> None:
        self.check_positive("channels", "pixels", "input_bits", "output_bits")
        self.check_divides("pe", "channels")
        shape = tuple(self.thresholds.get_shape())
        spec = self.spec
        pe, channels = spec.pe, spec.channels
        if len(shape) != 3 or shape[:2] != (pe, channels // pe) or shape[2] < 1:
            raise VerifyException(
                f"'{self.name}' thresholds must be [PE, NF, T] with PE = {pe}, NF = "
                f"{channels // pe} and T >= 1, got {list(shape)}")
        _check_threshold_table(self.name, self.thresholds)
        self.check_outputs_fit(shape[2], 0 if self.bias is None else self.bias.value.data)
        if self.descending is not None:
            listed = int_values(self.descending)
            if any(not 0 <= c < channels for c in listed):
                raise VerifyException(f"'{self.name}' descending lists channels outside "
                                      f"0..{channels - 1}: {list(listed)}")


@irdl_op_definition
class LabelSelectOp(KernelOp):
    """The index of the largest of `labels` values (lowest index on ties), read PE per word;
    writes one word holding the index."""

    name = "hwstream.label_select"

    labels = prop_def(I64Attr)
    pe = prop_def(I64Attr)
    bits = prop_def(I64Attr)
    index_bits = prop_def(I64Attr)

    SPEC: ClassVar[type[KernelSpec]] = LabelSelectSpec

    def __init__(self, input: SSAValue, spec: LabelSelectSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> LabelSelectSpec:
        return self._read_spec(LabelSelectSpec)

    def verify_kernel(self) -> None:
        self.check_positive("labels", "bits", "index_bits")
        self.check_divides("pe", "labels")
        spec = self.spec
        needed = max(1, (spec.labels - 1).bit_length())
        if spec.index_bits < needed:
            raise VerifyException(f"'{self.name}' index_bits ({spec.index_bits}) cannot hold "
                                  f"label {spec.labels - 1}: it needs {needed}")


@irdl_op_definition
class FifoOp(KernelOp):
    """A FIFO of `depth` words; the stream passes through unchanged."""

    name = "hwstream.fifo"

    depth = prop_def(I64Attr)
    lanes = prop_def(I64Attr)
    bits = prop_def(I64Attr)
    words = prop_def(I64Attr)

    SPEC: ClassVar[type[KernelSpec]] = FifoSpec

    def __init__(self, input: SSAValue, spec: FifoSpec):
        super().__init__(input, spec)

    @property
    def spec(self) -> FifoSpec:
        return self._read_spec(FifoSpec)

    def verify_kernel(self) -> None:
        self.check_positive("depth", "lanes", "bits", "words")


KERNEL_OPS: dict[type[KernelSpec], type[KernelOp]] = {
    op.SPEC: op
    for op in (PadOp, WindowOp, PoolOp, DwcOp, MvtuOp, ThresholdOp, LabelSelectOp, FifoOp)
}
"""The op of each kernel spec."""


# ===----------------------------------------------------------------------=== #
# The design
# ===----------------------------------------------------------------------=== #


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The design's output stream."""

    name = "hwstream.yield"

    stream = operand_def(StreamType)

    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(DesignOp)))
    assembly_format = "$stream attr-dict `:` type($stream)"

    def __init__(self, stream: SSAValue):
        super().__init__(operands=[stream])


@irdl_op_definition
class DesignOp(IRDLOperation):
    """A streaming accelerator. Its block argument is the input stream: each frame of
    `input_type` (NCHW, batch first) enters in NHWC order, `input_lanes` elements per word, each
    as many bits as its integer element type (bipolar i1 as one bit). The yielded stream carries
    each frame of `output_type` in the same way, `output_lanes` per word, in lanes no wider than
    its elements."""

    name = "hwstream.design"

    sym_name = prop_def(SymbolNameConstraint())
    input_type = prop_def(TensorType)
    output_type = prop_def(TensorType)
    input_lanes = prop_def(IntegerAttr)
    output_lanes = prop_def(IntegerAttr)
    body = region_def("single_block")

    traits = traits_def(SymbolOpInterface())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$sym_name attr-dict-with-keyword $body"

    def __init__(self, name: str, body: Region, properties: dict[str, Attribute]):
        super().__init__(properties={"sym_name": StringAttr(name), **properties},
                         regions=[body])

    def kernels(self) -> list[KernelOp]:
        return [op for op in self.body.block.ops if isinstance(op, KernelOp)]

    def input_words(self) -> int:
        """Words of the input stream per frame."""
        return _frame_elements(self.input_type) // self.input_lanes.value.data

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != 1 or not isinstance(block.args[0].type, StreamType):
            raise VerifyException("'hwstream.design' takes exactly one input stream")
        if not isinstance(block.last_op, YieldOp):
            raise VerifyException("'hwstream.design' must end with hwstream.yield")
        for op in block.ops:
            if not isinstance(op, KernelOp | YieldOp):
                raise VerifyException(f"'hwstream.design' holds kernels and hwstream.yield only, "
                                      f"got '{op.name}'")
            if isinstance(op, KernelOp) and not op.output.has_one_use():
                raise VerifyException(f"'{op.name}' output must feed exactly one kernel")
        if not block.args[0].has_one_use():
            raise VerifyException("'hwstream.design' input stream must feed exactly one kernel")
        defined: set[SSAValue] = {block.args[0]}
        for op in block.ops:
            if any(operand not in defined for operand in op.operands):
                raise VerifyException(f"'{op.name}' reads a stream written after it; kernels "
                                      "stand in stream order, each after its producer")
            defined.update(op.results)
        source = self._verify_input()
        for op in self.kernels():
            producer = op.input.owner
            if isinstance(producer, KernelOp):
                _verify_link(op, f"its producer '{producer.name}'", producer.lanes_out,
                             producer.bits_out, producer.words_out())
            else:
                _verify_link(op, *source)
        self._verify_output(block.last_op, source)
        self._verify_pad_values()

    def _verify_pad_values(self) -> None:
        """A pad value must be a value of its stream's lanes: unsigned or two's complement."""
        signed = lane_signedness(self)
        for op in self.kernels():
            if not isinstance(op, PadOp) or op.spec.bits == 1:
                continue
            bits, value = op.spec.bits, op.spec.value
            low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed[op.input] else \
                (0, (1 << bits) - 1)
            if not low <= value <= high:
                kind = "signed" if signed[op.input] else "unsigned"
                raise VerifyException(f"'{op.name}' value {value} is not a value of its {kind} "
                                      f"{bits}-bit lanes ({low}..{high})")

    def _verify_input(self) -> tuple[str, int, int, int]:
        """The input stream as a producer: (name, lanes, bits, words per frame)."""
        lanes = self.input_lanes.value.data
        bits = _element_bits(self.input_type, "input_type")
        elements = _frame_elements(self.input_type)
        if lanes <= 0 or elements % lanes:
            raise VerifyException(f"'hwstream.design' input_lanes ({lanes}) must divide the "
                                  f"{elements} elements of a frame of {self.input_type}")
        width = stream_width(self.body.block.args[0])
        if width != lanes * bits:
            raise VerifyException(
                f"'hwstream.design' input stream must be input_lanes x element bits = {lanes} x "
                f"{bits} = {lanes * bits} bits wide, got !hwstream.stream<{width}>")
        return "the design's input stream", lanes, bits, elements // lanes

    def _verify_output(self, yield_op: YieldOp, source: tuple[str, int, int, int]) -> None:
        producer = yield_op.stream.owner
        _, lanes, bits, words = source
        if isinstance(producer, KernelOp):
            lanes, bits, words = producer.lanes_out, producer.bits_out, producer.words_out()
        output_lanes = self.output_lanes.value.data
        if lanes != output_lanes:
            raise VerifyException(f"'hwstream.yield' stream has {lanes} lanes per word but the "
                                  f"design's output_lanes is {output_lanes}")
        elements = _frame_elements(self.output_type)
        if words * lanes != elements:
            raise VerifyException(
                f"'hwstream.yield' stream carries {words} words x {lanes} lanes = "
                f"{words * lanes} elements per frame, but a frame of {self.output_type} has "
                f"{elements}")
        element_bits = _element_bits(self.output_type, "output_type")
        if bits > element_bits or (element_bits == 1 and bits != 1):
            raise VerifyException(f"'hwstream.yield' lanes of {bits} bits do not fit the "
                                  f"{self.output_type.element_type} elements of output_type")


def _frame_elements(tensor: TensorType) -> int:
    shape = tensor.get_shape()
    if len(shape) < 2 or any(d <= 0 for d in shape[1:]):
        raise VerifyException(f"'hwstream.design' frames must be a batch of static shape "
                              f"[N, ...], got {tensor}")
    return int(np.prod(shape[1:]))


def _element_bits(tensor: TensorType, what: str) -> int:
    element = tensor.element_type
    if not isinstance(element, IntegerType):
        raise VerifyException(f"'hwstream.design' {what} must have integer or bipolar (i1) "
                              f"elements, got {element}")
    return element.width.data


def _verify_link(op: KernelOp, producer: str, lanes: int, bits: int, words: int) -> None:
    """The words `op` reads are the ones its `producer` (a phrase) writes, lane for lane."""
    if (lanes, bits) != (op.lanes_in, op.bits_in):
        raise VerifyException(
            f"'{op.name}' reads words of {op.lanes_in} lanes x {op.bits_in} bits but "
            f"{producer} writes {lanes} lanes x {bits} bits")
    if words != op.words_in():
        raise VerifyException(f"'{op.name}' reads {op.words_in()} words per frame but "
                              f"{producer} writes {words}")


@irdl_op_definition
class InstanceOp(IRDLOperation):
    """Runs the design `design` on a batch: the host side of the accelerator, converting the
    input tensor into the design's input stream and its output stream back into a tensor."""

    name = "hwstream.instance"

    design = prop_def(FlatSymbolRefAttr)
    input = operand_def(TensorType)
    output = result_def(TensorType)

    assembly_format = "$design `(` $input `)` attr-dict `:` type($input) `->` type($output)"

    def __init__(self, design: str, input: SSAValue, output_type: Attribute):
        super().__init__(operands=[input], properties={"design": FlatSymbolRefAttr(design)},
                         result_types=[output_type])

    def verify_(self) -> None:
        name = self.design.root_reference.data
        design = SymbolTable.lookup_symbol(self, name)
        if not isinstance(design, DesignOp):
            raise VerifyException(f"'{self.name}' names @{name}, which is not a hwstream.design "
                                  "in this module")
        # the design verifies after this op when it follows it in the module
        missing = [p for p in ("input_type", "output_type") if p not in design.properties]
        if missing:
            raise VerifyException(f"'{self.name}' names @{name}, whose hwstream.design lacks "
                                  f"{' and '.join(missing)}")
        for what, actual, expected in (("input", self.input.type, design.input_type),
                                       ("result", self.output.type, design.output_type)):
            if actual != expected:
                raise VerifyException(f"'{self.name}' {what} is {actual} but @{name} has "
                                      f"{what.replace('result', 'output')}_type {expected}")


def lane_signedness(design: DesignOp) -> dict[SSAValue, bool]:
    """Whether each stream of the design carries two's complement lanes: the input's as its
    element type says, an MVTU's dot products and any output with a negative bias are signed,
    label indices are not, and the other kernels pass their input's on."""
    element = design.input_type.element_type
    signed: dict[SSAValue, bool] = {
        design.body.block.args[0]: isinstance(element, IntegerType)
        and element.signedness.data == Signedness.SIGNED
    }
    for op in design.kernels():
        match op:
            case MvtuOp():
                signed[op.output] = op.thresholds is None or op.bias_value < 0
            case ThresholdOp():
                signed[op.output] = op.bias is not None and op.bias.value.data < 0
            case LabelSelectOp():
                signed[op.output] = False
            case _:
                signed[op.output] = signed[op.input]
    return signed


HWStream = Dialect(
    "hwstream",
    [
        DesignOp, YieldOp, InstanceOp, PadOp, WindowOp, PoolOp, DwcOp, MvtuOp, ThresholdOp,
        LabelSelectOp, FifoOp,
    ],
    [StreamType],
)
