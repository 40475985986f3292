// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// An arg-max of a flattened 2x1x2 map would see its features in the stream's (h, w, c) order,
// not the tensor's (c, h, w): the design ends before the flatten (its output is the map, NHWC)
// and the host flattens and takes the arg-max.
func.func @main(%x: tensor<?x2x1x2xi1>) -> tensor<?x1xsi64> {
  %w = bnn.constant bits<"0x09"> : tensor<2x2x1x1xi1>
  %a = bnn.conv2d %x, %w {onnx_node = "conv0", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, fold = #bnn.fold<pe = 1, simd = 2, window_simd = 2>} : tensor<?x2x1x2xi1>, tensor<2x2x1x1xi1> -> tensor<?x2x1x2xsi32>
  %f = bnn.flatten %a : tensor<?x2x1x2xsi32> -> tensor<?x4xsi32>
  %l = bnn.arg_max %f {onnx_node = "top"} : tensor<?x4xsi32> -> tensor<?x1xsi64>
  func.return %l : tensor<?x1xsi64>
}
// CHECK:      %a = hwstream.instance @accel(%x) : tensor<?x2x1x2xi1> -> tensor<?x2x1x2xsi32>
// CHECK-NEXT: %f = bnn.flatten %a : tensor<?x2x1x2xsi32> -> tensor<?x4xsi32>
// CHECK-NEXT: %l = bnn.arg_max %f {onnx_node = "top"}
// CHECK:      hwstream.design @accel attributes {input_type = tensor<?x2x1x2xi1>, output_type = tensor<?x2x1x2xsi32>
// CHECK-NOT:  hwstream.label_select
