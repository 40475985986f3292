// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s

// An MVTU without thresholds adds per-class offsets [classes, PE, NF] to its dot products; the
// border's 2x2 kernel with one row and column of padding after the map has 4 classes.
hwstream.design @d attributes {input_type = tensor<?x4x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<[[[0, 0], [0, 0]], [[2, 0], [-2, 0]], [[0, -2], [0, 2]], [[1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<{{\[\[\[}}0, 0], [0, 0]], {{\[\[}}2, 0], [-2, 0]], {{\[\[}}0, -2], [0, 2]], {{\[\[}}1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
