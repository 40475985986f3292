// RUN: bnn-translate %s --emit-hls | filecheck %s

// A 3x2 window with strides (2, 1) over a 5x6 map of 4 unsigned 4-bit channels, 2 per word.
func.func @main(%x: tensor<?x4x5x6xui4>) -> tensor<?x4x2x30xui4> {
  %y = hwstream.instance @accel(%x) : tensor<?x4x5x6xui4> -> tensor<?x4x2x30xui4>
  func.return %y : tensor<?x4x2x30xui4>
}
hwstream.design @accel attributes {input_type = tensor<?x4x5x6xui4>, output_type = tensor<?x4x2x30xui4>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %w = hwstream.window %in {channels = 4 : i64, height = 5 : i64, width = 6 : i64, simd = 2 : i64, bits = 4 : i64, kernel = array<i64: 3, 2>, strides = array<i64: 2, 1>} : !hwstream.stream<8> -> !hwstream.stream<8>
  hwstream.yield %w : !hwstream.stream<8>
}

// The kernel: a ring of KH + SH line buffers, one per memory, and one pipelined loop of
// FILL + OH * BLOCK cycles per frame that reads and writes in the same cycles.
// CHECK:      void window(
// CHECK:      ap_uint<SIMD * BITS> lines[ROWS][W][FOLDS];
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = lines complete dim = 1
// CHECK:      for (unsigned i = 0; i < FILL + OH * BLOCK; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1
// CHECK-NOT:  for (

// The port carries a whole pixel (16 bits); adapters split and join it.
// CHECK:      bnnir::input_adapter<4, 2, 4, 16, 30>(in, adapted_in, frames);
// Template: H, W, C, SIMD, bits, KH, KW, SH, SW.
// CHECK:      bnnir::window<5, 6, 4, 2, 4, 3, 2, 2, 1>(adapted_in, adapted_out, frames);
// CHECK:      bnnir::output_adapter<2, 4, 4, 16, 60>(adapted_out, out, frames);
