// The accelerator's input and output adapters: between its byte-aligned AXI-stream ports and
// the words of its first and last kernels.
//
// A port word of PORT_WIDTH bits (a multiple of 8) holds PORT_LANES elements of BITS bits,
// element 0 in the lowest bits, the bits above PORT_LANES * BITS zero; a kernel word holds
// LANES elements, LANES dividing PORT_LANES. Element order is kept. Each adapter moves one
// kernel word per cycle (one pipelined loop, II = 1): PORT_WORDS * PORT_LANES / LANES cycles
// per frame, which is as fast as the kernel on the other side can take or give its words.
#ifndef BNNIR_ADAPTERS_HPP
#define BNNIR_ADAPTERS_HPP

#include "common.hpp"

namespace bnnir {

// Splits each port word into PORT_LANES / LANES kernel words.
template <unsigned PORT_LANES, unsigned LANES, unsigned BITS, unsigned PORT_WIDTH,
          unsigned PORT_WORDS>
void input_adapter(hls::stream<ap_uint<PORT_WIDTH> > &in, hls::stream<ap_uint<LANES * BITS> > &out,
                   unsigned frames) {
  static const unsigned PARTS = PORT_LANES / LANES;
  static_assert(PORT_LANES % LANES == 0 && PORT_LANES * BITS <= PORT_WIDTH, "port layout");
  ap_uint<PORT_LANES * BITS> rest = 0;  // the parts of the port word not written yet
  unsigned part = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < PORT_WORDS * PARTS; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      ap_uint<PORT_LANES * BITS> word = rest;
      if (part == 0) word = in.read();  // the bits above PORT_LANES * BITS are dropped
      out.write(word(LANES * BITS - 1, 0));
      rest = word >> (LANES * BITS);
      part = part == PARTS - 1 ? 0 : part + 1;
    }
  }
}

// Joins PORT_LANES / LANES kernel words into each port word.
template <unsigned LANES, unsigned PORT_LANES, unsigned BITS, unsigned PORT_WIDTH,
          unsigned PORT_WORDS>
void output_adapter(hls::stream<ap_uint<LANES * BITS> > &in, hls::stream<ap_uint<PORT_WIDTH> > &out,
                    unsigned frames) {
  static const unsigned PARTS = PORT_LANES / LANES;
  static_assert(PORT_LANES % LANES == 0 && PORT_LANES * BITS <= PORT_WIDTH, "port layout");
  ap_uint<PORT_LANES * BITS> word = 0;  // kernel words enter at the top and move down
  unsigned part = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < PORT_WORDS * PARTS; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      const ap_uint<PORT_LANES * BITS> top = in.read();
      word = (word >> (LANES * BITS)) | (top << ((PARTS - 1) * LANES * BITS));
      if (part == PARTS - 1) {
        out.write(ap_uint<PORT_WIDTH>(word));
        part = 0;
      } else {
        part++;
      }
    }
  }
}

}  // namespace bnnir

#endif
