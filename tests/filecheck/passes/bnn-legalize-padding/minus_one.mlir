// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=minus-one}' 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK --input-file %t.remarks

// The paper's technique: zero pads of a bipolar input become -1 pads with no correction, which
// changes the layer unless the network was trained that way, so each changed layer is named.
func.func @minus_one(%x: tensor<?x1x4x4xi1>) -> (tensor<?x1x4x4xsi32>, tensor<?x1x4x4xsi32>) {
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %x, %w {onnx_node = "conv1", strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  %b = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a, %b : tensor<?x1x4x4xsi32>, tensor<?x1x4x4xsi32>
}
// CHECK:      %a = bnn.conv2d %x, %w {onnx_node = "conv1", strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
// CHECK-NEXT: %b = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
// REMARK:      remark: bnn.conv2d 'conv1': zero padding of a bipolar input is now -1 padding; this changes the layer's output unless the network was trained with -1 padding (use mode=exact to keep it)
// REMARK-NEXT: remark: bnn.conv2d %b: zero padding of a bipolar input is now -1 padding

// -1 is the network's value: input channel 1 reaches this conv complemented (threshold fusion
// absorbed a negation into its weights), so its -1 pad is a +1 pad of what the conv reads. The
// conv pads every channel with -1 and gets 2 * (channel 1's weights on the padded taps) as its
// border table: twice the table of @exact in exact.mlir, for the same corner pattern.
func.func @complemented(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0xFF7501"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, complemented = array<i64: 1>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK-LABEL: func.func @complemented
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64, correction = dense<{{\[\[\[\[\[}}0], [-2]], {{\[\[}}-2], [-4]]], {{\[\[\[}}-2], [-2]], {{\[\[}}-2], [-2]]]], {{\[\[\[\[}}-2], [-2]], {{\[\[}}-2], [-2]]], {{\[\[\[}}-4], [-2]], {{\[\[}}-2], [0]]]]]> : tensor<2x2x2x2x1xsi32>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
// REMARK:      remark: bnn.conv2d %a: zero padding of a bipolar input is now -1 padding
