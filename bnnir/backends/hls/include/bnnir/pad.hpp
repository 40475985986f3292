// Padding: an H x W map (SIMD channels per word) becomes (H + PT + PB) x (W + PL + PR); padded
// words hold VALUE in every lane (bipolar: 0 = -1, 1 = +1).
#ifndef BNNIR_PAD_HPP
#define BNNIR_PAD_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned H, unsigned W, unsigned C, unsigned SIMD, unsigned BITS, unsigned PT,
          unsigned PL, unsigned PB, unsigned PR, int VALUE>
void pad(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * BITS> > &out,
         unsigned frames) {
  ap_uint<SIMD * BITS> fill = 0;
  for (unsigned i = 0; i < SIMD; i++) set_lane<BITS>(fill, i, VALUE);
  const unsigned FOLDS = C / SIMD;
  for (unsigned f = 0; f < frames; f++) {
    for (unsigned y = 0; y < H + PT + PB; y++) {
      for (unsigned x = 0; x < W + PL + PR; x++) {
        for (unsigned sf = 0; sf < FOLDS; sf++) {
#pragma HLS PIPELINE II = 1
          bool inside = y >= PT && y < H + PT && x >= PL && x < W + PL;
          out.write(inside ? in.read() : fill);
        }
      }
    }
  }
}

}  // namespace bnnir

#endif
