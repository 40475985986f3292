// Width converter (a gearbox): regroups WORDS words of IN lanes per frame into words of OUT
// lanes, keeping lane order. Neither lane count need divide the other; a frame's lanes fill
// whole words of both. One pipelined loop (II = 1) of max(WORDS, WORDS * IN / OUT) iterations
// per frame: when narrowing, every iteration writes a word and reads one when the lanes it holds
// run short; when widening, every iteration reads a word and writes one when a word fills up.
// Its registers are at most max(IN, OUT) lanes wide. When one count divides the other, every
// shift is a constant (the `DIVIDES` selects), so no barrel shifter is built.
#ifndef BNNIR_DWC_HPP
#define BNNIR_DWC_HPP

#include "common.hpp"

namespace bnnir {

template <unsigned IN, unsigned OUT, unsigned BITS, unsigned WORDS>
void dwc(hls::stream<ap_uint<IN * BITS> > &in, hls::stream<ap_uint<OUT * BITS> > &out,
         unsigned frames) {
  static_assert((WORDS * IN) % OUT == 0, "a frame must fill whole output words");
  static const unsigned OUT_WORDS = WORDS * IN / OUT;
  if (IN > OUT) {
    const bool DIVIDES = IN % OUT == 0;
    ap_uint<IN * BITS> held = 0;  // `avail` lanes not yet written, from lane 0; zeros above
    unsigned avail = 0;
    for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
      for (unsigned i = 0; i < OUT_WORDS; i++) {
#pragma HLS PIPELINE II = 1
        BNNIR_TRIP(out);
        ap_uint<OUT * BITS> word;
        if (avail >= OUT) {
          word = held(OUT * BITS - 1, 0);
          held = held >> (OUT * BITS);
          avail -= OUT;
        } else {  // the held lanes, then the next word's first OUT - avail lanes
          const ap_uint<IN * BITS> next = in.read();
          const unsigned low = DIVIDES ? 0 : avail;
          word = ap_uint<OUT * BITS>(held) | (ap_uint<OUT * BITS>(next) << (low * BITS));
          held = next >> ((OUT - low) * BITS);
          avail = low + IN - OUT;
        }
        out.write(word);
      }
    }
  } else if (IN < OUT) {
    const bool DIVIDES = OUT % IN == 0;
    ap_uint<OUT * BITS> filled = 0;  // `fill` lanes of the next output word, from lane 0
    unsigned fill = 0;
    for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
      for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II = 1
        BNNIR_TRIP(out);
        const ap_uint<IN * BITS> next = in.read();
        const ap_uint<OUT * BITS> word = filled | (ap_uint<OUT * BITS>(next) << (fill * BITS));
        if (fill + IN >= OUT) {  // full: write it and keep the lanes of `next` that did not fit
          out.write(word);
          const unsigned used = OUT - fill;
          filled = DIVIDES ? ap_uint<OUT * BITS>(0) : ap_uint<OUT * BITS>(next) >> (used * BITS);
          fill = IN - used;
        } else {
          filled = word;
          fill += IN;
        }
      }
    }
  } else {
    for (unsigned f = 0; f < frames; f++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
      for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II = 1
        BNNIR_TRIP(out);
        out.write(in.read());
      }
    }
  }
}

}  // namespace bnnir

#endif
