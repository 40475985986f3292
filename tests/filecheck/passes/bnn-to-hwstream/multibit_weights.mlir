// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// Integer weights on bipolar inputs: units with weight_bits and bipolar_input (no XNOR, no
// popcount domain: thresholds stay on the dot product). Lane j of a word holds its weight at
// bits [j * N, (j + 1) * N), two's complement.
// fc0: ternary weights [[1, -1, 0, -2], [-2, 1, 1, 0]], channel 1 compared with <= 1: its row
// is negated, [2, -1, -1, 0], and its threshold becomes >= -1. The negation of -2 needs 3 bits,
// so the unit's weights are 3 bits: words (1, -1) = 0b111001 = 57, (0, -2) = 0b110000 = 48,
// (2, -1) = 0b111010 = 58, (-1, 0) = 0b000111 = 7.
// fc1: 4-bit weights [[7, -8], [-1, 3], [0, 5]], one row per PE: 0x87 = -121, 0x3f = 63,
// 0x50 = 80.
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x3xsi32> {
  %w0 = bnn.constant bits<"0x8D16"> : tensor<2x4xsi2>
  %h = bnn.dense %x, %w0 {onnx_node = "fc0", thresholds = dense<[[0], [1]]> : tensor<2x1xsi32>, descending = array<i64: 1>, fold = #bnn.fold<pe = 1, simd = 2>} : tensor<?x4xi1>, tensor<2x4xsi2> -> tensor<?x2xi1>
  %w1 = bnn.constant bits<"0x873F50"> : tensor<3x2xsi4>
  %y = bnn.dense %h, %w1 {onnx_node = "fc1", fold = #bnn.fold<pe = 3, simd = 2>} : tensor<?x2xi1>, tensor<3x2xsi4> -> tensor<?x3xsi32>
  func.return %y : tensor<?x3xsi32>
}

// CHECK: hwstream.mvtu %{{[0-9]+}} {layer = "fc0", rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, weight_bits = 3 : i64, weights = dense<{{\[\[\[}}57], [48], [58], [7]]]> : tensor<1x4x1xi8>, bipolar_input, thresholds = dense<{{\[\[\[\[}}0], [-1]]]]> : tensor<1x1x2x1xsi32>, output_bits = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<1>
// CHECK: hwstream.mvtu %{{[0-9]+}} {layer = "fc1", rows = 3 : i64, columns = 2 : i64, vectors = 1 : i64, pe = 3 : i64, simd = 2 : i64, input_bits = 1 : i64, weight_bits = 4 : i64, weights = dense<{{\[\[\[}}-121]], {{\[\[}}63]], {{\[\[}}80]]]> : tensor<3x1x1xi8>, bipolar_input, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<96>
