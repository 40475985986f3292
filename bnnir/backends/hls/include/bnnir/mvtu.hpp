// The matrix-vector-threshold unit: an MH x MW weight matrix (bipolar, or signed integers of
// 2..8 bits), PE rows and SIMD columns per cycle, NF = MH / PE row folds and SF = MW / SIMD
// column folds per input vector.
//
// Schedule (finn-hlslib's Matrix_Vector_Activate_Batch, in our own code): ONE pipelined loop of
// VECTORS * NF * SF iterations per frame, II = 1. Iteration (v, nf, sf) reads input word sf of
// vector v from the stream when nf == 0 (and keeps it for the other row folds), reads word
// nf * SF + sf of each PE's weight memory, adds SIMD products to each PE's accumulator, and at
// sf == SF - 1 writes one output word of PE lanes (rows nf * PE + pe). Cycles per frame:
// VECTORS * NF * SF, the cost model's.
//
// With XNOR (bipolar weights) the input is bipolar bits and a row accumulates the matching
// bits P; otherwise it adds +-input lanes (bipolar weights) or weight * input lanes (integer
// weights, the input lanes unsigned, SIGNED_IN or, with BIPOLAR_IN, bipolar bits). The activation turns an accumulator into an output lane: Thresholds
// (threshold.hpp; its table has one copy per border class of a zero-padded conv) or
// DotProduct (2P - MW with XNOR, else the sum) or Offsets (the dot product plus a per-class
// correction), OUT_BITS wide in two's complement.
#ifndef BNNIR_MVTU_HPP
#define BNNIR_MVTU_HPP

#include "common.hpp"
#include "threshold.hpp"

namespace bnnir {

// The weights of an MH x MW matrix in finn-hlslib's layout: row r at PE r % PE, row fold
// r / PE; column c in column fold c / SIMD, lane c % SIMD (lane 0 least significant); word
// nf * SF + sf of each PE's memory holds SIMD lanes of BITS bits (1: bipolar, bit 1 = +1;
// else two's complement). A word is stored as CHUNKS pieces of at most 64 bits (a ROM word of
// the C simulation is a built-in integer; see rom_uint): with dims 1 (PE) and 2 (CHUNKS)
// partitioned, every PE reads its whole SIMD * BITS-bit word each cycle.
template <unsigned PE, unsigned SIMD, unsigned BITS, unsigned WMEM>
struct Weights {
  static const unsigned LANE_BITS = BITS;
  static const unsigned WIDTH = SIMD * BITS;
  static const unsigned CHUNKS = (WIDTH + 63) / 64;
  static const unsigned CHUNK_BITS = (WIDTH + CHUNKS - 1) / CHUNKS;
  typename rom_uint<CHUNK_BITS>::type m[PE][CHUNKS][WMEM];

  ap_uint<WIDTH> word(unsigned pe, unsigned address) const {
#pragma HLS INLINE
    ap_uint<CHUNKS * CHUNK_BITS> word;
    for (unsigned c = 0; c < CHUNKS; c++) {
#pragma HLS UNROLL
      word((c + 1) * CHUNK_BITS - 1, c * CHUNK_BITS) = ap_uint<CHUNK_BITS>(m[pe][c][address]);
    }
    return word(WIDTH - 1, 0);
  }
};

// Bipolar weights: one bit per lane.
template <unsigned PE, unsigned SIMD, unsigned WMEM>
using BinaryWeights = Weights<PE, SIMD, 1, WMEM>;

// The activation of a unit without thresholds: its signed dot product.
template <bool XNOR, unsigned MW>
struct DotProduct {
  template <typename T>
  int activate(unsigned, unsigned, unsigned, const T &acc) const {
#pragma HLS INLINE
    return XNOR ? 2 * acc.to_int() - int(MW) : acc.to_int();
  }
};

// The activation of a zero-padded conv without thresholds: its dot product plus the border
// correction of the vector's class (computed with -1 padding, it would differ there):
// `m`[pe][class][nf] as BITS-bit two's complement integers, one memory per PE.
template <bool XNOR, unsigned MW, unsigned PE, unsigned NF, unsigned CLASSES, unsigned BITS>
struct Offsets {
  typename rom_int<BITS>::type m[PE][CLASSES][NF];

  template <typename T>
  int activate(unsigned cls, unsigned nf, unsigned pe, const T &acc) const {
#pragma HLS INLINE
    return DotProduct<XNOR, MW>().activate(cls, nf, pe, acc) + int(ap_int<BITS>(m[pe][cls][nf]));
  }
};

// Which border class the current output pixel of a conv is in, for tables indexed by it: how
// many window rows / columns hang over each edge of the unpadded IH x IW input, as
// bnn.conv2d's correction table indexes them. Tracked from the window's origin (y, x) in input
// coordinates, advanced once per output vector: adds and compares, no division.
template <unsigned IH, unsigned IW, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned PB, unsigned PR>
class Border {
  static const unsigned OH = (IH + PT + PB - KH) / SH + 1, OW = (IW + PL + PR - KW) / SW + 1;
  static const int BD = min_of(PB, KH) + 1, LD = min_of(PL, KW) + 1, RD = min_of(PR, KW) + 1;
  int y, x;
  unsigned oy, ox;

  static int overhang(int v, int k) { return v < 0 ? 0 : v > k ? k : v; }

 public:
  static const unsigned VECTORS = OH * OW;

  Border() : y(-int(PT)), x(-int(PL)), oy(0), ox(0) {}

  unsigned cls() const {
#pragma HLS INLINE
    const int top = overhang(-y, KH), bottom = overhang(y + int(KH) - int(IH), KH);
    const int left = overhang(-x, KW), right = overhang(x + int(KW) - int(IW), KW);
    return ((top * BD + bottom) * LD + left) * RD + right;
  }

  void next() {
#pragma HLS INLINE
    if (ox < OW - 1) {
      ox++;
      x += SW;
      return;
    }
    ox = 0;
    x = -int(PL);
    if (oy < OH - 1) {
      oy++;
      y += SH;
    } else {  // the frame's last vector: the next frame starts over
      oy = 0;
      y = -int(PT);
    }
  }
};

// Every vector in class 0 (a dense layer, or a conv whose table has one class).
struct NoBorder {
  unsigned cls() const { return 0; }
  void next() {}
};

// Bits of an accumulator: XNOR counts up to MW matches; otherwise |sum| <= MW * 2^IN_BITS *
// 2^(W_BITS - 1) (an input lane below 2^IN_BITS in magnitude, a weight at most 2^(W_BITS - 1)).
constexpr unsigned accumulator_bits(unsigned MW, unsigned IN_BITS, bool XNOR,
                                    unsigned W_BITS = 1) {
  return XNOR ? clog2(MW + 1) + 1 : clog2(MW) + IN_BITS + W_BITS;
}

// One lane's product of a W_BITS-bit two's complement weight and an input lane: a multiplier
// (IN_BITS + W_BITS + 1 bits holds every product), or, on a bipolar input bit, the weight or
// its negation.
template <unsigned IN_BITS, bool SIGNED_IN, bool BIPOLAR_IN, unsigned W_BITS, int W, int V>
ap_int<IN_BITS + W_BITS + 1> lane_product(const ap_uint<W> &x, const ap_uint<V> &w, unsigned s) {
#pragma HLS INLINE
  const ap_int<W_BITS + 1> weight = ap_int<W_BITS>(lane<W_BITS>(w, s));
  if (BIPOLAR_IN) return x[s] ? weight : ap_int<W_BITS + 1>(-weight);
  return lane_value<IN_BITS, SIGNED_IN>(x, s) * weight;
}

// The SIMD products of one input word and one weight word of W_BITS-bit lanes, summed by an
// adder tree (HLS balances the unrolled sum) as wide as SIMD such products need.
template <unsigned SIMD, unsigned IN_BITS, bool SIGNED_IN, bool XNOR, unsigned W_BITS = 1,
          bool BIPOLAR_IN = false>
ap_int<clog2(SIMD + 1) + IN_BITS + W_BITS> simd_sum(const ap_uint<SIMD * IN_BITS> &x,
                                                      const ap_uint<SIMD * W_BITS> &w) {
#pragma HLS INLINE
  ap_int<clog2(SIMD + 1) + IN_BITS + W_BITS> sum = 0;
  if (W_BITS > 1) {
    for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
      sum += lane_product<IN_BITS, SIGNED_IN, BIPOLAR_IN, W_BITS>(x, w, s);
    }
  } else if (XNOR) {
    const ap_uint<SIMD> match = ~(ap_uint<SIMD>(x) ^ w);
#if !defined(__SYNTHESIS__) && !defined(BNNIR_SYNTHESIS_ROMS)
    // C simulation only: the same count, 64 bits at a time (bit by bit, it took most of the
    // run); a C simulation with BNNIR_SYNTHESIS_ROMS runs the loop synthesis sees
    for (unsigned lo = 0; lo < SIMD; lo += 64) {
      const unsigned hi = lo + 63 < SIMD - 1 ? lo + 63 : SIMD - 1;
      sum += __builtin_popcountll(match.range(hi, lo).to_uint64());
    }
#else
    for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
      sum += match[s];
    }
#endif
  } else {
    for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
      const ap_int<IN_BITS + 1> value = lane_value<IN_BITS, SIGNED_IN>(x, s);
      sum += w[s] ? ap_int<IN_BITS + 2>(value) : ap_int<IN_BITS + 2>(-value);
    }
  }
  return sum;
}

// BIPOLAR_IN: integer weights on bipolar input bits (bipolar weights on them are XNOR).
template <unsigned MH, unsigned MW, unsigned PE, unsigned SIMD, unsigned VECTORS,
          unsigned IN_BITS, bool SIGNED_IN, bool XNOR, unsigned OUT_BITS, typename BORDER,
          bool BIPOLAR_IN = false, typename WEIGHTS, typename ACTIVATION>
void mvtu(hls::stream<ap_uint<SIMD * IN_BITS> > &in, hls::stream<ap_uint<PE * OUT_BITS> > &out,
          const WEIGHTS &weights, const ACTIVATION &activation, unsigned frames) {
  static const unsigned NF = MH / PE, SF = MW / SIMD, W_BITS = WEIGHTS::LANE_BITS;
  static_assert(MH % PE == 0 && MW % SIMD == 0, "PE must divide MH and SIMD must divide MW");
  static_assert(!XNOR || IN_BITS == 1, "an XNOR unit reads bipolar bits");
  static_assert(!XNOR || W_BITS == 1, "an XNOR unit has bipolar weights");
  static_assert(!BIPOLAR_IN || (IN_BITS == 1 && W_BITS > 1), "BIPOLAR_IN: integer weights on bits");
  typedef ap_int<accumulator_bits(MW, IN_BITS, XNOR, W_BITS)> accumulator;
  ap_uint<SIMD * IN_BITS> vector[SF];  // the current input vector, kept for row folds nf > 0
  accumulator acc[PE];
#pragma HLS ARRAY_PARTITION variable = acc complete
  BORDER border;
  unsigned sf = 0, nf = 0, tile = 0;  // tile = nf * SF + sf, the weight memory address
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < VECTORS * NF * SF; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      ap_uint<SIMD * IN_BITS> x;
      if (nf == 0) {
        x = in.read();
        vector[sf] = x;
      } else {
        x = vector[sf];
      }
      for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
        const accumulator partial =
            simd_sum<SIMD, IN_BITS, SIGNED_IN, XNOR, W_BITS, BIPOLAR_IN>(x, weights.word(pe, tile));
        acc[pe] = (sf == 0 ? accumulator(0) : acc[pe]) + partial;
      }
      if (sf == SF - 1) {
        ap_uint<PE * OUT_BITS> result = 0;
        for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
          set_lane<OUT_BITS>(result, pe, activation.activate(border.cls(), nf, pe, acc[pe]));
        }
        out.write(result);
      }
      tile++;
      if (++sf == SF) {
        sf = 0;
        if (++nf == NF) {
          nf = 0;
          tile = 0;
          border.next();
        }
      }
    }
  }
}

}  // namespace bnnir

#endif
