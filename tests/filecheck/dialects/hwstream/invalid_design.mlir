// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// The design's structure and the kernels' foldings, as the verifiers state them.

hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>, %other: !hwstream.stream<4>):
  hwstream.yield %in : !hwstream.stream<4>
}
// CHECK: 'hwstream.design' takes exactly one input stream

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %c = arith.constant 0 : i32
  hwstream.yield %in : !hwstream.stream<4>
}
// CHECK: 'hwstream.design' holds kernels and hwstream.yield only, got 'arith.constant'

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %a = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %b = hwstream.fifo %a {depth = 2 : i64, lanes = 2 : i64, bits = 1 : i64, words = 2 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  %c = hwstream.fifo %a {depth = 2 : i64, lanes = 2 : i64, bits = 1 : i64, words = 2 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %b : !hwstream.stream<2>
}
// CHECK: 'hwstream.dwc' output must feed exactly one kernel

// -----
hwstream.design @d attributes {input_type = tensor<?x2x2x4xi1>, output_type = tensor<?x4x1x1xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %w = hwstream.window %in {channels = 4 : i64, height = 2 : i64, width = 2 : i64, simd = 3 : i64, bits = 1 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %w : !hwstream.stream<4>
}
// CHECK: 'hwstream.window' simd (3) must divide channels (4)

// -----
hwstream.design @d attributes {input_type = tensor<?x6xsi32>, output_type = tensor<?x1xui3>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<128>):
  %l = hwstream.label_select %in {labels = 6 : i64, pe = 4 : i64, bits = 32 : i64, index_bits = 3 : i64} : !hwstream.stream<128> -> !hwstream.stream<3>
  hwstream.yield %l : !hwstream.stream<3>
}
// CHECK: 'hwstream.label_select' pe (4) must divide labels (6)

// -----
hwstream.design @d attributes {input_type = tensor<?x2xsi32>, output_type = tensor<?x2xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<32>):
  %t = hwstream.threshold %in {channels = 2 : i64, pixels = 1 : i64, pe = 1 : i64, input_bits = 32 : i64, output_bits = 1 : i64, thresholds = dense<0> : tensor<1x2x1xsi32>, descending = array<i64: 2>} : !hwstream.stream<32> -> !hwstream.stream<1>
  hwstream.yield %t : !hwstream.stream<1>
}
// CHECK: 'hwstream.threshold' descending lists channels outside 0..1: [2]

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<0>):
  hwstream.yield %in : !hwstream.stream<0>
}
// CHECK: stream width must be positive, got 0

// -----
hwstream.design @d attributes {input_type = tensor<?x?xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  hwstream.yield %in : !hwstream.stream<4>
}
// CHECK: 'hwstream.design' frames must be a batch of static shape [N, ...], got tensor<?x?xi1>

// -----
hwstream.design @d attributes {input_type = tensor<?x2x2x1xi1>, output_type = tensor<?x2x3x3xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %p = hwstream.pad %in {channels = 0 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, pads = array<i64: 0, 0, 1, 1>, value = 0 : i64} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %p : !hwstream.stream<1>
}
// CHECK: 'hwstream.pad' channels must be positive, got 0

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 2 : i64, simd = 4 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, signed_input, weights = dense<0> : tensor<2x1x1xi8>} : !hwstream.stream<4> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' xnor takes bipolar bits, which are not signed_input

// -----
// An instance verifies before a design after it: a design without its types is named, not a
// KeyError.
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  %y = hwstream.instance @d(%x) : tensor<?x4xi1> -> tensor<?x4xi1>
  func.return %y : tensor<?x4xi1>
}
hwstream.design @d attributes {input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  hwstream.yield %in : !hwstream.stream<4>
}
// CHECK: 'hwstream.instance' names @d, whose hwstream.design lacks input_type and output_type

// -----
hwstream.design @d attributes {output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  hwstream.yield %in : !hwstream.stream<4>
}
// CHECK: property 'input_type' expected in operation 'hwstream.design'
