// Standalone multi-threshold unit: PIXELS x C values, PE channels per word; each value becomes
// BIAS + sum_i [v >= t_i] (or [v <= t_i] for channels flagged in `falling`);
// thresholds [PE][NF][STEPS].
#ifndef BNNIR_THRESHOLD_HPP
#define BNNIR_THRESHOLD_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned C, unsigned PIXELS, unsigned PE, unsigned IN_BITS, bool SIGNED_IN,
          unsigned OUT_BITS, unsigned STEPS, int BIAS>
void threshold(hls::stream<ap_uint<PE * IN_BITS> > &in, hls::stream<ap_uint<PE * OUT_BITS> > &out,
               const int32_t *thresholds, const bool *falling, unsigned frames) {
  const unsigned NF = C / PE;
  for (unsigned f = 0; f < frames; f++) {
    for (unsigned p = 0; p < PIXELS; p++) {
      for (unsigned nf = 0; nf < NF; nf++) {
#pragma HLS PIPELINE II = 1
        const ap_uint<PE * IN_BITS> word = in.read();
        ap_uint<PE * OUT_BITS> result = 0;
        for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
          const int v = lane_value<IN_BITS, SIGNED_IN>(word, pe);
          const int32_t *t = thresholds + (pe * NF + nf) * STEPS;
          const bool down = falling[nf * PE + pe];
          int count = BIAS;
          for (unsigned i = 0; i < STEPS; i++) count += (down ? v <= t[i] : v >= t[i]) ? 1 : 0;
          set_lane<OUT_BITS>(result, pe, count);
        }
        out.write(result);
      }
    }
  }
}

}  // namespace bnnir

#endif
