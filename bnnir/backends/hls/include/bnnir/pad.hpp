// Padding: an H x W map (SIMD channels per word) becomes (H + PT + PB) x (W + PL + PR); padded
// words hold VALUE in every lane (bipolar: 0 = -1, 1 = +1). One pipelined loop, II = 1, one
// output word per cycle: (H + PT + PB) * (W + PL + PR) * C / SIMD cycles per frame (FINN's
// FMPadding), reading an input word in the cycles that copy one.
#ifndef BNNIR_PAD_HPP
#define BNNIR_PAD_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned H, unsigned W, unsigned C, unsigned SIMD, unsigned BITS, unsigned PT,
          unsigned PL, unsigned PB, unsigned PR, int VALUE>
void pad(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * BITS> > &out,
         unsigned frames) {
  static const unsigned FOLDS = C / SIMD, OH = H + PT + PB, OW = W + PL + PR;
  static_assert(C % SIMD == 0, "SIMD must divide the channels");
  ap_uint<SIMD * BITS> fill = 0;
  for (unsigned i = 0; i < SIMD; i++) {
#pragma HLS UNROLL
    set_lane<BITS>(fill, i, VALUE);
  }
  unsigned y = 0, x = 0, sf = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < OH * OW * FOLDS; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      if (y >= PT && y < H + PT && x >= PL && x < W + PL) {
        out.write(in.read());
      } else {
        out.write(fill);
      }
      if (++sf == FOLDS) {
        sf = 0;
        if (++x == OW) {
          x = 0;
          y = y == OH - 1 ? 0 : y + 1;
        }
      }
    }
  }
}

}  // namespace bnnir

#endif
