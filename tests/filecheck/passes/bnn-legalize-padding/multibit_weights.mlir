// RUN: bnn-opt %s -p bnn-legalize-padding | filecheck %s
// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=minus-one}' 2>&1 | filecheck %s --check-prefix=MINUS

// Integer (si<N>) weights on a zero-padded bipolar input: -1 padding plus the border-class
// table, whose entries are the sums of the weights on the padded taps, as for ±1 weights
// (d_zero = d_minus1 + sum of w over the padded taps, whatever the weights' values).
// The ternary kernel [[1, 0, -1], [0, 1, 0], [-1, -1, 1]] with pads of 1: the top row sums to 0
// (correction[1, 0, 0, 0]), the bottom row to -1 (correction[0, 1, 0, 0]), the top row and the
// left column to -1 (correction[1, 0, 1, 0]), all taps but the centre to -1 (correction[1, 1, 1, 1]).
func.func @ternary(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x4x4xi1> {
  %w = bnn.constant bits<"0x31F101"> : tensor<1x1x3x3xsi2>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, thresholds = dense<1> : tensor<1x1xsi32>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xsi2> -> tensor<?x1x4x4xi1>
  func.return %a : tensor<?x1x4x4xi1>
}
// CHECK-LABEL: func.func @ternary
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, thresholds = dense<1> : tensor<1x1xsi32>, pad_value = -1 : i64, correction = dense<{{\[\[\[\[\[}}0], [0]], {{\[\[}}0], [0]]], {{\[\[\[}}-1], [-2]], {{\[\[}}0], [-1]]]], {{\[\[\[\[}}0], [1]], {{\[\[}}-1], [0]]], {{\[\[\[}}-1], [-1]], {{\[\[}}-1], [-1]]]]]> : tensor<2x2x2x2x1xsi32>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xsi2> -> tensor<?x1x4x4xi1>

// 4-bit weights, two input and two output channels, asymmetric pads and strides.
func.func @four_bit(%x: tensor<?x2x5x4xi1>) -> tensor<?x2x3x2xsi32> {
  %w = bnn.constant bits<"0x730677971FEC42A1520B6DF8E64A77D67361"> : tensor<2x2x3x3xsi4>
  %a = bnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 1>} : tensor<?x2x5x4xi1>, tensor<2x2x3x3xsi4> -> tensor<?x2x3x2xsi32>
  func.return %a : tensor<?x2x3x2xsi32>
}
// CHECK-LABEL: func.func @four_bit
// CHECK:         bnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 1>, pad_value = -1 : i64, correction = dense<{{.*}}> : tensor<3x2x1x2x2xsi32>} : tensor<?x2x5x4xi1>, tensor<2x2x3x3xsi4>

// Integer inputs keep zero padding with integer weights too: 0 is a level there.
func.func @integer_input(%x: tensor<?x1x4x4xui8>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0x31F101"> : tensor<1x1x3x3xsi2>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xui8>, tensor<1x1x3x3xsi2> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK-LABEL: func.func @integer_input
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xui8>

// mode=minus-one pads with -1 and no table, and says so.
// MINUS: remark: bnn.conv2d %a: zero padding of a bipolar input is now -1 padding
// MINUS-LABEL: func.func @ternary
// MINUS:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, thresholds = dense<1> : tensor<1x1xsi32>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xsi2>
