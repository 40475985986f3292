// Label select: the index of the largest of LABELS values read PE per word (the lowest index on
// ties), written as one word.
#ifndef BNNIR_LABEL_SELECT_HPP
#define BNNIR_LABEL_SELECT_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned LABELS, unsigned PE, unsigned BITS, bool SIGNED, unsigned INDEX_BITS>
void label_select(hls::stream<ap_uint<PE * BITS> > &in, hls::stream<ap_uint<INDEX_BITS> > &out,
                  unsigned frames) {
  for (unsigned f = 0; f < frames; f++) {
    int best = 0;
    unsigned best_index = 0;
    for (unsigned i = 0; i < LABELS / PE; i++) {
#pragma HLS PIPELINE II = 1
      const ap_uint<PE * BITS> word = in.read();
      for (unsigned pe = 0; pe < PE; pe++) {
        const int value = lane_value<BITS, SIGNED>(word, pe);
        const unsigned index = i * PE + pe;
        if (index == 0 || value > best) {
          best = value;
          best_index = index;
        }
      }
    }
    out.write(best_index);
  }
}

}  // namespace bnnir

#endif
