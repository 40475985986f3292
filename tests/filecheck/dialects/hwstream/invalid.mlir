// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<3>
  hwstream.yield %d : !hwstream.stream<3>
}
// CHECK: 'hwstream.dwc' output stream must be 2 lanes x 1 bits = 2 bits wide, got !hwstream.stream<3>

// -----
hwstream.design @d attributes {input_type = tensor<?x6xi1>, output_type = tensor<?x6xi1>, input_lanes = 6 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<6>):
  %d = hwstream.dwc %in {in_lanes = 6 : i64, out_lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<6> -> !hwstream.stream<4>
  hwstream.yield %d : !hwstream.stream<4>
}
// CHECK: 'hwstream.dwc' 1 words of 6 lanes do not fill whole words of 4 lanes

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 3 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  %d = hwstream.dwc %f {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  hwstream.yield %d : !hwstream.stream<2>
}
// CHECK: 'hwstream.dwc' reads 1 words per frame but its producer 'hwstream.fifo' writes 3

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x3xsi32>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 3 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<2x1x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' pe (2) must divide rows (3)

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<1x3x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' weights must be [PE, WMEM, SIMD bytes] = [1, 4, 1], got [1, 3, 1]

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<[[[[3, 1], [0, 2]]]]> : tensor<1x1x2x2xsi32>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' thresholds must be sorted ascending

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 0 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %f : !hwstream.stream<4>
}
// CHECK: 'hwstream.fifo' depth must be positive, got 0
