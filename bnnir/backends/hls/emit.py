"""The HLS C++ backend: a hwstream design as Vitis-HLS-style C++ over our kernel library.

    bnn-translate IN.mlir --emit-hls            one translation unit (top function + parameters)
    bnn-translate IN.mlir --emit-hls -o DIR     a project: top.cpp, top.hpp, params.hpp, tb.cpp,
                                                include/bnnir/*.hpp, Makefile, hls.tcl, README.md

The top function runs the kernels under `#pragma HLS DATAFLOW`, joined by `hls::stream`s whose
depths are the design's FIFOs. Weights are `uint64_t` arrays in hex (each PE's SIMD-bit words in
finn-hlslib order, 64 bits per element), thresholds `int32_t` arrays. The same input always gives
byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import numpy as np
from xdsl.dialects.builtin import DictionaryAttr, FloatAttr, ModuleOp, StringAttr
from xdsl.ir import SSAValue

from bnnir.diagnostics import BnnirError
from bnnir.dialects import bnn
from bnnir.dialects import hwstream as hw

PART_NAMES = {
    "xc7z020": "xc7z020clg400-1",
    "xczu7ev": "xczu7ev-ffvc1156-2-e",
    "xcku115": "xcku115-flvb2104-2-e",
    "xcu250": "xcu250-figd2104-2L-e",
}
DEFAULT_PART = "xczu7ev"


def library_headers() -> dict[str, str]:
    """The kernel library: file name -> text."""
    folder = resources.files("bnnir.backends.hls") / "include" / "bnnir"
    return {f.name: f.read_text() for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".hpp")}


def design_of(module: ModuleOp) -> hw.DesignOp:
    designs = [op for op in module.ops if isinstance(op, hw.DesignOp)]
    if len(designs) != 1:
        raise BnnirError("--emit-hls", f"needs a module with one hwstream.design (found "
                         f"{len(designs)}); run bnn-fold and bnn-to-hwstream first")
    return designs[0]


def _hex_words(values: np.ndarray) -> str:
    words = [f"0x{int(v):016x}ull" for v in values.reshape(-1)]
    return ",\n".join("    " + ", ".join(words[i : i + 6]) for i in range(0, len(words), 6))


def _ints(values: np.ndarray) -> str:
    text = [str(int(v)) for v in values.reshape(-1)]
    return ",\n".join("    " + ", ".join(text[i : i + 16]) for i in range(0, len(text), 16))


def weight_chunks(op: hw.MvtuOp) -> np.ndarray:
    """The weight memory [PE, WMEM, ceil(SIMD / 64)] as uint64 pieces of each SIMD-bit word."""
    packed = bnn.dense_to_numpy(op.weights).view(np.uint8)
    pe, depth, nbytes = packed.shape
    chunks = -(-nbytes // 8)
    padded = np.zeros((pe, depth, chunks * 8), np.uint8)
    padded[:, :, :nbytes] = packed
    return padded.view("<u8")


@dataclass
class Emitter:
    design: hw.DesignOp
    params: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    names: dict[object, str] = field(default_factory=dict)
    signed: dict[SSAValue, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.signed = hw.lane_signedness(self.design)

    def stream(self, value: object) -> str:
        return self.names[value]

    def declare(self, value: SSAValue, index: int, depth: int = 2) -> None:
        if value is self.final:
            self.names[value] = "out"
            return
        name = f"s{index}"
        self.names[value] = name
        width = hw.stream_width(value)
        self.body.append(f'  hls::stream<ap_uint<{width}> > {name}("{name}");')
        self.body.append(f"#pragma HLS STREAM variable = {name} depth = {depth}")

    @property
    def final(self) -> SSAValue:
        """The stream the design yields, before any FIFO on it: the kernel writing `out`."""
        result = self.design.body.block.last_op
        assert isinstance(result, hw.YieldOp)
        value = result.stream
        while isinstance(value.owner, hw.FifoOp):
            value = value.owner.input
        return value

    def emit(self) -> None:
        block = self.design.body.block
        arg = block.args[0]
        self.names[arg] = "in"
        kernels = self.design.kernels()
        for index, op in enumerate(kernels):
            if isinstance(op, hw.FifoOp):  # a FIFO is its input stream's depth
                self.names[op.output] = self.names[op.input]
                self._set_depth(op.input, op.prop_int("depth"))
                continue
            self._kernel(index, op)

    def _set_depth(self, value: object, depth: int) -> None:
        name = self.names[value]
        if name in ("in", "out"):
            return
        marker = f"#pragma HLS STREAM variable = {name} depth = "
        self.body = [f"{marker}{depth}" if line.startswith(marker) else line
                     for line in self.body]

    def _kernel(self, index: int, op: hw.KernelOp) -> None:
        source = self.stream(op.input)
        signed_in = self.signed[op.input]
        args = ""
        match op:
            case hw.PadOp():
                t, left, b, r = op.prop_ints("pads")
                call = (f"bnnir::pad<{_map(op)}, {t}, {left}, {b}, {r}, "
                        f"{op.prop_int('value')}>")
            case hw.WindowOp():
                (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
                call = f"bnnir::window<{_map(op)}, {kh}, {kw}, {sh}, {sw}>"
            case hw.PoolOp():
                (kh, kw), (sh, sw) = op.prop_ints("kernel"), op.prop_ints("strides")
                t, left, b, r = op.prop_ints("pads")
                call = (f"bnnir::pool<{op.prop_int('height')}, {op.prop_int('width')}, "
                        f"{op.prop_int('channels')}, {op.prop_int('bits')}, "
                        f"{_bool(signed_in)}, {kh}, {kw}, {sh}, {sw}, {t}, {left}, {b}, {r}>")
            case hw.DwcOp():
                call = (f"bnnir::dwc<{op.lanes_in}, {op.lanes_out}, {op.bits_in}, "
                        f"{op.words_in()}>")
            case hw.MvtuOp():
                call, args = self._mvtu(index, op)
            case hw.ThresholdOp():
                call, args = self._threshold(index, op, signed_in)
            case hw.LabelSelectOp():
                call = (f"bnnir::label_select<{op.prop_int('labels')}, {op.prop_int('pe')}, "
                        f"{op.prop_int('bits')}, {_bool(signed_in)}, "
                        f"{op.prop_int('index_bits')}>")
            case _:
                raise BnnirError("--emit-hls", f"no HLS kernel for {op.name}")
        self.declare(op.output, index)
        layer = op.attributes.get("layer")
        comment = f"  // {layer.data}: {op.name}" if isinstance(layer, StringAttr) else \
            f"  // {op.name}"
        self.body.append(comment)
        self.body.append(f"  {call}({source}, {self.stream(op.output)}{args}, frames);")

    def _mvtu(self, index: int, op: hw.MvtuOp) -> tuple[str, str]:
        name = f"k{index}"
        chunks = weight_chunks(op)
        self.params.append(f"// {name}: {op.prop_int('rows')} x {op.prop_int('columns')} "
                           f"weights, PE {op.prop_int('pe')}, SIMD {op.prop_int('simd')}\n"
                           f"static const uint64_t {name}_weights[{chunks.size}] = {{\n"
                           f"{_hex_words(chunks)}\n}};")
        steps, classes = 0, 1
        thresholds = "nullptr"
        if op.thresholds is not None:
            table = bnn.dense_to_numpy(op.thresholds)
            classes, steps = table.shape[0], table.shape[3]
            self.params.append(f"static const int32_t {name}_thresholds[{table.size}] = {{\n"
                               f"{_ints(table)}\n}};")
            thresholds = f"{name}_thresholds"
        if op.offsets is not None:  # the unit's one table: per-class offsets, not thresholds
            table = bnn.dense_to_numpy(op.offsets)
            classes = table.shape[0]
            self.params.append(f"static const int32_t {name}_offsets[{table.size}] = {{\n"
                               f"{_ints(table)}\n}};")
            thresholds = f"{name}_offsets"
        border = "bnnir::NoBorder"
        if op.border is not None:
            ih, iw, kh, kw, sh, sw, t, left, b, r = hw.int_values(op.border)
            ow = op.prop_int("vectors") // ((ih + t + b - kh) // sh + 1)
            border = (f"bnnir::Border<{ih}, {iw}, {kh}, {kw}, {sh}, {sw}, {t}, {left}, {b}, "
                      f"{r}, {ow}>")
        pe = op.prop_int("pe")
        self.body.append(f"#pragma HLS ARRAY_PARTITION variable = {name}_weights block "
                         f"factor = {pe}")
        if thresholds != "nullptr":
            self.body.append(f"#pragma HLS ARRAY_PARTITION variable = {thresholds} block "
                             f"factor = {pe * classes}")
        offsets = ", true" if op.offsets is not None else ""
        call = (f"bnnir::mvtu<{op.prop_int('rows')}, {op.prop_int('columns')}, "
                f"{op.prop_int('pe')}, {op.prop_int('simd')}, {op.prop_int('vectors')}, "
                f"{op.prop_int('input_bits')}, {_bool(op.signed_input is not None)}, "
                f"{_bool(op.is_xnor)}, {op.prop_int('output_bits')}, {steps}, {classes}, "
                f"{op.bias_value}, {border}{offsets}>")
        return call, f", {name}_weights, {thresholds}"

    def _threshold(self, index: int, op: hw.ThresholdOp, signed_in: bool) -> tuple[str, str]:
        name = f"k{index}"
        table = bnn.dense_to_numpy(op.thresholds)
        channels = op.prop_int("channels")
        falling = np.zeros(channels, np.int64)
        if op.descending is not None:
            falling[list(hw.int_values(op.descending))] = 1
        self.params.append(f"static const int32_t {name}_thresholds[{table.size}] = {{\n"
                           f"{_ints(table)}\n}};")
        self.params.append(f"static const bool {name}_falling[{channels}] = {{\n"
                           f"{_ints(falling)}\n}};")
        bias = 0 if op.bias is None else op.bias.value.data
        call = (f"bnnir::threshold<{channels}, {op.prop_int('pixels')}, {op.prop_int('pe')}, "
                f"{op.prop_int('input_bits')}, {_bool(signed_in)}, {op.prop_int('output_bits')}, "
                f"{table.shape[2]}, {bias}>")
        return call, f", {name}_thresholds, {name}_falling"


def _map(op: hw.KernelOp) -> str:
    return (f"{op.prop_int('height')}, {op.prop_int('width')}, {op.prop_int('channels')}, "
            f"{op.prop_int('simd')}, {op.prop_int('bits')}")


def _bool(value: bool) -> str:
    return "true" if value else "false"


# ===----------------------------------------------------------------------=== #
# Files
# ===----------------------------------------------------------------------=== #


@dataclass(frozen=True)
class Interface:
    in_width: int
    out_width: int
    in_words: int
    out_words: int


def interface(design: hw.DesignOp) -> Interface:
    kernels = design.kernels()
    return Interface(hw.stream_width(design.body.block.args[0]),
                     hw.stream_width(kernels[-1].output),
                     kernels[0].words_in(), kernels[-1].words_out())


def top_hpp(io: Interface) -> str:
    return f"""// Generated by bnnir: the accelerator's interface.
#ifndef BNNIR_TOP_HPP
#define BNNIR_TOP_HPP

#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096  // stream words up to bnnir's limit; ap_uint's default is 1024 bits
#endif
#include <ap_int.h>
#include <hls_stream.h>

#define BNNIR_IN_WIDTH {io.in_width}
#define BNNIR_OUT_WIDTH {io.out_width}
#define BNNIR_IN_WORDS {io.in_words}
#define BNNIR_OUT_WORDS {io.out_words}

void accel(hls::stream<ap_uint<BNNIR_IN_WIDTH> > &in, hls::stream<ap_uint<BNNIR_OUT_WIDTH> > &out,
           unsigned frames);

#endif
"""


def top_cpp(emitter: Emitter, includes: str) -> str:
    body = "\n".join(emitter.body)
    return f"""// Generated by bnnir: the accelerator, one streaming kernel per hwstream kernel.
#include "bnnir/bnnir.hpp"
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


def params_hpp(emitter: Emitter) -> str:
    return ("// Generated by bnnir: weights and thresholds.\n#ifndef BNNIR_PARAMS_HPP\n"
            "#define BNNIR_PARAMS_HPP\n\n#include <stdint.h>\n\n"
            + "\n\n".join(emitter.params) + "\n\n#endif\n")


TESTBENCH = """// Generated by bnnir: C simulation testbench.
// usage: csim IN.bin OUT.bin. Files: uint32 frames, uint32 words per frame, uint32 bytes per
// word, then the words, each little-endian (lane 0 in the lowest bits).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "top.hpp"

static bool read_u32(FILE *f, unsigned &v) { return fread(&v, 4, 1, f) == 1; }

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s IN.bin OUT.bin\\n", argv[0]);
    return 2;
  }
  FILE *fi = fopen(argv[1], "rb");
  unsigned frames, words, bytes;
  if (!fi || !read_u32(fi, frames) || !read_u32(fi, words) || !read_u32(fi, bytes) ||
      words != BNNIR_IN_WORDS || bytes != (BNNIR_IN_WIDTH + 7) / 8) {
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
    for (unsigned b = 0; b < BNNIR_IN_WIDTH; b++) word[b] = (buffer[b / 8] >> (b % 8)) & 1;
    in.write(word);
  }
  fclose(fi);
  accel(in, out, frames);
  FILE *fo = fopen(argv[2], "wb");
  unsigned out_words = BNNIR_OUT_WORDS, out_bytes = (BNNIR_OUT_WIDTH + 7) / 8;
  fwrite(&frames, 4, 1, fo);
  fwrite(&out_words, 4, 1, fo);
  fwrite(&out_bytes, 4, 1, fo);
  std::vector<unsigned char> result(out_bytes);
  for (unsigned long i = 0; i < (unsigned long)frames * out_words; i++) {
    const ap_uint<BNNIR_OUT_WIDTH> word = out.read();
    for (unsigned b = 0; b < out_bytes; b++) result[b] = 0;
    for (unsigned b = 0; b < BNNIR_OUT_WIDTH; b++) result[b / 8] |= (word[b] ? 1 : 0) << (b % 8);
    fwrite(result.data(), 1, out_bytes, fo);
  }
  fclose(fo);
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
\t$(CXX) $(CXXFLAGS) -I$(AP_TYPES) -Iinclude top.cpp tb.cpp -o csim

clean:
\trm -f csim
"""


def hls_tcl(part: str, clock_mhz: float) -> str:
    period = 1000.0 / clock_mhz
    return f"""# Generated by bnnir: synthesize with Vitis HLS (vitis_hls -f hls.tcl).
open_project bnnir_accel
set_top accel
add_files top.cpp -cflags "-Iinclude"
add_files -tb tb.cpp -cflags "-Iinclude"
open_solution solution1 -flow_target vivado
set_part {{{PART_NAMES.get(part, part)}}}
create_clock -period {period:.3f}
csynth_design
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


def readme(io: Interface, design: hw.DesignOp, host: tuple[list[str], list[str]]) -> str:
    before, after = (", ".join(ops) or "nothing" for ops in host)
    return f"""# bnnir accelerator `{design.sym_name.data}`

`void accel(hls::stream<ap_uint<{io.in_width}> > &in, hls::stream<ap_uint<{io.out_width}> > &out,
unsigned frames)` - AXI-stream in and out, `frames` over AXI-lite.

- Input: {design.input_type} per frame as {io.in_words} words of {io.in_width} bits:
  NHWC order, channels fastest, {design.input_lanes.value.data} elements per word, element 0 in
  the lowest bits; bipolar values as bits (1 = +1, 0 = -1).
- Output: {design.output_type} per frame as {io.out_words} words of {io.out_width} bits, in the
  same order ({design.output_lanes.value.data} elements per word, two's complement if signed).

The host runs the rest of the network: before the accelerator {before}; after it {after}
(see the module's `@main`; `bnn-run` does both).

`make csim` builds the C simulation (`./csim IN.bin OUT.bin`; the file format is in tb.cpp);
`vitis_hls -f hls.tcl` synthesizes it.
"""


def _fold_summary(module: ModuleOp) -> tuple[str, float]:
    summary = module.attributes.get("bnn.fold")
    part, clock = DEFAULT_PART, 200.0
    if isinstance(summary, DictionaryAttr):
        value = summary.data.get("part")
        if isinstance(value, StringAttr):
            part = value.data
        clock_attr = summary.data.get("clock_mhz")
        if isinstance(clock_attr, FloatAttr):
            clock = clock_attr.value.data
    return part, clock


def emit_project(module: ModuleOp) -> dict[str, str]:
    """Every file of the HLS project, by relative path."""
    design = design_of(module)
    emitter = Emitter(design)
    emitter.emit()
    io = interface(design)
    part, clock = _fold_summary(module)
    files = {
        "top.hpp": top_hpp(io),
        "params.hpp": params_hpp(emitter),
        "top.cpp": top_cpp(emitter, '#include "top.hpp"\n#include "params.hpp"\n'),
        "tb.cpp": TESTBENCH,
        "Makefile": MAKEFILE,
        "hls.tcl": hls_tcl(part, clock),
        "README.md": readme(io, design, host_steps(module)),
    }
    for name, text in library_headers().items():
        files[f"include/bnnir/{name}"] = text
    return files


def emit_translation_unit(module: ModuleOp) -> str:
    """The top function and its parameters as one C++ file (the library is included)."""
    design = design_of(module)
    emitter = Emitter(design)
    emitter.emit()
    io = interface(design)
    return top_hpp(io) + "\n" + params_hpp(emitter) + "\n" + top_cpp(emitter, "")
