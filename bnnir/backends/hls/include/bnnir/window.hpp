// The sliding-window unit: for each output pixel (row-major), kernel tap (ky, kx) and channel
// fold, one word of the H x W input map at (oy * SH + ky, ox * SW + kx): the pixel's im2col
// column in (ky, kx, c) order, as finn-hlslib's ConvolutionInputGenerator writes it.
//
// Schedule: input rows go into a ring of KH + SH line buffers. The first KH rows are read
// alone (FILL cycles); then each output row takes one block of max(WRITE, READ) cycles in
// which the unit writes that row's windows from the KH rows it needs while it reads the next
// SH input rows into the other SH buffers (the last block reads the rows no window reaches).
// One pipelined loop, II = 1, at most one read and one write per cycle:
//   cycles per frame = W * KH * FOLDS + OH * max(OW * KH * KW * FOLDS, SH * W * FOLDS),
// FINN's formula for ConvolutionInputGenerator and the cost model's.
#ifndef BNNIR_WINDOW_HPP
#define BNNIR_WINDOW_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned H, unsigned W, unsigned C, unsigned SIMD, unsigned BITS, unsigned KH,
          unsigned KW, unsigned SH, unsigned SW>
void window(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * BITS> > &out,
            unsigned frames) {
  static const unsigned FOLDS = C / SIMD;
  static const unsigned OH = (H - KH) / SH + 1, OW = (W - KW) / SW + 1;
  static const unsigned ROWS = KH + SH;
  static const unsigned FILL = KH * W * FOLDS;
  static const unsigned WRITE = OW * KH * KW * FOLDS, READ = SH * W * FOLDS;
  static const unsigned BLOCK = max_of(WRITE, READ);
  static_assert(C % SIMD == 0, "SIMD must divide the channels");
  static_assert(KH <= H && KW <= W, "the window must fit the map");
  ap_uint<SIMD * BITS> lines[ROWS][W][FOLDS];
#pragma HLS ARRAY_PARTITION variable = lines complete dim = 1
  // A cycle reads the KH rows of the current block and writes one of the other SH: never the
  // word it reads. No `inter false` (finn-hlslib's choice): on a narrow map a word can be read
  // the cycle after it is written, so the store must stay before the next iteration's load,
  // which II = 1 allows, as neither depends on the other.
#pragma HLS DEPENDENCE variable = lines intra false
  // Reading: word (read_x, read_sf) of input row read_row goes to ring row read_slot.
  unsigned read_row = 0, read_slot = 0, read_x = 0, read_sf = 0;
  // Writing: tap (ky, kx, sf) of the output pixel whose window starts at column x0 of the
  // input row in ring row `top`; `k` counts the cycles of the current block.
  unsigned k = 0, top = 0, ky = 0, kx = 0, sf = 0, x0 = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < FILL + OH * BLOCK; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      const bool filling = i < FILL;
      if ((filling || k < READ) && read_row < H) {
        lines[read_slot][read_x][read_sf] = in.read();
        if (++read_sf == FOLDS) {
          read_sf = 0;
          if (++read_x == W) {
            read_x = 0;
            read_row++;
            read_slot = read_slot == ROWS - 1 ? 0 : read_slot + 1;
          }
        }
      }
      if (!filling && k < WRITE) {
        const unsigned slot = top + ky < ROWS ? top + ky : top + ky - ROWS;
        out.write(lines[slot][x0 + kx][sf]);
        if (++sf == FOLDS) {
          sf = 0;
          if (++kx == KW) {
            kx = 0;
            if (++ky == KH) {
              ky = 0;
              x0 = x0 + SW == OW * SW ? 0 : x0 + SW;
            }
          }
        }
      }
      if (!filling && ++k == BLOCK) {
        k = 0;
        top = top + SH < ROWS ? top + SH : top + SH - ROWS;
      }
      if (i == FILL + OH * BLOCK - 1) {  // the frame is done: the next starts over
        read_row = 0;
        read_slot = 0;
        top = 0;
      }
    }
  }
}

}  // namespace bnnir

#endif
