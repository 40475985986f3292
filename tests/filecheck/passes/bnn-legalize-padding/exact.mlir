// RUN: bnn-opt %s -p bnn-legalize-padding | filecheck %s
// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=exact}' | filecheck %s

// A zero-padded conv on a bipolar input pads with -1 instead, plus the border-class table:
// correction[th, bh, lh, rh, c] is the sum of channel c's weights on the taps that hang over the
// padding (th rows at the top, bh at the bottom, lh columns left, rh right).
// Here a single 3x3 kernel, +1 everywhere but the corners (-1), with pads of 1: the top row sums
// to -1 (correction[1, 0, 0, 0]), the top row and left column to -1 (correction[1, 0, 1, 0]), the
// left and right columns to -2 (correction[0, 0, 1, 1]), and all taps but the center to 0.
func.func @exact(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x4x4xi1> {
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, thresholds = dense<2> : tensor<1x1xsi32>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xi1>
  func.return %a : tensor<?x1x4x4xi1>
}
// CHECK-LABEL: func.func @exact
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, thresholds = dense<2> : tensor<1x1xsi32>, pad_value = -1 : i64, correction = dense<{{\[\[\[\[\[}}0], [-1]], {{\[\[}}-1], [-2]]], {{\[\[\[}}-1], [-1]], {{\[\[}}-1], [-1]]]], {{\[\[\[\[}}-1], [-1]], {{\[\[}}-1], [-1]]], {{\[\[\[}}-2], [-1]], {{\[\[}}-1], [0]]]]]> : tensor<2x2x2x2x1xsi32>}

// Strided, non-square and asymmetric padding: the table has one entry per possible overhang.
func.func @asymmetric(%x: tensor<?x2x5x4xi1>) -> tensor<?x3x3x2xsi32> {
  %w = bnn.constant bits<"0x5AA5F00F0FF025"> : tensor<3x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 1>} : tensor<?x2x5x4xi1>, tensor<3x2x3x3xi1> -> tensor<?x3x3x2xsi32>
  func.return %a : tensor<?x3x3x2xsi32>
}
// CHECK-LABEL: func.func @asymmetric
// CHECK:         bnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 1>, pad_value = -1 : i64, correction = dense<{{.*}}> : tensor<3x2x1x2x3xsi32>}

// Integer inputs keep zero padding, and convs without padding or with explicit -1 pads are legal.
func.func @legal(%x: tensor<?x1x4x4xui8>, %y: tensor<?x1x4x4xi1>) -> (tensor<?x1x4x4xsi32>, tensor<?x1x4x4xsi32>) {
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xui8>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  %p = bnn.pad %y {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64} : tensor<?x1x4x4xi1> -> tensor<?x1x6x6xi1>
  %b = bnn.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x6x6xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a, %b : tensor<?x1x4x4xsi32>, tensor<?x1x4x4xsi32>
}
// CHECK-LABEL: func.func @legal
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xui8>
// CHECK:         %b = bnn.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x6x6xi1>

// In exact mode complemented channels change nothing (zero is its own negation) and the list is
// dropped with the zero padding; a correction the conv already had adds to the border table
// (here 100 + the table of @exact).
func.func @complemented_and_corrected(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, correction = dense<100> : tensor<2x2x2x2x1xsi32>, complemented = array<i64: 0>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK-LABEL: func.func @complemented_and_corrected
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, correction = dense<{{\[\[\[\[\[}}100], [99]], {{\[\[}}99], [98]]], {{\[\[\[}}99], [99]], {{\[\[}}99], [99]]]], {{\[\[\[\[}}99], [99]], {{\[\[}}99], [99]]], {{\[\[\[}}98], [99]], {{\[\[}}99], [100]]]]]> : tensor<2x2x2x2x1xsi32>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
