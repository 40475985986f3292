// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK --input-file %t.remarks

// Larq's order, conv -> batch norm -> flatten -> sign: the flatten moves below the sign (both
// are elementwise with per-channel parameters), and the chain fuses into the conv.
func.func @bn_flatten_sign(%x: tensor<?x1x3x3xi1>) -> tensor<?x3xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %a {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %f = bnn.flatten %y : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
  %b = bnn.sign %f : tensor<?x8xf32> -> tensor<?x8xi1>
  %v = bnn.constant bits<"0x0F0F0F"> : tensor<3x8xi1>
  %d = bnn.dense %b, %v : tensor<?x8xi1>, tensor<3x8xi1> -> tensor<?x3xsi32>
  func.return %d : tensor<?x3xsi32>
}
// CHECK-LABEL: func.func @bn_flatten_sign
// CHECK-NEXT:    %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
// CHECK-NEXT:    %b = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, thresholds = dense<{{\[\[}}0], [-1]]> : tensor<2x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -4, 4>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %b_1 = bnn.flatten %b : tensor<?x2x2x2xi1> -> tensor<?x8xi1>
// CHECK-NEXT:    %v = bnn.constant
// CHECK-NEXT:    %d = bnn.dense %b_1, %v

// A 1-D batch norm after flattening a 1x1 map (the last conv of FINN's CNV) has one parameter
// per channel; a reshape to [N, C·H·W] is a flatten, and a scalar affine is per channel for
// any map: both chains fuse into their convs.
func.func @flatten_then_bn(%x: tensor<?x1x2x2xi1>, %x2: tensor<?x1x3x3xi1>) -> (tensor<?x2xi1>, tensor<?x8xi1>) {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x2x2xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x1x1xsi32>
  %f = bnn.flatten %a : tensor<?x2x1x1xsi32> -> tensor<?x2xsi32>
  %y = bnn.batch_norm %f {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2xsi32> -> tensor<?x2xf32>
  %b = bnn.sign %y : tensor<?x2xf32> -> tensor<?x2xi1>
  %w2 = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a2 = bnn.conv2d %x2, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xsi32>
  %r = bnn.reshape %a2 : tensor<?x2x2x2xsi32> -> tensor<?x8xsi32>
  %s = bnn.affine %r {scale = dense<-0.5> : tensor<1xf32>, offset = dense<1.25> : tensor<1xf32>} : tensor<?x8xsi32> -> tensor<?x8xf32>
  %t = bnn.threshold %s {thresholds = dense<[[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]]> : tensor<8x1xf32>} : tensor<?x8xf32> -> tensor<?x8xi1>
  func.return %b, %t : tensor<?x2xi1>, tensor<?x8xi1>
}
// CHECK-LABEL: func.func @flatten_then_bn
// CHECK-NEXT:    %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
// CHECK-NEXT:    %b = bnn.conv2d %x, %w {{{.*}}thresholds = dense<{{\[\[}}0], [-1]]> : tensor<2x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -4, 4>} : tensor<?x1x2x2xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x1x1xi1>
// CHECK-NEXT:    %b_1 = bnn.flatten %b : tensor<?x2x1x1xi1> -> tensor<?x2xi1>
// CHECK-NEXT:    %w2 = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
// CHECK-NEXT:    %t = bnn.conv2d %x2, %w2 {{{.*}}thresholds = dense<{{\[\[}}2], [0]]> : tensor<2x1xsi32>, descending = array<i64: 0, 1>, value_range = array<i64: -4, 4>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %t_1 = bnn.reshape %t : tensor<?x2x2x2xi1> -> tensor<?x8xi1>
// CHECK-NEXT:    func.return %b_1, %t_1

// Parameters that differ within a channel's features cannot move before the flatten: the
// activation becomes a standalone threshold on the flattened accumulator, with a remark. A
// flatten with other uses stays too.
func.func @per_feature_parameters(%x: tensor<?x1x3x3xi1>) -> (tensor<?x8xi1>, tensor<?x8xi1>, tensor<?x8xf32>) {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xsi32>
  %f = bnn.flatten %a : tensor<?x2x2x2xsi32> -> tensor<?x8xsi32>
  %y = bnn.affine %f {offset = dense<[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -1.5]> : tensor<8xf32>} : tensor<?x8xsi32> -> tensor<?x8xf32>
  %b = bnn.sign %y : tensor<?x8xf32> -> tensor<?x8xi1>
  %w2 = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a2 = bnn.conv2d %x, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x2x2xsi32>
  %y2 = bnn.affine %a2 {offset = dense<0.5> : tensor<1xf32>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %f2 = bnn.flatten %y2 : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
  %b2 = bnn.sign %f2 : tensor<?x8xf32> -> tensor<?x8xi1>
  func.return %b, %b2, %f2 : tensor<?x8xi1>, tensor<?x8xi1>, tensor<?x8xf32>
}
// CHECK-LABEL: func.func @per_feature_parameters
// CHECK:         %f = bnn.flatten %a : tensor<?x2x2x2xsi32> -> tensor<?x8xsi32>
// CHECK-NEXT:    %b = bnn.threshold %f {thresholds = dense<{{\[\[}}0], [0], [0], [0], [0], [0], [0], [2]]> : tensor<8x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x8xsi32> -> tensor<?x8xi1>
// CHECK:         %b2 = bnn.sign %f2
// REMARK:      remark: bnn.sign %b: stays a standalone threshold, not fused into bnn.conv2d %a: the parameters after bnn.flatten %f differ within a channel's features
// REMARK-NEXT: remark: bnn.sign %b2: not fused: bnn.flatten %f2 stands between it and the layer, and its result has other uses
