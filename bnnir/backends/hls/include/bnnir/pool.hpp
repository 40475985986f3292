// Max pooling with all C channels in one word: the lane-wise maximum of each window, padded taps
// ignored; on bipolar bits it is the OR of the window. Lanes are unsigned or two's complement.
#ifndef BNNIR_POOL_HPP
#define BNNIR_POOL_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned H, unsigned W, unsigned C, unsigned BITS, bool SIGNED, unsigned KH,
          unsigned KW, unsigned SH, unsigned SW, unsigned PT, unsigned PL, unsigned PB,
          unsigned PR>
void pool(hls::stream<ap_uint<C * BITS> > &in, hls::stream<ap_uint<C * BITS> > &out,
          unsigned frames) {
  const unsigned OH = (H + PT + PB - KH) / SH + 1;
  const unsigned OW = (W + PL + PR - KW) / SW + 1;
  static ap_uint<C * BITS> map[H][W];
  for (unsigned f = 0; f < frames; f++) {
    for (unsigned y = 0; y < H; y++) {
      for (unsigned x = 0; x < W; x++) {
#pragma HLS PIPELINE II = 1
        map[y][x] = in.read();
      }
    }
    for (unsigned oy = 0; oy < OH; oy++) {
      for (unsigned ox = 0; ox < OW; ox++) {
        ap_uint<C * BITS> result = 0;
        for (unsigned c = 0; c < C; c++) {
          bool any = false;
          int best = 0;
          for (unsigned ky = 0; ky < KH; ky++) {
            for (unsigned kx = 0; kx < KW; kx++) {
              const int y = int(oy * SH + ky) - int(PT), x = int(ox * SW + kx) - int(PL);
              if (y < 0 || y >= int(H) || x < 0 || x >= int(W)) continue;
              const int value = lane_value<BITS, SIGNED>(map[y][x], c);
              if (!any || value > best) best = value;
              any = true;
            }
          }
          set_lane<BITS>(result, c, best);
        }
        out.write(result);
      }
    }
  }
}

}  // namespace bnnir

#endif
