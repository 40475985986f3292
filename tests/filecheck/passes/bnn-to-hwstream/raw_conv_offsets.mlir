// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// A conv without thresholds on a zero-padded bipolar map, after exact padding legalization: its
// border correction is added to the raw dot products, so the MVTU carries it as per-class
// offsets in hlslib order [classes, PE, NF] (row r at PE r mod 2, fold r div 2), with the border
// that tells the classes apart; the output is the 32-bit signed dot product.
func.func @main(%x: tensor<?x1x3x3xi1>) -> tensor<?x4x3x3xsi32> {
  %w = bnn.constant bits<"0x5AC3"> : tensor<4x1x2x2xi1>
  %a = bnn.conv2d %x, %w {onnx_node = "conv0", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64, correction = dense<[[[[[0, 0, 0, 0], [2, -2, 0, 0]]], [[[0, 0, -2, 2], [1, -1, -1, 1]]]]]> : tensor<1x2x1x2x4xsi32>, fold = #bnn.fold<pe = 2, simd = 2, window_simd = 1>} : tensor<?x1x3x3xi1>, tensor<4x1x2x2xi1> -> tensor<?x4x3x3xsi32>
  func.return %a : tensor<?x4x3x3xsi32>
}
// CHECK:      hwstream.mvtu %{{[0-9]+}} {layer = "conv0", rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<{{.*}}> : tensor<2x4x1xi8>, xnor, offsets = dense<{{\[\[\[}}0, 0], [0, 0]], {{\[\[}}2, 0], [-2, 0]], {{\[\[}}0, -2], [0, 2]], {{\[\[}}1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
// CHECK-NOT:  thresholds
