// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// An explicit pad of 8-bit pixels with value 7 (its own kernel, SIMD 1), an unpadded strided
// conv of 8-bit inputs (no popcount: the MVTU sums ±inputs, writing 32-bit dot products), a
// standalone threshold of those integers into 2-bit levels (PE 2: a channel per lane), and a
// max-pool of the levels with padding on the top and left (padded taps are ignored).
func.func @main(%x: tensor<?x1x3x3xui8>) -> tensor<?x2x2x2xui2> {
  %p = bnn.pad %x {onnx_node = "pad0", pads = array<i64: 1, 1, 1, 1>, value = 7 : i64, fold = #bnn.fold<simd = 1>} : tensor<?x1x3x3xui8> -> tensor<?x1x5x5xui8>
  %w = bnn.constant bits<"0x5A"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %p, %w {onnx_node = "conv0", strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, fold = #bnn.fold<pe = 2, simd = 2, window_simd = 1>} : tensor<?x1x5x5xui8>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xsi32>
  %t = bnn.threshold %a {onnx_node = "act0", thresholds = dense<[[-1, 0, 4], [-2, 1, 3]]> : tensor<2x3xsi32>, fold = #bnn.fold<pe = 2>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xui2>
  %m = bnn.max_pool %t {onnx_node = "pool0", kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, fold = #bnn.fold<>} : tensor<?x2x2x2xui2> -> tensor<?x2x2x2xui2>
  func.return %m : tensor<?x2x2x2xui2>
}

// CHECK:      hwstream.design @accel attributes {input_type = tensor<?x1x3x3xui8>, output_type = tensor<?x2x2x2xui2>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
// CHECK-NEXT: ^bb0(%0: !hwstream.stream<8>):
// CHECK-NEXT:   %1 = hwstream.pad %0 {layer = "pad0", channels = 1 : i64, height = 3 : i64, width = 3 : i64, simd = 1 : i64, bits = 8 : i64, pads = array<i64: 1, 1, 1, 1>, value = 7 : i64} : !hwstream.stream<8> -> !hwstream.stream<8>
// CHECK-NEXT:   %2 = hwstream.window %1 {layer = "conv0", channels = 1 : i64, height = 5 : i64, width = 5 : i64, simd = 1 : i64, bits = 8 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : !hwstream.stream<8> -> !hwstream.stream<8>
// The window writes 4 pixels x 4 taps of 1 lane; the MVTU reads them 2 lanes per word.
// CHECK-NEXT:   %3 = hwstream.dwc %2 {layer = "conv0", in_lanes = 1 : i64, out_lanes = 2 : i64, bits = 8 : i64, words = 16 : i64} : !hwstream.stream<8> -> !hwstream.stream<16>
// Rows [-1, +1, -1, +1] and [+1, -1, +1, -1] (0x5A, lane 0 first), PE r holds row r.
// CHECK-NEXT:   %4 = hwstream.mvtu %3 {layer = "conv0", rows = 2 : i64, columns = 4 : i64, vectors = 4 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 8 : i64, weights = dense<{{\[\[}}[2], [2]], {{\[\[}}1], [1]]]> : tensor<2x2x1xi8>, output_bits = 32 : i64} : !hwstream.stream<16> -> !hwstream.stream<64>
// CHECK-NEXT:   %5 = hwstream.threshold %4 {layer = "act0", channels = 2 : i64, pixels = 4 : i64, pe = 2 : i64, input_bits = 32 : i64, thresholds = dense<{{\[\[\[}}-1, 0, 4]], {{\[\[}}-2, 1, 3]]]> : tensor<2x1x3xsi32>, output_bits = 2 : i64} : !hwstream.stream<64> -> !hwstream.stream<4>
// CHECK-NEXT:   %6 = hwstream.pool %5 {layer = "pool0", channels = 2 : i64, height = 2 : i64, width = 2 : i64, simd = 2 : i64, bits = 2 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : !hwstream.stream<4> -> !hwstream.stream<4>
// CHECK-NEXT:   hwstream.yield %6 : !hwstream.stream<4>
