// The sliding-window unit: for each output pixel (row-major), kernel tap (ky, kx) and channel
// fold, one word of the input map at (y*SH + ky, x*SW + kx) - the pixel's im2col column in
// (ky, kx, c) order. Input rows go into a line buffer of KH rows as they are needed.
#ifndef BNNIR_WINDOW_HPP
#define BNNIR_WINDOW_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned H, unsigned W, unsigned C, unsigned SIMD, unsigned BITS, unsigned KH,
          unsigned KW, unsigned SH, unsigned SW>
void window(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * BITS> > &out,
            unsigned frames) {
  const unsigned FOLDS = C / SIMD;
  const unsigned OH = (H - KH) / SH + 1;
  const unsigned OW = (W - KW) / SW + 1;
  static ap_uint<SIMD * BITS> lines[KH][W][FOLDS];
#pragma HLS ARRAY_PARTITION variable = lines complete dim = 1
  for (unsigned f = 0; f < frames; f++) {
    unsigned loaded = 0;  // input rows read so far
    for (unsigned oy = 0; oy < OH; oy++) {
      for (; loaded < oy * SH + KH; loaded++) {
        for (unsigned x = 0; x < W; x++) {
          for (unsigned sf = 0; sf < FOLDS; sf++) {
#pragma HLS PIPELINE II = 1
            lines[loaded % KH][x][sf] = in.read();
          }
        }
      }
      for (unsigned ox = 0; ox < OW; ox++) {
        for (unsigned ky = 0; ky < KH; ky++) {
          for (unsigned kx = 0; kx < KW; kx++) {
            for (unsigned sf = 0; sf < FOLDS; sf++) {
#pragma HLS PIPELINE II = 1
              out.write(lines[(oy * SH + ky) % KH][ox * SW + kx][sf]);
            }
          }
        }
      }
    }
    for (; loaded < H; loaded++) {  // rows no window reaches are still consumed
      for (unsigned x = 0; x < W * FOLDS; x++) {
#pragma HLS PIPELINE II = 1
        in.read();
      }
    }
  }
}

}  // namespace bnnir

#endif
