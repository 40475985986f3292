// RUN: bnn-opt %s -p hwstream-size-fifos | filecheck %s
// RUN: bnn-opt %s -p hwstream-size-fifos,hwstream-size-fifos | filecheck %s

// A FIFO goes in front of every kernel without a line buffer of its own, as deep as the schedule's
// most waiting words (at least 2); running the pass twice gives the same design.
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x2xsi32> {
  %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor = 1 : i64, weights = dense<[[[3], [0], [1], [2]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK:      ^bb0(%in: !hwstream.stream<4>):
// CHECK-NEXT:   %0 = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
// CHECK-NEXT:   %d = hwstream.dwc %0
// CHECK-NEXT:   %1 = hwstream.fifo %d {depth = 2 : i64, lanes = 2 : i64, bits = 1 : i64, words = 2 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
// CHECK-NEXT:   %m = hwstream.mvtu %1
// CHECK-NOT:    hwstream.fifo
