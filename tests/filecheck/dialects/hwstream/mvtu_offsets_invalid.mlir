// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Per-class offsets of an MVTU without thresholds: shape, exclusivity and border classes.
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<[[[0, 0], [0, 0]], [[2, 0], [-2, 0]], [[0, -2], [0, 2]], [[1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, thresholds = dense<0> : tensor<4x2x2x1xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %m : !hwstream.stream<2>
}
// CHECK: 'hwstream.mvtu' has offsets and thresholds: a thresholded unit holds its offsets in its per-class thresholds

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<0> : tensor<1x4x1xsi32>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' offsets must be [classes, PE, NF] of si32 with PE = 2 and NF = 2, got tensor<1x4x1xsi32>

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<0> : tensor<1x2x2xi32>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' offsets must be [classes, PE, NF] of si32 with PE = 2 and NF = 2, got tensor<1x2x2xi32>

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<[[[0, 0], [0, 0]], [[2, 0], [-2, 0]], [[0, -2], [0, 2]], [[1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' offsets have 4 border classes, but without a border there are 1

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<0> : tensor<2x2x2xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 1, 1>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' offsets have 2 border classes, but for border [3, 3, 2, 2, 1, 1, 0, 0, 1, 1] there are 4

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, thresholds = dense<0> : tensor<4x2x2x1xsi32>, output_bits = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %m : !hwstream.stream<2>
}
// CHECK: 'hwstream.mvtu' thresholds have 4 border classes, but without a border there are 1

// -----
hwstream.design @d attributes {input_type = tensor<?x1x3x3xi1>, output_type = tensor<?x4x3x3xsi32>, input_lanes = 1 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 4 : i64, columns = 4 : i64, vectors = 9 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<2x4x1xi8>, xnor, offsets = dense<[[[0, 0], [0, 0]], [[2, 0], [-2, 0]], [[0, -2], [0, 2]], [[1, -1], [-1, 1]]]> : tensor<4x2x2xsi32>, border = array<i64: 3, 3, 2, 2>, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' border must be [IH, IW, KH, KW, SH, SW, top, left, bottom, right], got [3, 3, 2, 2]
