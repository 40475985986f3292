// RUN: bnn-translate %s --emit-hls | filecheck %s

// +1 padding (bit 1) of a bipolar 3x3 map with 4 channels, 2 per word: top 1, left 0,
// bottom 2, right 1.
func.func @main(%x: tensor<?x4x3x3xi1>) -> tensor<?x4x6x4xi1> {
  %y = hwstream.instance @accel(%x) : tensor<?x4x3x3xi1> -> tensor<?x4x6x4xi1>
  func.return %y : tensor<?x4x6x4xi1>
}
hwstream.design @accel attributes {input_type = tensor<?x4x3x3xi1>, output_type = tensor<?x4x6x4xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %p = hwstream.pad %in {channels = 4 : i64, height = 3 : i64, width = 3 : i64, simd = 2 : i64, bits = 1 : i64, pads = array<i64: 1, 0, 2, 1>, value = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %p : !hwstream.stream<2>
}

// One pipelined loop, one output word per cycle.
// CHECK:      void pad(
// CHECK:      for (unsigned i = 0; i < OH * OW * FOLDS; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1
// Template: H, W, C, SIMD, bits, pads (top, left, bottom, right), value.
// CHECK:      bnnir::pad<3, 3, 4, 2, 1, 1, 0, 2, 1, 1>(adapted_in, adapted_out, frames);
