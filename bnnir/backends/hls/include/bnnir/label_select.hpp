// Label select: the index of the largest of LABELS values read PE per word (the lowest index on
// ties), written as one word per frame. One pipelined loop, II = 1: LABELS / PE cycles per
// frame.
#ifndef BNNIR_LABEL_SELECT_HPP
#define BNNIR_LABEL_SELECT_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned LABELS, unsigned PE, unsigned BITS, bool SIGNED, unsigned INDEX_BITS>
void label_select(hls::stream<ap_uint<PE * BITS> > &in, hls::stream<ap_uint<INDEX_BITS> > &out,
                  unsigned frames) {
  static const unsigned NF = LABELS / PE;
  static_assert(LABELS % PE == 0, "PE must divide the labels");
  ap_int<BITS + 1> best = 0;
  ap_uint<INDEX_BITS> best_index = 0;
  unsigned nf = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < NF; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      const ap_uint<PE * BITS> word = in.read();
      // The word's best lane (the lowest on ties), then the best so far.
      ap_int<BITS + 1> word_best = lane_value<BITS, SIGNED>(word, 0);
      unsigned word_index = 0;
      for (unsigned pe = 1; pe < PE; pe++) {
#pragma HLS UNROLL
        const ap_int<BITS + 1> value = lane_value<BITS, SIGNED>(word, pe);
        if (value > word_best) {
          word_best = value;
          word_index = pe;
        }
      }
      if (nf == 0 || word_best > best) {
        best = word_best;
        best_index = nf * PE + word_index;
      }
      if (nf == NF - 1) {
        out.write(best_index);
        nf = 0;
      } else {
        nf++;
      }
    }
  }
}

}  // namespace bnnir

#endif
