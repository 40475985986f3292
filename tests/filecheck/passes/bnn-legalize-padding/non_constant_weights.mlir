// RUN: not bnn-opt %s -p bnn-legalize-padding 2>&1 | filecheck %s
// RUN: bnn-opt %s -p 'bnn-legalize-padding{mode=minus-one}' 2>/dev/null | filecheck %s --check-prefix=MINUS

// Exact padding needs the weights to build the border table: a conv whose weights are not a
// constant is rejected with the layer's name; minus-one mode needs no weights.
func.func @f(%x: tensor<?x1x4x4xi1>, %w: tensor<1x1x3x3xi1>) -> tensor<?x1x4x4xsi32> {
  %a = bnn.conv2d %x, %w {onnx_node = "conv7", strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK: bnn-opt: error: bnn.conv2d 'conv7': exact padding needs constant weights for the border table; make them a bnn.constant or use mode=minus-one
// CHECK-NOT: Traceback
// MINUS: pad_value = -1
