// The matrix-vector-threshold unit: an MH x MW binary weight matrix, PE rows and SIMD columns per
// cycle, NF = MH / PE row folds and SF = MW / SIMD column folds per input vector.
//
// Weights are laid out as finn-hlslib does (row r -> PE r % PE at fold r / PE; column c -> fold
// c / SIMD, lane c % SIMD; memory word nf * SF + sf of each PE), each SIMD-bit word stored as
// CHUNKS 64-bit pieces, lane 0 in the least significant bit. With XNOR the input is bipolar bits
// and a row accumulates the matching bits P; otherwise it adds +-input lanes. With STEPS
// thresholds (`table` = [CLASSES][PE][NF][STEPS], sorted) a row outputs BIAS + sum_i [acc >= t_i],
// the class of a vector being its border class when CLASSES > 1; without, its dot product (2P - MW
// with XNOR), OUT_BITS wide in two's complement, plus with OFFSETS `table`[class][pe][nf] (the
// border correction of a zero-padded conv computed with -1 padding). A unit has one table or none.
#ifndef BNNIR_MVTU_HPP
#define BNNIR_MVTU_HPP

#include "common.hpp"

namespace bnnir {

// The border class of output vector v of a conv: how many window rows / columns hang over each
// edge of the unpadded IH x IW input, as bnn.conv2d's correction table indexes them.
template <unsigned IH, unsigned IW, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned PB, unsigned PR, unsigned OW>
unsigned border_class(unsigned v) {
#pragma HLS INLINE
  const int oy = v / OW, ox = v % OW;
  const int th = clamp(int(PT) - oy * int(SH), 0, KH);
  const int bh = clamp(oy * int(SH) + int(KH) - int(PT) - int(IH), 0, KH);
  const int lh = clamp(int(PL) - ox * int(SW), 0, KW);
  const int rh = clamp(ox * int(SW) + int(KW) - int(PL) - int(IW), 0, KW);
  const int BD = (PB < KH ? PB : KH) + 1, LD = (PL < KW ? PL : KW) + 1;
  const int RD = (PR < KW ? PR : KW) + 1;
  return ((th * BD + bh) * LD + lh) * RD + rh;
}

struct NoBorder {
  static unsigned of(unsigned) { return 0; }
};

template <unsigned IH, unsigned IW, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned PB, unsigned PR, unsigned OW>
struct Border {
  static unsigned of(unsigned v) {
    return border_class<IH, IW, KH, KW, SH, SW, PT, PL, PB, PR, OW>(v);
  }
};

template <unsigned MH, unsigned MW, unsigned PE, unsigned SIMD, unsigned VECTORS,
          unsigned IN_BITS, bool SIGNED_IN, bool XNOR, unsigned OUT_BITS, unsigned STEPS,
          unsigned CLASSES, int BIAS, typename BORDER = NoBorder, bool OFFSETS = false>
void mvtu(hls::stream<ap_uint<SIMD * IN_BITS> > &in, hls::stream<ap_uint<PE * OUT_BITS> > &out,
          const uint64_t *weights, const int32_t *table, unsigned frames) {
  const unsigned NF = MH / PE, SF = MW / SIMD, WMEM = NF * SF;
  const unsigned CHUNKS = (SIMD + 63) / 64;
  ap_uint<SIMD * IN_BITS> vector[SF];
  int acc[PE];
#pragma HLS ARRAY_PARTITION variable = acc complete
  for (unsigned f = 0; f < frames; f++) {
    for (unsigned v = 0; v < VECTORS; v++) {
      const unsigned cls = CLASSES > 1 ? BORDER::of(v) : 0;
      for (unsigned nf = 0; nf < NF; nf++) {
        for (unsigned sf = 0; sf < SF; sf++) {
#pragma HLS PIPELINE II = 1
          if (nf == 0) vector[sf] = in.read();
          const ap_uint<SIMD * IN_BITS> x = vector[sf];
          for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
            if (sf == 0) acc[pe] = 0;
            const uint64_t *word = weights + ((pe * WMEM) + nf * SF + sf) * CHUNKS;
            int sum = 0;
            for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
              const bool w = (word[s / 64] >> (s % 64)) & 1;
              if (XNOR) {
                sum += (x[s] == w) ? 1 : 0;
              } else {
                const int value = lane_value<IN_BITS, SIGNED_IN>(x, s);
                sum += w ? value : -value;
              }
            }
            acc[pe] += sum;
          }
          if (sf == SF - 1) {
            ap_uint<PE * OUT_BITS> result = 0;
            for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
              int value;
              if (STEPS > 0) {
                const int32_t *t = table + ((cls * PE + pe) * NF + nf) * STEPS;
                value = BIAS;
                for (unsigned i = 0; i < STEPS; i++) value += acc[pe] >= t[i] ? 1 : 0;
              } else {
                value = XNOR ? 2 * acc[pe] - int(MW) : acc[pe];
                if (OFFSETS) value += table[(cls * PE + pe) * NF + nf];
              }
              set_lane<OUT_BITS>(result, pe, value);
            }
            out.write(result);
          }
        }
      }
    }
  }
}

}  // namespace bnnir

#endif
