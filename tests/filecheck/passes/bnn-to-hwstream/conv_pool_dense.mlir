// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// A folded network: an exact-padded bipolar conv (window SIMD 2, MVTU SIMD 4: a converter joins
// them), a pool (all channels per word: converters around it), a dense layer after a flatten and
// a label select. Thresholds of the falling channel 1 are negated with its weight row, the border
// classes get one popcount-domain table each, and @main keeps only the instance.
func.func @main(%x: tensor<?x2x3x3xi1>) -> tensor<?x1xsi64> {
  %w = bnn.constant bits<"0x5AA5"> : tensor<2x2x2x2xi1>
  %a = bnn.conv2d %x, %w {onnx_node = "conv0", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64, correction = dense<[[[[[0, 0], [1, -1]]], [[[-1, 1], [2, 0]]]]]> : tensor<1x2x1x2x2xsi32>, thresholds = dense<[[1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>, fold = #bnn.fold<pe = 2, simd = 4, window_simd = 2>} : tensor<?x2x3x3xi1>, tensor<2x2x2x2xi1> -> tensor<?x2x3x3xi1>
  %p = bnn.max_pool %a {onnx_node = "pool0", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, fold = #bnn.fold<>} : tensor<?x2x3x3xi1> -> tensor<?x2x1x1xi1>
  %f = bnn.flatten %p : tensor<?x2x1x1xi1> -> tensor<?x2xi1>
  %v = bnn.constant bits<"0x0B"> : tensor<4x2xi1>
  %y = bnn.dense %f, %v {onnx_node = "fc0", fold = #bnn.fold<pe = 2, simd = 1>} : tensor<?x2xi1>, tensor<4x2xi1> -> tensor<?x4xsi32>
  %l = bnn.arg_max %y {onnx_node = "top", fold = #bnn.fold<pe = 4>} : tensor<?x4xsi32> -> tensor<?x1xsi64>
  func.return %l : tensor<?x1xsi64>
}

// CHECK:      func.func @main(%x: tensor<?x2x3x3xi1>) -> tensor<?x1xsi64> {
// CHECK-NEXT:   %l = hwstream.instance @accel(%x) : tensor<?x2x3x3xi1> -> tensor<?x1xsi64>
// CHECK-NEXT:   func.return %l : tensor<?x1xsi64>
// CHECK:      hwstream.design @accel attributes {input_type = tensor<?x2x3x3xi1>, output_type = tensor<?x1xsi64>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
// CHECK-NEXT: ^bb0(%0: !hwstream.stream<2>):
// The -1 padding is bit 0.
// CHECK-NEXT:   %1 = hwstream.pad %0 {layer = "conv0", channels = 2 : i64, height = 3 : i64, width = 3 : i64, simd = 2 : i64, bits = 1 : i64, pads = array<i64: 0, 0, 1, 1>, value = 0 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
// CHECK-NEXT:   %2 = hwstream.window %1 {layer = "conv0", channels = 2 : i64, height = 4 : i64, width = 4 : i64, simd = 2 : i64, bits = 1 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !hwstream.stream<2> -> !hwstream.stream<2>
// CHECK-NEXT:   %3 = hwstream.dwc %2 {layer = "conv0", in_lanes = 2 : i64, out_lanes = 4 : i64, bits = 1 : i64, words = 36 : i64} : !hwstream.stream<2> -> !hwstream.stream<4>
// Weight rows in (ky, kx, c) order, channel 1 negated: both rows are 0b01100110 (6 per 4-lane word).
// Popcount thresholds per border class c: ceil((t - correction[c] + 8) / 2).
// CHECK-NEXT:   %4 = hwstream.mvtu %3 {layer = "conv0", rows = 2 : i64, columns = 8 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 4 : i64, input_bits = 1 : i64, weights = dense<6> : tensor<2x2x1xi8>, xnor, thresholds = dense<{{\[\[\[\[}}5]], {{\[\[}}4]]], {{\[\[\[}}4]], {{\[\[}}4]]], {{\[\[\[}}5]], {{\[\[}}5]]], {{\[\[\[}}4]], {{\[\[}}4]]]]> : tensor<4x2x1x1xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
// CHECK-NEXT:   %5 = hwstream.pool %4 {layer = "pool0", channels = 2 : i64, height = 3 : i64, width = 3 : i64, simd = 2 : i64, bits = 1 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<2>
// CHECK-NEXT:   %6 = hwstream.dwc %5 {layer = "fc0", in_lanes = 2 : i64, out_lanes = 1 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<1>
// hlslib order: PE 0 holds rows 0 and 2, PE 1 rows 1 and 3.
// CHECK-NEXT:   %7 = hwstream.mvtu %6 {layer = "fc0", rows = 4 : i64, columns = 2 : i64, vectors = 1 : i64, pe = 2 : i64, simd = 1 : i64, input_bits = 1 : i64, weights = dense<{{\[\[\[}}1], [1], [0], [0]], {{\[\[}}0], [1], [0], [0]]]> : tensor<2x4x1xi8>, xnor, output_bits = 32 : i64} : !hwstream.stream<1> -> !hwstream.stream<64>
// CHECK-NEXT:   %8 = hwstream.dwc %7 {layer = "top", in_lanes = 2 : i64, out_lanes = 4 : i64, bits = 32 : i64, words = 2 : i64} : !hwstream.stream<64> -> !hwstream.stream<128>
// CHECK-NEXT:   %9 = hwstream.label_select %8 {layer = "top", labels = 4 : i64, pe = 4 : i64, bits = 32 : i64, index_bits = 2 : i64} : !hwstream.stream<128> -> !hwstream.stream<2>
// CHECK-NEXT:   hwstream.yield %9 : !hwstream.stream<2>
