// Max pooling of an H x W map with all C channels in one word: the lane-wise maximum over each
// KH x KW window (strides SH, SW; padded taps ignored, every window covers an input pixel). On
// bipolar bits the maximum is the OR of the window (finn-hlslib's StreamingMaxPool); lanes of
// multi-bit maps are compared as unsigned or two's complement integers.
//
// Schedule: ONE pipelined loop, II = 1, over the input pixels in stream order, reading one word
// per cycle. The last KW words of the row sit in a shift register; at the column where a
// window's last tap arrives, the unit takes that window's row maximum, keeps it in a ring of
// KH row buffers (one OW-word row per input row), and on the row where the window's last tap
// row arrives it writes the maximum over those KH rows in the same cycle. Reads and writes
// overlap, so cycles per frame = H * W (FINN's StreamingMaxPool spends H * W * (1 + 1/K^2),
// writing each output row in a separate loop). Each row buffer is read at a constant index, so
// each is one memory with a read and a write port. Windows that hang over the bottom (right) edge
// all end at the last row (column) and are written one per cycle there: pool_extent() adds a
// row (column) per extra such window.
#ifndef BNNIR_POOL_HPP
#define BNNIR_POOL_HPP

#include "common.hpp"

namespace bnnir {

// Along one axis of N inputs (kernel K, stride S, leading pad P, O windows): the first window
// that ends at or past the last input, and the positions the pool iterates over, N plus one
// per further such window (they all end at the last input and are written one per cycle).
constexpr unsigned pool_first_at_edge(unsigned N, unsigned K, unsigned S, unsigned P) {
  return int(N) - int(K) + int(P) <= 0 ? 0 : (N - K + P + S - 1) / S;
}
constexpr unsigned pool_extent(unsigned N, unsigned K, unsigned S, unsigned P, unsigned O) {
  return O > pool_first_at_edge(N, K, S, P) + 1 ? N + O - pool_first_at_edge(N, K, S, P) - 1 : N;
}

// The identity of the lane-wise maximum: every lane at its lowest value.
template <unsigned C, unsigned BITS, bool SIGNED>
ap_uint<C * BITS> lowest_word() {
#pragma HLS INLINE
  ap_uint<C * BITS> word = 0;
  if (SIGNED) {
    for (unsigned c = 0; c < C; c++) {
#pragma HLS UNROLL
      word[c * BITS + BITS - 1] = 1;
    }
  }
  return word;
}

template <unsigned C, unsigned BITS, bool SIGNED>
ap_uint<C * BITS> lane_max(const ap_uint<C * BITS> &a, const ap_uint<C * BITS> &b) {
#pragma HLS INLINE
  if (BITS == 1 && !SIGNED) return a | b;  // bipolar bits: +1 (1) beats -1 (0)
  ap_uint<C * BITS> result;
  for (unsigned c = 0; c < C; c++) {
#pragma HLS UNROLL
    const bool first = lane_value<BITS, SIGNED>(a, c) >= lane_value<BITS, SIGNED>(b, c);
    set_lane<BITS>(result, c, first ? lane<BITS>(a, c) : lane<BITS>(b, c));
  }
  return result;
}

template <unsigned H, unsigned W, unsigned C, unsigned BITS, bool SIGNED, unsigned KH,
          unsigned KW, unsigned SH, unsigned SW, unsigned PT, unsigned PL, unsigned PB,
          unsigned PR>
void pool(hls::stream<ap_uint<C * BITS> > &in, hls::stream<ap_uint<C * BITS> > &out,
          unsigned frames) {
  typedef ap_uint<C * BITS> word_t;
  static const unsigned OH = (H + PT + PB - KH) / SH + 1, OW = (W + PL + PR - KW) / SW + 1;
  static const unsigned ROWS = pool_extent(H, KH, SH, PT, OH);
  static const unsigned COLS = pool_extent(W, KW, SW, PL, OW);
  const word_t LOWEST = lowest_word<C, BITS, SIGNED>();
  word_t taps[KW];  // the row's last KW words, the newest in taps[KW - 1]
#pragma HLS ARRAY_PARTITION variable = taps complete
  word_t rows[KH][OW];  // window maxima along input row r in rows[r % KH]
#pragma HLS ARRAY_PARTITION variable = rows complete dim = 1
  // A cycle writes column ox of one row buffer and reads column ox of each of the others (the
  // value it reads from the one it writes is not used): never a word written in that cycle.
#pragma HLS DEPENDENCE variable = rows intra false
  // (y, x): the position in the iteration space; input row min(y, H - 1) is in rows[slot].
  // The windows in flight: column ox, taps x0 .. x0 + KW - 1; row oy, rows y0 .. y0 + KH - 1.
  unsigned y = 0, x = 0, slot = 0, ox = 0, oy = 0;
  int x0 = -int(PL), y0 = -int(PT);
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < ROWS * COLS; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      if (y < H && x < W) {
        for (unsigned j = 0; j + 1 < KW; j++) {
#pragma HLS UNROLL
          taps[j] = taps[j + 1];
        }
        taps[KW - 1] = in.read();
      }
      const int last_x = x < W ? int(x) : int(W) - 1, last_y = y < H ? int(y) : int(H) - 1;
      const int end_x = x0 + int(KW) - 1, end_y = y0 + int(KH) - 1;
      const bool row_due = oy < OH && int(y) >= (end_y < int(H) ? end_y : int(H) - 1);
      if (ox < OW && int(x) >= (end_x < int(W) ? end_x : int(W) - 1)) {  // window ox ends here
        word_t along_row = LOWEST;
        for (unsigned j = 0; j < KW; j++) {
#pragma HLS UNROLL
          const int column = last_x - int(KW - 1 - j);
          if (column >= 0 && column >= x0) along_row = lane_max<C, BITS, SIGNED>(along_row, taps[j]);
        }
        if (y < H) rows[slot][ox] = along_row;
        if (row_due) {  // buffer b holds the row j rows above the last, j = (slot - b) mod KH
          word_t result = LOWEST;
          for (unsigned b = 0; b < KH; b++) {
#pragma HLS UNROLL
            const unsigned j = slot >= b ? slot - b : slot + KH - b;
            const int row = last_y - int(j);
            const word_t value = j == 0 && y < H ? along_row : rows[b][ox];
            if (row >= 0 && row >= y0) result = lane_max<C, BITS, SIGNED>(result, value);
          }
          out.write(result);
        }
        ox++;
        x0 += SW;
      }
      if (++x == COLS) {  // the end of a row
        x = 0;
        ox = 0;
        x0 = -int(PL);
        if (row_due) {
          oy++;
          y0 += SH;
        }
        if (y + 1 < H) slot = slot == KH - 1 ? 0 : slot + 1;
        if (++y == ROWS) {  // the end of the frame
          y = 0;
          slot = 0;
          oy = 0;
          y0 = -int(PT);
        }
      }
    }
  }
}

}  // namespace bnnir

#endif
