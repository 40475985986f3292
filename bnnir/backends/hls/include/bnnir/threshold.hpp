// Multi-threshold activation: a value becomes BIAS + sum_i [v >= t_i] over STEPS sorted
// thresholds, or BIAS + sum_i [v <= t_i] for a channel flagged falling. The table is read by
// the MVTU (per border class) and by the standalone thresholding unit below.
#ifndef BNNIR_THRESHOLD_HPP
#define BNNIR_THRESHOLD_HPP

#include "common.hpp"

namespace bnnir {

// The thresholds of MH = PE * NF channels, channel r at PE r % PE, fold r / PE, one copy per
// border class, as BITS-bit two's complement integers. Every cycle a unit compares one value
// per PE with all STEPS thresholds: partitioning dims 1 (PE) and 2 (STEPS) gives each of the
// PE * STEPS reads its own memory of CLASSES * NF words.
template <unsigned PE, unsigned NF, unsigned CLASSES, unsigned STEPS, unsigned BITS, int BIAS>
struct Thresholds {
  static const int bias = BIAS;
  typename rom_int<BITS>::type m[PE][STEPS][CLASSES][NF];

  // The number of thresholds `value` reaches (from below, or from above if `falling`).
  template <typename T>
  ap_uint<clog2(STEPS + 1)> count(unsigned cls, unsigned nf, unsigned pe, const T &value,
                                  bool falling) const {
#pragma HLS INLINE
    ap_uint<clog2(STEPS + 1)> reached = 0;
    for (unsigned i = 0; i < STEPS; i++) {
#pragma HLS UNROLL
      const ap_int<BITS> t = m[pe][i][cls][nf];
      reached += (falling ? value <= t : value >= t) ? 1 : 0;
    }
    return reached;
  }

  // The MVTU's activation: an output lane from an accumulator.
  template <typename T>
  int activate(unsigned cls, unsigned nf, unsigned pe, const T &acc) const {
#pragma HLS INLINE
    return BIAS + int(count(cls, nf, pe, acc, false));
  }
};

// One flag per channel (PE * NF channels, laid out as the thresholds).
template <unsigned PE, unsigned NF>
struct ChannelFlags {
  typename rom_uint<1>::type m[PE][NF];
};

// The standalone thresholding unit: PIXELS x C values streamed PE channels per word, one word
// per cycle: PIXELS * C / PE cycles per frame (FINN's Thresholding_Batch).
template <unsigned C, unsigned PIXELS, unsigned PE, unsigned IN_BITS, bool SIGNED_IN,
          unsigned OUT_BITS, typename THRESHOLDS, typename FLAGS>
void threshold(hls::stream<ap_uint<PE * IN_BITS> > &in, hls::stream<ap_uint<PE * OUT_BITS> > &out,
               const THRESHOLDS &thresholds, const FLAGS &falling, unsigned frames) {
  static const unsigned NF = C / PE;
  static_assert(C % PE == 0, "PE must divide the channels");
  unsigned nf = 0;
  for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
    for (unsigned i = 0; i < PIXELS * NF; i++) {
#pragma HLS PIPELINE II = 1
      BNNIR_TRIP(out);
      const ap_uint<PE * IN_BITS> word = in.read();
      ap_uint<PE * OUT_BITS> result = 0;
      for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
        const ap_int<IN_BITS + 1> v = lane_value<IN_BITS, SIGNED_IN>(word, pe);
        const bool down = falling.m[pe][nf];
        set_lane<OUT_BITS>(result, pe, THRESHOLDS::bias + int(thresholds.count(0, nf, pe, v, down)));
      }
      out.write(result);
      nf = nf == NF - 1 ? 0 : nf + 1;
    }
  }
}

}  // namespace bnnir

#endif
