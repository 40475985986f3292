// bnnir HLS kernel library: shared definitions.
//
// Streams carry ap_uint<LANES * BITS> words, lane 0 in the least significant bits; bipolar
// values are bits (1 = +1, 0 = -1). Feature maps stream NHWC, channels fastest. Every kernel
// processes `frames` frames and is written for synthesis: static sizes, no dynamic memory,
// pipelined loops with II = 1 where the hardware allows it.
#ifndef BNNIR_COMMON_HPP
#define BNNIR_COMMON_HPP

// Stream words up to bnnir's limit (cost_model.MAX_STREAM_BITS); ap_uint's default is 1024 bits
// (UG1399, "C++ Arbitrary Precision Integer Types").
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096
#endif
#include <ap_int.h>
#include <hls_stream.h>
#include <stdint.h>

namespace bnnir {

// Lane `i` of a word, as an unsigned BITS-bit value.
template <unsigned BITS, int W>
ap_uint<BITS> lane(const ap_uint<W> &word, unsigned i) {
#pragma HLS INLINE
  return word(i * BITS + BITS - 1, i * BITS);
}

// Lane `i` of a word read as a signed (two's complement) or unsigned integer.
template <unsigned BITS, bool SIGNED, int W>
int lane_value(const ap_uint<W> &word, unsigned i) {
#pragma HLS INLINE
  ap_uint<BITS> raw = lane<BITS>(word, i);
  if (SIGNED) {
    ap_int<BITS> value = raw;
    return value.to_int();
  }
  return raw.to_int();
}

template <unsigned BITS, int W>
void set_lane(ap_uint<W> &word, unsigned i, int value) {
#pragma HLS INLINE
  word(i * BITS + BITS - 1, i * BITS) = ap_uint<BITS>(value);
}

constexpr int clamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace bnnir

#endif
