// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=100},bnn-to-hwstream' -o %t.mlir
// RUN: filecheck %s --check-prefix=STREAM --input-file %t.mlir
// RUN: bnn-translate %t.mlir --emit-hls | filecheck %s

// A pool of accumulators followed by a falling (negative-scale) threshold: the threshold stays a
// standalone unit with its falling channel flagged, on signed 32-bit lanes.
func.func @main(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %b = bnn.threshold %p {thresholds = dense<[[0], [-1]]> : tensor<2x1xsi32>, descending = array<i64: 1>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xi1>
  func.return %b : tensor<?x2x2x2xi1>
}
// STREAM:      hwstream.pool {{.*}}bits = 32 : i64
// STREAM:      hwstream.threshold {{.*}}channels = 2 : i64, pixels = 4 : i64, pe = 2 : i64, input_bits = 32 : i64, thresholds = dense<{{\[\[\[}}0]], {{\[\[}}-1]]]> : tensor<2x1x1xsi32>, output_bits = 1 : i64, descending = array<i64: 1>}

// Thresholds [PE][STEPS][CLASSES][NF] as 2-bit integers, the falling flags [PE][NF] (channel c
// at PE c % PE); both partitioned by PE (and the thresholds by step).
// CHECK:      void threshold(
// CHECK:      for (unsigned i = 0; i < PIXELS * NF; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1
// CHECK:      static const bnnir::Thresholds<2, 1, 1, 1, 2, 0> [[T:k[0-9]+]]_thresholds = { { { { {0} } }, { { {-1} } } } };
// CHECK:      static const bnnir::ChannelFlags<2, 1> [[T]]_falling = { { {0}, {1} } };
// CHECK:      bnnir::pool<4, 4, 2, 32, true, 2, 2, 2, 2, 0, 0, 0, 0>
// CHECK:      #pragma HLS ARRAY_PARTITION variable = [[T]]_thresholds.m complete dim = 1
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = [[T]]_thresholds.m complete dim = 2
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = [[T]]_falling.m complete dim = 1
// Template: channels, pixels, PE, input bits, signed input, output bits.
// CHECK:      bnnir::threshold<2, 4, 2, 32, true, 1>({{s[0-9]+}}, adapted_out, [[T]]_thresholds, [[T]]_falling, frames);
