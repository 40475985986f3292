// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=minus-one}' > %t.minus_one 2> %t.remarks
// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=exact}' > %t.exact
// RUN: diff %t.minus_one %t.exact
// RUN: not grep . %t.remarks
// RUN: filecheck %s --input-file %t.exact

// A network that pads with an explicit -1 Pad is already legal: both modes leave it alone, give
// the same IR, and remark nothing.
func.func @explicit(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64} : tensor<?x1x4x4xi1> -> tensor<?x1x6x6xi1>
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x6x6xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK:      %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64}
// CHECK:      %a = bnn.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x6x6xi1>
