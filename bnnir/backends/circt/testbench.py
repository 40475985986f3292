"""The Verilator C++ testbench of a circuit's top module.

    ./Vsim IN.bin OUT.bin FRAMES SEED BACKPRESSURE GAPS STALL_LIMIT

IN.bin holds FRAMES frames of input port words (IN_BYTES bytes each, little endian), OUT.bin
receives the output port words. Each cycle the testbench offers the next input word unless a
random gap (probability GAPS/1000) holds it back, and takes an output word unless random
back-pressure (probability BACKPRESSURE/1000) refuses it; an offered word stays offered until
taken (AXI-stream). It prints `frame F C` when frame F's last output word leaves at cycle C
(cycle 0: the first input word is offered), and stops with `stall S C` (exit code 3) when no
stream moves for STALL_LIMIT cycles: S is the index of the stream, in stream order, that holds
a word its consumer does not take (the most downstream such), or -1.
"""

from __future__ import annotations

from bnnir.backends.circt.top import Circuit

TEMPLATE = r"""// bnnir: Verilator testbench of {top} (bnnir/backends/circt/testbench.py)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "V{top}.h"
#include "verilated.h"

static const int IN_BYTES = {in_bytes}, OUT_BYTES = {out_bytes}, IN_WORDS = {in_words};
static const int OUT_WORDS = {out_words}, STREAMS = {streams};

static uint64_t state = 0;
static unsigned next_random() {{  // xorshift64*: the same sequence on every platform
  state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
  return unsigned((state * 2685821657736338717ULL) >> 33) % 1000;
}}

static void set_input(V{top} &m, const uint8_t *bytes) {{
{set_input}
}}

static void get_output(V{top} &m, uint8_t *bytes) {{
{get_output}
}}

static bool stream_bit(V{top} &m, bool valid, int i) {{
{stream_bit}
}}

int main(int argc, char **argv) {{
  if (argc != 8) {{ fprintf(stderr, "usage: Vsim IN OUT FRAMES SEED BP GAPS LIMIT\n"); return 2; }}
  const long frames = atol(argv[3]);
  state = 88172645463325252ULL ^ (uint64_t(atoll(argv[4])) * 0x9E3779B97F4A7C15ULL);
  const unsigned backpressure = unsigned(atoi(argv[5])), gaps = unsigned(atoi(argv[6]));
  const long limit = atol(argv[7]);
  std::vector<uint8_t> in(size_t(frames) * IN_WORDS * IN_BYTES);
  std::vector<uint8_t> out(size_t(frames) * OUT_WORDS * OUT_BYTES);
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in.data(), 1, in.size(), f) != in.size()) {{
    fprintf(stderr, "cannot read %s\n", argv[1]); return 2;
  }}
  fclose(f);
  VerilatedContext context;
  V{top} m(&context);
  m.clk = 0; m.rst = 1; m.in_valid = 0; m.out_ready = 0;
  for (int i = 0; i < 4; i++) {{ m.clk = !m.clk; m.eval(); }}
  m.rst = 0;
  const long total_in = frames * IN_WORDS, total_out = frames * OUT_WORDS;
  long taken = 0, given = 0, idle = 0;
  bool offered = false;
  for (long cycle = 0; given < total_out; cycle++) {{
    if (!offered && taken < total_in) offered = next_random() >= gaps;
    m.in_valid = offered;
    if (offered) set_input(m, &in[size_t(taken) * IN_BYTES]);
    m.out_ready = next_random() >= backpressure;
    m.clk = 0; m.eval();
    const bool in_fire = offered && m.in_ready, out_fire = m.out_valid && m.out_ready;
    bool moved = in_fire || out_fire;
    for (int s = 0; s < STREAMS && !moved; s++)
      moved = stream_bit(m, true, s) && stream_bit(m, false, s);
    if (out_fire) {{
      get_output(m, &out[size_t(given) * OUT_BYTES]);
      if (++given % OUT_WORDS == 0) printf("frame %ld %ld\n", given / OUT_WORDS - 1, cycle);
    }}
    if (in_fire) {{ taken++; offered = false; }}
    m.clk = 1; m.eval();
    idle = moved ? 0 : idle + 1;
    if (idle >= limit) {{
      int stuck = -1;
      for (int s = 0; s < STREAMS; s++)
        if (stream_bit(m, true, s) && !stream_bit(m, false, s)) stuck = s;
      printf("stall %d %ld\n", stuck, cycle);
      return 3;
    }}
  }}
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out.data(), 1, out.size(), f) != out.size()) {{
    fprintf(stderr, "cannot write %s\n", argv[2]); return 2;
  }}
  fclose(f);
  m.final();
  return 0;
}}
"""


def _set_port(port: str, width: int, nbytes: int) -> str:
    if width <= 64:
        return (f"  uint64_t v = 0;\n  for (int i = 0; i < {nbytes}; i++) v |= uint64_t(bytes[i]) "
                f"<< (8 * i);\n  m.{port} = v;")
    words = -(-width // 32)
    return (f"  for (int w = 0; w < {words}; w++) {{\n    uint32_t v = 0;\n"
            f"    for (int i = 0; i < 4 && 4 * w + i < {nbytes}; i++) "
            f"v |= uint32_t(bytes[4 * w + i]) << (8 * i);\n    m.{port}[w] = v;\n  }}")


def _get_port(port: str, width: int, nbytes: int) -> str:
    if width <= 64:
        return (f"  const uint64_t v = m.{port};\n"
                f"  for (int i = 0; i < {nbytes}; i++) bytes[i] = uint8_t(v >> (8 * i));")
    return (f"  for (int i = 0; i < {nbytes}; i++) "
            f"bytes[i] = uint8_t(m.{port}[i / 4] >> (8 * (i % 4)));")


def _stream_bit(streams: int) -> str:
    if streams <= 64:
        return ("  const uint64_t v = valid ? uint64_t(m.stream_valid) : uint64_t(m.stream_ready);"
                "\n  return (v >> i) & 1;")
    return ("  return ((valid ? m.stream_valid[i / 32] : m.stream_ready[i / 32]) >> (i % 32)) "
            "& 1;")


def testbench(circuit: Circuit) -> str:
    io = circuit.io
    return TEMPLATE.format(
        top=circuit.top, in_bytes=io.input.width // 8, out_bytes=io.output.width // 8,
        in_words=io.input.words, out_words=io.output.words, streams=len(circuit.streams),
        set_input=_set_port("in_data", io.input.width, io.input.width // 8),
        get_output=_get_port("out_data", io.output.width, io.output.width // 8),
        stream_bit=_stream_bit(len(circuit.streams)))
