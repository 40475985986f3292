// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s

func.func @main(%x: tensor<?x4xi1>) -> tensor<?x2xsi32> {
  %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  %d = hwstream.dwc %f {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<[[[3], [0], [1], [2]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}

// CHECK:      %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
// CHECK:      hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
// CHECK-NEXT: ^bb0(%in: !hwstream.stream<4>):
// CHECK-NEXT:   %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
// CHECK-NEXT:   %d = hwstream.dwc %f {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
// CHECK-NEXT:   %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<{{\[\[\[}}3], [0], [1], [2]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
// CHECK-NEXT:   hwstream.yield %m : !hwstream.stream<32>
