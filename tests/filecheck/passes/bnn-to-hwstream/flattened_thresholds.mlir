// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// A flattened 2x1x2 map streams its features (h, w, c): stream position p holds feature
// [0, 2, 1, 3][p] of the tensor's (c, h, w) order. The per-feature thresholds are reordered so
// (rows [0, 1, 2, 3] -> [0, 2, 1, 3], the descending feature 1 -> position 2), and so are the
// dense layer's columns (+1 +1 -1 -1 -> +1 -1 +1 -1: bits 0b0101 in stream order).
func.func @main(%x: tensor<?x2x1x2xsi4>) -> tensor<?x1xsi32> {
  %f = bnn.flatten %x : tensor<?x2x1x2xsi4> -> tensor<?x4xsi4>
  %t = bnn.threshold %f {onnx_node = "t0", thresholds = dense<[[0], [1], [2], [3]]> : tensor<4x1xsi32>, descending = array<i64: 1>, fold = #bnn.fold<pe = 1>} : tensor<?x4xsi4> -> tensor<?x4xi1>
  %w = bnn.constant bits<"0x03"> : tensor<1x4xi1>
  %y = bnn.dense %t, %w {onnx_node = "fc0", fold = #bnn.fold<pe = 1, simd = 4>} : tensor<?x4xi1>, tensor<1x4xi1> -> tensor<?x1xsi32>
  func.return %y : tensor<?x1xsi32>
}
// CHECK:      hwstream.threshold %{{[0-9]+}} {layer = "t0", channels = 4 : i64, pixels = 1 : i64, pe = 1 : i64, input_bits = 4 : i64, thresholds = dense<{{\[\[\[}}0], [2], [1], [3]]]> : tensor<1x4x1xsi32>, output_bits = 1 : i64, descending = array<i64: 2>}
// CHECK:      hwstream.mvtu %{{[0-9]+}} {layer = "fc0", rows = 1 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 4 : i64, input_bits = 1 : i64, weights = dense<5> : tensor<1x1x1xi8>, xnor
