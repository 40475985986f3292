// bnnir HLS kernel library: shared definitions.
//
// Streams carry ap_uint<LANES * BITS> words, lane 0 in the least significant bits; bipolar
// values are bits (1 = +1, 0 = -1). Feature maps stream NHWC, channels fastest. Every kernel is
// one function template with static sizes that processes `frames` frames in ONE pipelined loop
// (II = 1) of a static trip count per frame, so that a kernel's cycles per frame are its trip
// count, the number bnnir's cost model gives. Loop state lives in counters that wrap at the
// end of a frame; the frame loop around the pipelined loop is a perfect nest, which HLS
// flattens, and its LOOP_TRIPCOUNT of 1 makes the synthesis report give one frame's latency.
// Buffers are local arrays (each call owns its own), memories are passed by reference.
#ifndef BNNIR_COMMON_HPP
#define BNNIR_COMMON_HPP

// ap_uint's default limit is 1024 bits (UG1399, "C++ Arbitrary Precision Integer Types"). The
// generated top.hpp sets AP_INT_MAX_W to the design's widest word before any include of
// ap_int.h; without it, the library allows bnnir's limit (cost_model.MAX_STREAM_BITS).
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096
#endif
#include <ap_int.h>
#include <hls_stream.h>
#include <stdint.h>

#ifdef BNNIR_TRIP_COUNTS
#include <utility>
#include <vector>
#endif

namespace bnnir {

// ceil(log2(n)) for n >= 1.
constexpr unsigned clog2(unsigned long n) { return n <= 1 ? 0 : 1 + clog2((n + 1) / 2); }

constexpr unsigned max_of(unsigned a, unsigned b) { return a > b ? a : b; }
constexpr unsigned min_of(unsigned a, unsigned b) { return a < b ? a : b; }

// Lane `i` of a word as a BITS-bit pattern.
template <unsigned BITS, int W>
ap_uint<BITS> lane(const ap_uint<W> &word, unsigned i) {
#pragma HLS INLINE
  return word(i * BITS + BITS - 1, i * BITS);
}

// Lane `i` of a word as an integer: two's complement if SIGNED, else unsigned.
template <unsigned BITS, bool SIGNED, int W>
ap_int<BITS + 1> lane_value(const ap_uint<W> &word, unsigned i) {
#pragma HLS INLINE
  const ap_uint<BITS> raw = lane<BITS>(word, i);
  if (SIGNED) return ap_int<BITS>(raw);
  return raw;
}

template <unsigned BITS, int W, typename T>
void set_lane(ap_uint<W> &word, unsigned i, const T &value) {
#pragma HLS INLINE
  word(i * BITS + BITS - 1, i * BITS) = ap_uint<BITS>(value);
}

// The element type of a constant memory (ROM) of W-bit words, W <= 64. Synthesis gets ap_uint<W>
// / ap_int<W> words of exactly that width. C simulation gets the smallest built-in integer
// holding W bits, because g++ needs minutes for a table of a million ap_uint initializers (it
// runs a constructor per element) and seconds for built-in ones; define BNNIR_SYNTHESIS_ROMS to
// simulate the synthesis types. Tables are written as integer literals, valid for both, and a
// read converts to ap_uint<W> / ap_int<W>.
template <unsigned W, bool SIGNED>
struct builtin_word {
  typedef typename builtin_word<(W <= 8 ? 8 : W <= 16 ? 16 : W <= 32 ? 32 : 64), SIGNED>::type type;
};
template <> struct builtin_word<8, false> { typedef uint8_t type; };
template <> struct builtin_word<16, false> { typedef uint16_t type; };
template <> struct builtin_word<32, false> { typedef uint32_t type; };
template <> struct builtin_word<64, false> { typedef uint64_t type; };
template <> struct builtin_word<8, true> { typedef int8_t type; };
template <> struct builtin_word<16, true> { typedef int16_t type; };
template <> struct builtin_word<32, true> { typedef int32_t type; };
template <> struct builtin_word<64, true> { typedef int64_t type; };

#if defined(__SYNTHESIS__) || defined(BNNIR_SYNTHESIS_ROMS)
template <unsigned W> struct rom_uint { typedef ap_uint<W> type; };
template <unsigned W> struct rom_int { typedef ap_int<W> type; };
#else
template <unsigned W> struct rom_uint {
  static_assert(W <= 64, "a ROM word has at most 64 bits");
  typedef typename builtin_word<W, false>::type type;
};
template <unsigned W> struct rom_int {
  static_assert(W <= 64, "a ROM word has at most 64 bits");
  typedef typename builtin_word<W, true>::type type;
};
#endif

// C simulation only: with BNNIR_TRIP_COUNTS each kernel counts the iterations of its pipelined
// loop (keyed by its output stream, in the order kernels first run), so tests can compare
// them with the cost model's cycles per frame. Otherwise BNNIR_TRIP expands to nothing.
#ifdef BNNIR_TRIP_COUNTS
inline std::vector<std::pair<const void *, unsigned long> > &trip_counts() {
  static std::vector<std::pair<const void *, unsigned long> > counts;
  return counts;
}
inline void count_trip(const void *kernel) {
  std::vector<std::pair<const void *, unsigned long> > &counts = trip_counts();
  if (counts.empty() || counts.back().first != kernel) counts.push_back(std::make_pair(kernel, 0ul));
  counts.back().second++;
}
#define BNNIR_TRIP(out) bnnir::count_trip(&(out))
#else
#define BNNIR_TRIP(out)
#endif

}  // namespace bnnir

#endif
