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

// CHECK:      static const int32_t k{{[0-9]+}}_thresholds[2] = {
// CHECK-NEXT:     0, -1
// CHECK:      static const bool k{{[0-9]+}}_falling[2] = {
// CHECK-NEXT:     0, 1
// CHECK:      bnnir::pool<4, 4, 2, 32, true, 2, 2, 2, 2, 0, 0, 0, 0>
// CHECK:      bnnir::threshold<2, 4, 2, 32, true, 1, 1, 0>({{s[0-9]+}}, {{.*}}, k{{[0-9]+}}_thresholds, k{{[0-9]+}}_falling, frames);
