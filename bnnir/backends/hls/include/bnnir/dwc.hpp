// Width converter: regroups WORDS words of IN lanes into words of OUT lanes (one a multiple of
// the other), keeping lane order.
#ifndef BNNIR_DWC_HPP
#define BNNIR_DWC_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned IN, unsigned OUT, unsigned BITS, unsigned WORDS>
void dwc(hls::stream<ap_uint<IN * BITS> > &in, hls::stream<ap_uint<OUT * BITS> > &out,
         unsigned frames) {
  if (IN >= OUT) {
    for (unsigned i = 0; i < frames * WORDS; i++) {
      const ap_uint<IN * BITS> word = in.read();
      for (unsigned j = 0; j < IN / OUT; j++) {
#pragma HLS PIPELINE II = 1
        out.write(word(j * OUT * BITS + OUT * BITS - 1, j * OUT * BITS));
      }
    }
  } else {
    for (unsigned i = 0; i < frames * WORDS / (OUT / IN); i++) {
      ap_uint<OUT * BITS> word = 0;
      for (unsigned j = 0; j < OUT / IN; j++) {
#pragma HLS PIPELINE II = 1
        word(j * IN * BITS + IN * BITS - 1, j * IN * BITS) = in.read();
      }
      out.write(word);
    }
  }
}

}  // namespace bnnir

#endif
