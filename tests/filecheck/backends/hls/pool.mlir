// RUN: bnn-translate %s --emit-hls | filecheck %s

// A 3x2 max-pool, strides (1, 2), pads (top 1, left 0, bottom 2, right 1), over a 5x6 map of
// 3 signed 4-bit channels (all in one word).
func.func @main(%x: tensor<?x3x5x6xsi4>) -> tensor<?x3x6x3xsi4> {
  %y = hwstream.instance @accel(%x) : tensor<?x3x5x6xsi4> -> tensor<?x3x6x3xsi4>
  func.return %y : tensor<?x3x6x3xsi4>
}
hwstream.design @accel attributes {input_type = tensor<?x3x5x6xsi4>, output_type = tensor<?x3x6x3xsi4>, input_lanes = 3 : i64, output_lanes = 3 : i64} {
^bb0(%in: !hwstream.stream<12>):
  %p = hwstream.pool %in {channels = 3 : i64, height = 5 : i64, width = 6 : i64, simd = 3 : i64, bits = 4 : i64, kernel = array<i64: 3, 2>, strides = array<i64: 1, 2>, pads = array<i64: 1, 0, 2, 1>} : !hwstream.stream<12> -> !hwstream.stream<12>
  hwstream.yield %p : !hwstream.stream<12>
}

// The kernel: bipolar lanes are ORed, others compared as integers; a KW-word shift register
// and KH row buffers of window maxima, one per memory; one pipelined loop of ROWS * COLS
// cycles (H * W unless windows stack on the bottom or right edge).
// CHECK:      ap_uint<C * BITS> lane_max(
// CHECK:      if (BITS == 1 && !SIGNED) return a | b;
// CHECK:      void pool(
// CHECK:      word_t taps[KW];
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = taps complete
// CHECK-NEXT: word_t rows[KH][OW];
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = rows complete dim = 1
// CHECK:      for (unsigned i = 0; i < ROWS * COLS; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1

// Template: H, W, C, bits, signed, KH, KW, SH, SW, pads (top, left, bottom, right).
// CHECK:      bnnir::input_adapter<3, 3, 4, 16, 30>(in, adapted_in, frames);
// CHECK:      bnnir::pool<5, 6, 3, 4, true, 3, 2, 1, 2, 1, 0, 2, 1>(adapted_in, adapted_out, frames);
