"""The HLS C++ backend: a hwstream design as Vitis-HLS-style C++ over our kernel library.

    bnn-translate IN.mlir --emit-hls            one self-contained translation unit
    bnn-translate IN.mlir --emit-hls -o DIR     a project: top.cpp, top.hpp, params.hpp, tb.cpp,
                                                include/bnnir/*.hpp, Makefile, hls.tcl, README.md

The top function `accel` runs one kernel call per hwstream kernel under `#pragma HLS DATAFLOW`,
joined by `hls::stream`s whose depths are the design's FIFOs. Its AXI-stream ports are
byte-aligned and independent of the folding (`Port`): input and output adapters convert between
them and the first and last kernels' words. Weights are `bnnir::BinaryWeights`, one memory of
SIMD-bit words per PE (finn-hlslib order, hex); thresholds `bnnir::Thresholds`, one memory per
PE and step; both are partitioned so that every read of a cycle has its own port. Every
translation unit defines AP_INT_MAX_W for the design's widest word (at most 4096 bits, Vitis
HLS's limit). The same input always gives byte-identical files.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
from xdsl.dialects.builtin import ModuleOp, StringAttr, TensorType
from xdsl.ir import SSAValue

from bnnir.analysis import targets
from bnnir.analysis.cost_model import MAX_STREAM_BITS, divisors
from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw
from bnnir.dialects.bnn_values import dense_to_numpy

AP_INT_DEFAULT_MAX_W = 1024
"""ap_int.h's own limit, which AP_INT_MAX_W raises."""


def design_of(module: ModuleOp) -> hw.DesignOp:
    designs = [op for op in module.ops if isinstance(op, hw.DesignOp)]
    if len(designs) != 1:
        raise BnnirError("--emit-hls", f"needs a module with one hwstream.design (found "
                         f"{len(designs)}); run bnn-fold and bnn-to-hwstream first")
    return designs[0]


# ===----------------------------------------------------------------------=== #
# The kernel library
# ===----------------------------------------------------------------------=== #

_LOCAL_INCLUDE = re.compile(r'^#include "([a-z_]+\.hpp)"\n', re.MULTILINE)


def library_headers() -> dict[str, str]:
    """The kernel library: file name -> text."""
    folder = resources.files("bnnir.backends.hls") / "include" / "bnnir"
    return {f.name: f.read_text() for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".hpp")}


def inlined_headers(names: set[str]) -> str:
    """The headers `names` and those they include, each once, dependencies first, with their
    local #include lines removed: the library part of a self-contained translation unit."""
    library = library_headers()
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for dependency in _LOCAL_INCLUDE.findall(library[name]):
            visit(dependency)
        order.append(name)

    for name in sorted(names):
        visit(name)
    return "\n".join(_LOCAL_INCLUDE.sub("", library[name]) for name in order)


# ===----------------------------------------------------------------------=== #
# Constant tables
# ===----------------------------------------------------------------------=== #


def _braced(values: np.ndarray, literal: list[str]) -> str:
    """C aggregate initializer of an N-d array: a row that fits in a line stays on one line,
    longer innermost rows break every 16 literals. Nested braces are spaced: `{ {1, 2} }`."""
    if values.ndim == 1:
        rows = [", ".join(literal[i : i + 16]) for i in range(0, len(literal), 16)]
        return "{" + ",\n ".join(rows) + "}"
    step = len(literal) // values.shape[0]
    parts = [_braced(values[i], literal[i * step : (i + 1) * step])
             for i in range(values.shape[0])]
    line = ", ".join(parts)
    return "{ " + (line if len(line) <= 90 and "\n" not in line else ",\n".join(parts)) + " }"


def hex_table(values: np.ndarray, bits: int) -> str:
    digits = max(1, -(-bits // 4))
    return _braced(values, [f"0x{int(v):0{digits}x}" for v in values.reshape(-1)])


def int_table(values: np.ndarray) -> str:
    return _braced(values, [str(int(v)) for v in values.reshape(-1)])


def signed_bits(values: np.ndarray) -> int:
    """Bits of the narrowest two's complement type holding all `values`."""
    low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
    return max(2, max((-low - 1).bit_length(), high.bit_length()) + 1)


@dataclass(frozen=True)
class WeightMemory:
    """An MVTU's weights as `bnnir::Weights<PE, SIMD, BITS, WMEM>` (`BinaryWeights<PE, SIMD,
    WMEM>` for bipolar ones): [PE, CHUNKS, WMEM] words of CHUNK_BITS (the SIMD·BITS-bit word cut
    into pieces of at most 64 bits, lane 0 lowest)."""

    pe: int
    simd: int
    depth: int
    bits: int = 1

    @property
    def width(self) -> int:
        return self.simd * self.bits

    @property
    def chunks(self) -> int:
        return -(-self.width // 64)

    @property
    def chunk_bits(self) -> int:
        return -(-self.width // self.chunks)

    @property
    def cpp_type(self) -> str:
        if self.bits == 1:
            return f"bnnir::BinaryWeights<{self.pe}, {self.simd}, {self.depth}>"
        return f"bnnir::Weights<{self.pe}, {self.simd}, {self.bits}, {self.depth}>"

    def words(self, packed: np.ndarray) -> np.ndarray:
        """[PE, WMEM, SIMD·BITS/8 bytes] (the hwstream.mvtu layout) -> [PE, CHUNKS, WMEM]
        uint64."""
        bits = np.unpackbits(packed.view(np.uint8), axis=2, count=self.width, bitorder="little")
        padded = np.zeros((self.pe, self.depth, self.chunks * self.chunk_bits), np.uint64)
        padded[:, :, : self.width] = bits
        pieces = padded.reshape(self.pe, self.depth, self.chunks, self.chunk_bits)
        weights = np.left_shift(np.uint64(1), np.arange(self.chunk_bits, dtype=np.uint64))
        return (pieces * weights).sum(axis=3, dtype=np.uint64).transpose(0, 2, 1)


# ===----------------------------------------------------------------------=== #
# Ports
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Port:
    """An AXI-stream port of the accelerator: each `width`-bit word (a multiple of 8) holds
    `lanes` elements of `bits` bits, element 0 in the lowest bits, the bits above them zero;
    `words` words per frame in the design's order (NHWC). The kernel next to the port moves
    `kernel_lanes` elements per word, a divisor of `lanes`."""

    lanes: int
    bits: int
    words: int
    kernel_lanes: int
    pixel: int  # elements of one pixel (the channels at one position; a vector is one pixel)

    @property
    def width(self) -> int:
        return -(-self.lanes * self.bits // 8) * 8

    @property
    def adapted(self) -> bool:
        """Whether an adapter sits between the port and the kernel."""
        return self.lanes != self.kernel_lanes or self.width != self.lanes * self.bits

    def describe(self) -> str:
        elements = "1 element" if self.lanes == 1 else f"{self.lanes} elements"
        if self.lanes == self.pixel:
            return f"one pixel ({elements})"
        if self.lanes % self.pixel == 0:
            return f"{self.lanes // self.pixel} pixels ({elements})"
        return f"{self.lanes} consecutive elements"


def port_for(tensor: TensorType, kernel_lanes: int, bits: int) -> Port:
    """The port of a design's input or output tensor: a word per pixel (the C channels of an
    NCHW map at one position, or a whole [N, F] vector) when the kernel's words tile it and it
    fits MAX_STREAM_BITS; otherwise the most elements of the frame that are whole kernel words
    (whole pixels if possible) and fit."""
    if kernel_lanes * bits > MAX_STREAM_BITS:
        raise BnnirError("--emit-hls", f"a kernel next to a port moves {kernel_lanes * bits}-bit "
                         f"words; Vitis HLS allows at most {MAX_STREAM_BITS} (AP_INT_MAX_W): fold "
                         "it with a smaller PE or SIMD")
    shape = tensor.get_shape()[1:]
    frame = math.prod(shape)
    pixel = shape[0] if len(shape) == 3 else frame
    lanes = pixel
    if pixel % kernel_lanes or pixel * bits > MAX_STREAM_BITS:
        fitting = [d for d in divisors(frame)
                   if d % kernel_lanes == 0 and d * bits <= MAX_STREAM_BITS]
        lanes = max([d for d in fitting if d % pixel == 0] or fitting)
    return Port(lanes, bits, frame // lanes, kernel_lanes, pixel)


@dataclass(frozen=True)
class Interface:
    input: Port
    output: Port
    input_signed: bool
    output_signed: bool


def interface(design: hw.DesignOp) -> Interface:
    arg = design.body.block.args[0]
    last = design.kernels()[-1]
    lanes_in = design.input_lanes.value.data
    signed = hw.lane_signedness(design)
    return Interface(
        port_for(design.input_type, lanes_in, hw.stream_width(arg) // lanes_in),
        port_for(design.output_type, last.lanes_out, last.bits_out),
        signed[arg], signed[last.output])


# ===----------------------------------------------------------------------=== #
# The top function
# ===----------------------------------------------------------------------=== #


KERNEL_HEADERS: dict[type[hw.KernelOp], str] = {
    hw.PadOp: "pad.hpp",
    hw.WindowOp: "window.hpp",
    hw.PoolOp: "pool.hpp",
    hw.DwcOp: "dwc.hpp",
    hw.MvtuOp: "mvtu.hpp",
    hw.ThresholdOp: "threshold.hpp",
    hw.LabelSelectOp: "label_select.hpp",
}
"""The library header of each kernel."""


def _unbuffered(stream: SSAValue) -> SSAValue:
    """The stream a kernel (or the design's input) writes, before the FIFOs on it."""
    while isinstance(stream.owner, hw.FifoOp):
        stream = stream.owner.input
    return stream


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _map(spec: hw.PadSpec | hw.WindowSpec) -> str:
    return f"{spec.height}, {spec.width}, {spec.channels}, {spec.simd}, {spec.bits}"


@dataclass
class Emitter:
    """Walks a design once, collecting the top function's body, the parameter tables and the
    library headers the kernels need."""

    design: hw.DesignOp
    io: Interface
    params: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    headers: set[str] = field(default_factory=lambda: {"common.hpp"})
    names: dict[SSAValue, str] = field(default_factory=dict)
    depths: dict[SSAValue, int] = field(default_factory=dict)
    signed: dict[SSAValue, bool] = field(default_factory=dict)
    widest: int = 0

    def emit(self) -> None:
        self.signed = hw.lane_signedness(self.design)
        kernels = [op for op in self.design.kernels() if not isinstance(op, hw.FifoOp)]
        for op in self.design.kernels():
            if isinstance(op, hw.FifoOp):  # a FIFO is the depth of the stream it buffers
                source = _unbuffered(op.input)
                self.depths[source] = max(self.depths.get(source, 0), op.spec.depth)
        self._check_width(self.io.input.width, "the input port")
        self._check_width(self.io.output.width, "the output port")
        first = self.design.body.block.args[0]
        self.names[first] = "in"
        if self.io.input.adapted:
            self.headers.add("adapters.hpp")
            p = self.io.input
            self.body.append("  // input adapter")
            self.names[first] = self._stream(first, "adapted_in")
            self.body.append(f"  bnnir::input_adapter<{p.lanes}, {p.kernel_lanes}, {p.bits}, "
                             f"{p.width}, {p.words}>(in, adapted_in, frames);")
        for op in kernels:
            self._kernel(op, final=op is kernels[-1])
        if self.io.output.adapted:
            self.headers.add("adapters.hpp")
            p = self.io.output
            self.body.append("  // output adapter")
            self.body.append(f"  bnnir::output_adapter<{p.kernel_lanes}, {p.lanes}, {p.bits}, "
                             f"{p.width}, {p.words}>(adapted_out, out, frames);")

    def _check_width(self, width: int, what: str) -> None:
        if width > MAX_STREAM_BITS:
            raise BnnirError("--emit-hls", f"{what} is {width} bits wide; Vitis HLS allows at "
                             f"most {MAX_STREAM_BITS} (AP_INT_MAX_W): fold it with a smaller "
                             "PE or SIMD")
        self.widest = max(self.widest, width)

    def _stream(self, value: SSAValue, name: str) -> str:
        width = hw.stream_width(value)
        depth = self.depths.get(value, targets.DEFAULT_STREAM_DEPTH)
        self.body.append(f'  hls::stream<ap_uint<{width}> > {name}("{name}");')
        self.body.append(f"#pragma HLS STREAM variable = {name} depth = {depth}")
        return name

    def _kernel(self, op: hw.KernelOp, final: bool) -> None:
        """Its block of the top function: a comment naming it, the stream it writes, the
        partitions of its memories and its call."""
        index = len(self.names)
        what = f"{op.attributes['layer'].data}: {op.name}" \
            if isinstance(op.attributes.get("layer"), StringAttr) else op.name
        self._check_width(hw.stream_width(op.output), f"the output stream of {what}")
        if type(op) not in KERNEL_HEADERS:
            raise BnnirError("--emit-hls", f"no HLS kernel for {op.name}")
        self.headers.add(KERNEL_HEADERS[type(op)])
        self.body.append(f"  // {what}")
        if final:
            sink = "adapted_out" if self.io.output.adapted else "out"
            if self.io.output.adapted:
                self._stream(op.output, sink)
        else:
            sink = self._stream(op.output, f"s{index}")
        self.names[op.output] = sink
        kernel, args = self._template(op, f"k{index}")
        self.body.append(f"  {kernel}({self.names[_unbuffered(op.input)]}, {sink}{args}, frames);")

    def _template(self, op: hw.KernelOp, name: str) -> tuple[str, str]:
        """(the kernel's template instance, its memory arguments)."""
        signed_in = self.signed[op.input]
        match op:
            case hw.PadOp(spec=spec):
                t, left, b, r = spec.pads
                return f"bnnir::pad<{_map(spec)}, {t}, {left}, {b}, {r}, {spec.value}>", ""
            case hw.WindowOp(spec=spec):
                (kh, kw), (sh, sw) = spec.kernel, spec.strides
                return f"bnnir::window<{_map(spec)}, {kh}, {kw}, {sh}, {sw}>", ""
            case hw.PoolOp(spec=spec):
                (kh, kw), (sh, sw), (t, left, b, r) = spec.kernel, spec.strides, spec.pads
                return (f"bnnir::pool<{spec.height}, {spec.width}, {spec.channels}, {spec.bits}, "
                        f"{_bool(signed_in)}, {kh}, {kw}, {sh}, {sw}, {t}, {left}, {b}, {r}>",
                        "")
            case hw.DwcOp(spec=spec):
                return (f"bnnir::dwc<{spec.in_lanes}, {spec.out_lanes}, {spec.bits}, "
                        f"{spec.words}>", "")
            case hw.MvtuOp():
                return self._mvtu(op, name)
            case hw.ThresholdOp():
                return self._threshold(op, name, signed_in)
            case hw.LabelSelectOp(spec=spec):
                return (f"bnnir::label_select<{spec.labels}, {spec.pe}, {spec.bits}, "
                        f"{_bool(signed_in)}, {spec.index_bits}>", "")
        raise AssertionError(f"KERNEL_HEADERS has {op.name} but no template")

    def _partition(self, variable: str, dims: int) -> None:
        for dim in range(1, dims + 1):
            self.body.append(f"#pragma HLS ARRAY_PARTITION variable = {variable}.m complete "
                             f"dim = {dim}")

    def _mvtu(self, op: hw.MvtuOp, name: str) -> tuple[str, str]:
        spec = op.spec
        rows, columns, pe, simd = spec.rows, spec.columns, spec.pe, spec.simd
        memory = WeightMemory(pe, simd, rows * columns // (pe * simd), spec.weight_bits)
        if spec.weight_bits > 1:  # a word wider than the input word: AP_INT_MAX_W must hold it
            self._check_width(memory.chunks * memory.chunk_bits, f"the weight word of {name}")
        words = memory.words(dense_to_numpy(op.weights))
        kind = "" if spec.weight_bits == 1 else f" of {spec.weight_bits} bits"
        self.params.append(
            f"// {name}: {rows} x {columns} weights{kind}, PE {pe}, SIMD {simd}\n"
            f"static const {memory.cpp_type} {name}_weights = "
            f"{{ {hex_table(words, memory.chunk_bits)} }};")
        self._partition(f"{name}_weights", 2)  # PE, then the pieces of a word
        if op.thresholds is not None:
            table = dense_to_numpy(op.thresholds).astype(np.int64)  # [classes, PE, NF, T]
            classes, _, nf, steps = table.shape
            activation = f"{name}_thresholds"
            self.params.append(
                f"static const bnnir::Thresholds<{pe}, {nf}, {classes}, {steps}, "
                f"{signed_bits(table)}, {op.bias_value}> {activation} = "
                f"{{ {int_table(table.transpose(1, 3, 0, 2))} }};")
            self._partition(activation, 2)  # PE, then the steps
        elif op.offsets is not None:  # a raw conv's border correction, per class
            table = dense_to_numpy(op.offsets).astype(np.int64)  # [classes, PE, NF]
            classes, _, nf = table.shape
            activation = f"{name}_offsets"
            self.params.append(
                f"static const bnnir::Offsets<{_bool(op.is_xnor)}, {columns}, {pe}, {nf}, "
                f"{classes}, {signed_bits(table)}> {activation} = "
                f"{{ {int_table(table.transpose(1, 0, 2))} }};")
            self._partition(activation, 1)  # PE
        else:  # a named constant like the tables: a DATAFLOW region holds no temporaries
            activation = f"{name}_dot_product"
            self.params.append(f"static const bnnir::DotProduct<{_bool(op.is_xnor)}, {columns}> "
                               f"{activation} = {{}};")
        border = "bnnir::NoBorder"
        if op.border is not None:
            border = f"bnnir::Border<{', '.join(map(str, hw.int_values(op.border)))}>"
        kernel = (f"bnnir::mvtu<{rows}, {columns}, {pe}, {simd}, {spec.vectors}, "
                  f"{spec.input_bits}, {_bool(spec.signed_input)}, {_bool(spec.xnor)}, "
                  f"{spec.output_bits}, {border}{', true' if spec.bipolar_input else ''}>")
        return kernel, f", {name}_weights, {activation}"

    def _threshold(self, op: hw.ThresholdOp, name: str,
                   signed_in: bool) -> tuple[str, str]:
        table = dense_to_numpy(op.thresholds).astype(np.int64)  # [PE, NF, T]
        pe, nf, steps = table.shape
        spec = op.spec
        channels = spec.channels
        falling = np.zeros(channels, np.int64)
        if op.descending is not None:
            falling[list(hw.int_values(op.descending))] = 1
        bias = 0 if op.bias is None else op.bias.value.data
        self.params.append(
            f"static const bnnir::Thresholds<{pe}, {nf}, 1, {steps}, {signed_bits(table)}, "
            f"{bias}> {name}_thresholds = {{ {int_table(table.transpose(0, 2, 1)[:, :, None])} }};")
        self.params.append(  # channel c is at PE c % PE, fold c / PE
            f"static const bnnir::ChannelFlags<{pe}, {nf}> {name}_falling = "
            f"{{ {int_table(falling.reshape(nf, pe).T)} }};")
        self._partition(f"{name}_thresholds", 2)
        self._partition(f"{name}_falling", 1)
        kernel = (f"bnnir::threshold<{channels}, {spec.pixels}, {pe}, {spec.input_bits}, "
                  f"{_bool(signed_in)}, {spec.output_bits}>")
        return kernel, f", {name}_thresholds, {name}_falling"

    @property
    def ap_int_max_w(self) -> int:
        return max(AP_INT_DEFAULT_MAX_W, self.widest)


# ===----------------------------------------------------------------------=== #
# Files
# ===----------------------------------------------------------------------=== #


def top_hpp(emitter: Emitter) -> str:
    io = emitter.io
    return f"""// Generated by bnnir: the accelerator's interface (README.md: the ports' layout).
#ifndef BNNIR_TOP_HPP
#define BNNIR_TOP_HPP

// The widest word of the design; must precede every include of ap_int.h.
#define AP_INT_MAX_W {emitter.ap_int_max_w}
#include <ap_int.h>
#include <hls_stream.h>

#define BNNIR_IN_WIDTH {io.input.width}
#define BNNIR_IN_LANES {io.input.lanes}
#define BNNIR_IN_BITS {io.input.bits}
#define BNNIR_IN_WORDS {io.input.words}
#define BNNIR_OUT_WIDTH {io.output.width}
#define BNNIR_OUT_LANES {io.output.lanes}
#define BNNIR_OUT_BITS {io.output.bits}
#define BNNIR_OUT_WORDS {io.output.words}

void accel(hls::stream<ap_uint<BNNIR_IN_WIDTH> > &in, hls::stream<ap_uint<BNNIR_OUT_WIDTH> > &out,
           unsigned frames);

#endif
"""


def top_cpp(emitter: Emitter, includes: str) -> str:
    body = "\n".join(emitter.body)
    return f"""// Generated by bnnir: the accelerator, one streaming kernel per hwstream kernel.
{includes}
void accel(hls::stream<ap_uint<BNNIR_IN_WIDTH> > &in, hls::stream<ap_uint<BNNIR_OUT_WIDTH> > &out,
           unsigned frames) {{
#pragma HLS INTERFACE axis port = in
#pragma HLS INTERFACE axis port = out
#pragma HLS INTERFACE s_axilite port = frames
#pragma HLS INTERFACE s_axilite port = return
#pragma HLS DATAFLOW
{body}
}}
"""


def params_hpp(emitter: Emitter, includes: str) -> str:
    return ("// Generated by bnnir: weights and thresholds.\n#ifndef BNNIR_PARAMS_HPP\n"
            f"#define BNNIR_PARAMS_HPP\n\n{includes}\n"
            + "\n\n".join(emitter.params) + "\n\n#endif\n")


TESTBENCH = """// Generated by bnnir: C simulation testbench.
// usage: csim IN.bin OUT.bin. Files: uint32 frames, uint32 words per frame, uint32 bytes per
// word, then the port words, each little-endian (element 0 in the lowest bits).
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "top.hpp"

static bool read_u32(FILE *f, unsigned &v) { return fread(&v, 4, 1, f) == 1; }

struct Run {
  hls::stream<ap_uint<BNNIR_IN_WIDTH> > *in;
  hls::stream<ap_uint<BNNIR_OUT_WIDTH> > *out;
  unsigned frames;
};

static void *run_accel(void *arg) {
  Run *run = static_cast<Run *>(arg);
  accel(*run->in, *run->out, run->frames);
  return 0;
}

// The kernels keep their line buffers on the stack, as synthesis does; a large design needs
// more than a main thread's default stack, so the accelerator runs in a thread with 1 GB.
static void run_with_large_stack(Run &run) {
  pthread_attr_t attr;
  pthread_t thread;
  if (pthread_attr_init(&attr) != 0) {
    run_accel(&run);
    return;
  }
  if (pthread_attr_setstacksize(&attr, 1ul << 30) == 0 &&
      pthread_create(&thread, &attr, run_accel, &run) == 0) {
    pthread_join(thread, 0);
  } else {
    run_accel(&run);
  }
  pthread_attr_destroy(&attr);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s IN.bin OUT.bin\\n", argv[0]);
    return 2;
  }
  FILE *fi = fopen(argv[1], "rb");
  unsigned frames, words, bytes;
  if (!fi || !read_u32(fi, frames) || !read_u32(fi, words) || !read_u32(fi, bytes) ||
      words != BNNIR_IN_WORDS || bytes != BNNIR_IN_WIDTH / 8) {
    fprintf(stderr, "csim: %s is not an input for this design\\n", argv[1]);
    return 1;
  }
  hls::stream<ap_uint<BNNIR_IN_WIDTH> > in("in");
  hls::stream<ap_uint<BNNIR_OUT_WIDTH> > out("out");
  std::vector<unsigned char> buffer(bytes);
  for (unsigned long i = 0; i < (unsigned long)frames * words; i++) {
    if (fread(buffer.data(), 1, bytes, fi) != bytes) {
      fprintf(stderr, "csim: %s is truncated\\n", argv[1]);
      return 1;
    }
    ap_uint<BNNIR_IN_WIDTH> word = 0;
    for (unsigned b = 0; b < bytes; b++) word(8 * b + 7, 8 * b) = buffer[b];
    in.write(word);
  }
  fclose(fi);
  Run run = {&in, &out, frames};
  run_with_large_stack(run);
#ifdef BNNIR_TRIP_COUNTS
  for (unsigned k = 0; k < bnnir::trip_counts().size(); k++)
    fprintf(stderr, "bnnir-trips %lu\\n", bnnir::trip_counts()[k].second);
#endif
  FILE *fo = fopen(argv[2], "wb");
  if (!fo) {
    perror(argv[2]);
    return 1;
  }
  unsigned out_words = BNNIR_OUT_WORDS, out_bytes = BNNIR_OUT_WIDTH / 8;
  bool ok = fwrite(&frames, 4, 1, fo) == 1 && fwrite(&out_words, 4, 1, fo) == 1 &&
            fwrite(&out_bytes, 4, 1, fo) == 1;
  std::vector<unsigned char> result(out_bytes);
  for (unsigned long i = 0; ok && i < (unsigned long)frames * out_words; i++) {
    if (out.empty()) {
      fprintf(stderr, "csim: the accelerator wrote %lu of %lu output words\\n", i,
              (unsigned long)frames * out_words);
      return 1;
    }
    const ap_uint<BNNIR_OUT_WIDTH> word = out.read();
    for (unsigned b = 0; b < out_bytes; b++) result[b] = word(8 * b + 7, 8 * b);
    ok = fwrite(result.data(), 1, out_bytes, fo) == out_bytes;
  }
  if (fclose(fo) != 0 || !ok) {
    perror(argv[2]);
    return 1;
  }
  if (!in.empty() || !out.empty()) {
    fprintf(stderr, "csim: the accelerator left input unread or wrote too much output\\n");
    return 1;
  }
  return 0;
}
"""

MAKEFILE = """# Generated by bnnir: C simulation with g++ against Xilinx's ap_int.h / hls_stream.h.
# AP_TYPES: the folder holding ap_int.h (e.g. from `pip install --no-deps hls4ml`).
AP_TYPES ?= $(shell python3 -c "import importlib.util, os; \\
  s = importlib.util.find_spec('hls4ml'); \\
  print(os.path.join(os.path.dirname(s.origin), 'templates', 'vivado', 'ap_types') if s else '')")
CXX ?= g++
CXXFLAGS ?= -std=c++14 -O2 -Wno-unknown-pragmas

csim: top.cpp tb.cpp top.hpp params.hpp $(wildcard include/bnnir/*.hpp)
\t@test -f "$(AP_TYPES)/ap_int.h" || { echo "csim: ap_int.h not found in AP_TYPES=$(AP_TYPES) \\
\t  (pip install --no-deps hls4ml, or set AP_TYPES to its folder)" >&2; exit 1; }
\t$(CXX) $(CXXFLAGS) -pthread -I$(AP_TYPES) -Iinclude top.cpp tb.cpp -o csim

clean:
\trm -f csim
"""


def hls_tcl(part: str, clock_mhz: float) -> str:
    period = 1000.0 / clock_mhz
    return f"""# Generated by bnnir: synthesize with Vitis HLS, in this folder: vitis_hls -f hls.tcl
# The report is bnnir_accel/solution1/syn/report/accel_csynth.rpt; the IP is in
# bnnir_accel/solution1/impl/ip.
open_project bnnir_accel
set_top accel
add_files top.cpp -cflags "-Iinclude"
add_files -tb tb.cpp -cflags "-Iinclude"
open_solution solution1 -flow_target vivado
set_part {{{_part_string(part)}}}
create_clock -period {period:.3f}
# Vitis HLS's own C simulation (`make csim` does the same with g++), on an input file in the
# format tb.cpp reads:
# csim_design -ldflags "-pthread" -argv "in.bin out.bin"
csynth_design
export_design -format ip_catalog
exit
"""


def host_steps(module: ModuleOp) -> tuple[list[str], list[str]]:
    """The ops of @main that run on the host before and after the accelerator."""
    from xdsl.dialects import func

    before: list[str] = []
    after: list[str] = []
    for function in (op for op in module.ops if isinstance(op, func.FuncOp)):
        side = before
        for op in function.body.block.ops:
            if isinstance(op, hw.InstanceOp):
                side = after
            elif not isinstance(op, func.ReturnOp | bnn.ConstantOp):
                side.append(op.name)
    return before, after


def counted(n: int, noun: str) -> str:
    """`n noun`, the noun plural unless n is 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def word_layout(port: Port, signed: bool) -> str:
    """How a word of a port holds its elements: the sentences a project's README gives each
    port after naming it (the HLS and the RTL projects alike)."""
    pad = port.width - port.lanes * port.bits
    if port.bits == 1 and not signed:
        encoding = "bipolar values as bits (1 = +1, 0 = -1)"
    else:
        encoding = "two's complement integers" if signed else "unsigned integers"
    return (f"A word holds {port.describe()} of {counted(port.bits, 'bit')} each, element 0 in "
            "the lowest bits" + (f", then {counted(pad, 'zero bit')}" if pad else "")
            + f"; {encoding}; words in NHWC order, channels fastest.")


def _port_text(port: Port, tensor: TensorType, signed: bool, name: str) -> str:
    text = (f"`{name}`: {tensor} per frame as {counted(port.words, 'word')} of {port.width} "
            f"bits ({counted(port.width // 8, 'byte')}). {word_layout(port, signed)}")
    return textwrap.fill(text, 96, initial_indent="- ", subsequent_indent="  ")


def readme(io: Interface, design: hw.DesignOp, host: tuple[list[str], list[str]]) -> str:
    before, after = (", ".join(ops) or "nothing" for ops in host)
    adapters = textwrap.fill(
        "The port layout depends on the network's input and output, not on its folding: "
        "adapter kernels convert between the ports and the words of the first and last kernels "
        f"(here {io.input.kernel_lanes} and {io.output.kernel_lanes} elements per word), one "
        "kernel word per cycle.", 96)
    return f"""# bnnir accelerator `{design.sym_name.data}`

```c++
void accel(hls::stream<ap_uint<{io.input.width}> > &in,
           hls::stream<ap_uint<{io.output.width}> > &out, unsigned frames);
```
AXI-stream `in` and `out` (no side channels), `frames` and start over AXI-lite: the accelerator
reads `frames` frames from `in` and writes their results to `out`.

{_port_text(io.input, design.input_type, io.input_signed, "in")}
{_port_text(io.output, design.output_type, io.output_signed, "out")}

{adapters}

The host runs the rest of the network: before the accelerator {before}; after it {after}
(see the module's `@main`; `bnn-run` does both).

`make csim` builds the C simulation (`./csim IN.bin OUT.bin`; the file format is in tb.cpp;
`bnn-run MODULE.mlir --input X.npy --engine csim` packs X, builds and runs it for you);
`vitis_hls -f hls.tcl`, run in this folder, synthesizes it and exports an IP. Weight and
threshold tables are `ap_uint` / `ap_int` ROMs in synthesis and built-in integers in C
simulation (see `rom_uint` in include/bnnir/common.hpp), which keeps g++ fast on millions of
weights.
"""


def _part_string(name: str) -> str:
    """The Vivado part string of a part or board name (a name bnnir does not know is taken as
    a part string)."""
    part = targets.find_part(name)
    return name if part is None else part.part


def _fold_summary(module: ModuleOp) -> tuple[str, float]:
    """The part and clock bnn-fold folded for, else the defaults."""
    summary = module.attributes.get("bnn.fold")
    if isinstance(summary, bnn.FoldSummaryAttr):
        return summary.part.data or targets.DEFAULT_PART, summary.clock_mhz.data
    return targets.DEFAULT_PART, targets.DEFAULT_CLOCK_MHZ


def emitted(module: ModuleOp) -> Emitter:
    design = design_of(module)
    emitter = Emitter(design, interface(design))
    emitter.emit()
    return emitter


def emit_project(module: ModuleOp) -> dict[str, str]:
    """Every file of the HLS project, by relative path."""
    emitter = emitted(module)
    part, clock = _fold_summary(module)
    files = {
        "top.hpp": top_hpp(emitter),
        "params.hpp": params_hpp(emitter, '#include "bnnir/bnnir.hpp"\n'),
        "top.cpp": top_cpp(emitter, '#include "top.hpp"\n#include "bnnir/bnnir.hpp"\n'
                                    '#include "params.hpp"\n'),
        "tb.cpp": TESTBENCH,
        "Makefile": MAKEFILE,
        "hls.tcl": hls_tcl(part, clock),
        "README.md": readme(emitter.io, emitter.design, host_steps(module)),
    }
    for name, text in library_headers().items():
        files[f"include/bnnir/{name}"] = text
    return files


def emit_translation_unit(module: ModuleOp) -> str:
    """The whole accelerator as one self-contained C++ file: interface, the library headers its
    kernels need, parameters and top function (compiles with only ap_int.h on the include path)."""
    emitter = emitted(module)
    library = "// ===== bnnir kernel library =====\n" + inlined_headers(emitter.headers)
    return (top_hpp(emitter) + "\n" + library + "\n" + params_hpp(emitter, "")
            + "\n" + top_cpp(emitter, ""))
