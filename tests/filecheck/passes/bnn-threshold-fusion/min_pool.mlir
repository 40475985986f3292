// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// conv -> max-pool -> batch norm with a negative scale -> sign (BinaryNet, Larq): for channel 1
// what follows the pool falls, so the pool of its bits is an AND = NOT OR NOT. The channel is
// thresholded negated (acc <= -1 becomes acc >= 0, ascending), the OR-pool stays a max-pool of
// bits, and the consumer conv absorbs the final negation: its weights for input channel 1 are
// negated (0x3C -> 0xCC: bits 4..7 hold input channel 1). Channel 0 keeps acc >= 0, so both share one
// threshold row.
func.func @pool_then_negative_bn(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x1x1xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x3C"> : tensor<1x2x2x2xi1>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x1x1xsi32>
  func.return %c : tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @pool_then_negative_bn
// CHECK-NEXT:    %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
// CHECK-NEXT:    %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %b = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %v = bnn.constant bits<"0xCC"> : tensor<1x2x2x2xi1>
// CHECK-NEXT:    %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x1x1xsi32>
// CHECK-NEXT:    func.return %c

// A zero-padded consumer absorbs the negation too (zero stays zero) and lists the channels it
// reads complemented, for a later -1 padding; its own batch norm and sign fuse as usual. A
// consumer whose weights are shared keeps them for the other user.
func.func @zero_padded_consumer(%x: tensor<?x1x4x4xi1>, %x2: tensor<?x2x2x2xi1>) -> (tensor<?x1x2x2xi1>, tensor<?x1x1x1xsi32>) {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[-1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x3C"> : tensor<1x2x2x2xi1>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x2x2xsi32>
  %z = bnn.batch_norm %c {gamma = dense<1.0> : tensor<1xf32>, beta = dense<0.0> : tensor<1xf32>, mean = dense<0.5> : tensor<1xf32>, var = dense<1.0> : tensor<1xf32>, epsilon = 1.0e-05 : f32} : tensor<?x1x2x2xsi32> -> tensor<?x1x2x2xf32>
  %s = bnn.sign %z : tensor<?x1x2x2xf32> -> tensor<?x1x2x2xi1>
  %q = bnn.conv2d %x2, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x1x1xsi32>
  func.return %s, %q : tensor<?x1x2x2xi1>, tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @zero_padded_consumer
// CHECK:         %a = bnn.conv2d %x, %w {{{.*}}, thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %b = bnn.max_pool %a
// CHECK-NEXT:    %v = bnn.constant bits<"0x3C"> : tensor<1x2x2x2xi1>
// CHECK-NEXT:    %v_1 = bnn.constant bits<"0xC3"> : tensor<1x2x2x2xi1>
// CHECK-NEXT:    %s = bnn.conv2d %b, %v_1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, complemented = array<i64: 0, 1>, thresholds = dense<1> : tensor<1x1xsi32>, value_range = array<i64: -8, 8>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x2x2xi1>
// CHECK-NEXT:    %q = bnn.conv2d %x2, %v {

// Through a flatten, a dense layer absorbs the negation in the columns of channel 1's features
// (columns 4..7 of 8: 0x0F0F -> 0xFFFF).
func.func @flatten_dense_consumer(%x: tensor<?x1x4x4xi1>) -> tensor<?x2xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %f = bnn.flatten %b : tensor<?x2x2x2xi1> -> tensor<?x8xi1>
  %v = bnn.constant bits<"0x0F0F"> : tensor<2x8xi1>
  %d = bnn.dense %f, %v : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi32>
  func.return %d : tensor<?x2xsi32>
}
// CHECK-LABEL: func.func @flatten_dense_consumer
// CHECK:         %b = bnn.max_pool %a
// CHECK-NEXT:    %f = bnn.flatten %b : tensor<?x2x2x2xi1> -> tensor<?x8xi1>
// CHECK-NEXT:    %v = bnn.constant bits<"0xFFFF"> : tensor<2x8xi1>
// CHECK-NEXT:    %d = bnn.dense %f, %v : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi32>

// A positive batch norm before a float max-pool and a negative scale after it: what follows the
// pool falls for channel 1 whatever precedes it, so it is the same AND-pool.
func.func @float_pool_then_negative_scale(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x1x1xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %y = bnn.batch_norm %a {gamma = dense<[1.0, 2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x4x4xsi32> -> tensor<?x2x4x4xf32>
  %p = bnn.max_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xf32> -> tensor<?x2x2x2xf32>
  %m = bnn.affine %p {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %m : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x3C"> : tensor<1x2x2x2xi1>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x1x1xsi32>
  func.return %c : tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @float_pool_then_negative_scale
// CHECK:         %a = bnn.conv2d %x, %w {{{.*}}, thresholds = dense<{{\[\[}}0], [1]]> : tensor<2x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %b = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %v = bnn.constant bits<"0xCC"> : tensor<1x2x2x2xi1>

// Two pools that are both AND-pools for channel 0 (what follows each falls): NOT OR OR NOT.
func.func @two_min_pools(%x: tensor<?x1x4x4xi1>) -> tensor<?x2xsi32> {
  %w = bnn.constant bits<"0x05"> : tensor<1x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<1x1x2x2xi1> -> tensor<?x1x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x4x4xsi32> -> tensor<?x1x2x2xsi32>
  %n = bnn.affine %p {scale = dense<2.0> : tensor<1xf32>} : tensor<?x1x2x2xsi32> -> tensor<?x1x2x2xf32>
  %q = bnn.max_pool %n {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x1x2x2xf32> -> tensor<?x1x1x1xf32>
  %m = bnn.affine %q {scale = dense<-1.0> : tensor<1xf32>, offset = dense<0.5> : tensor<1xf32>} : tensor<?x1x1x1xf32> -> tensor<?x1x1x1xf32>
  %b = bnn.sign %m : tensor<?x1x1x1xf32> -> tensor<?x1x1x1xi1>
  %f = bnn.flatten %b : tensor<?x1x1x1xi1> -> tensor<?x1xi1>
  %v = bnn.constant bits<"0x02"> : tensor<2x1xi1>
  %d = bnn.dense %f, %v : tensor<?x1xi1>, tensor<2x1xi1> -> tensor<?x2xsi32>
  func.return %d : tensor<?x2xsi32>
}
// CHECK-LABEL: func.func @two_min_pools
// CHECK:         %a = bnn.conv2d %x, %w {{{.*}}, thresholds = dense<1> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<1x1x2x2xi1> -> tensor<?x1x4x4xi1>
// CHECK-NEXT:    %p = bnn.max_pool %a {{.*}} : tensor<?x1x4x4xi1> -> tensor<?x1x2x2xi1>
// CHECK-NEXT:    %b = bnn.max_pool %p {{.*}} : tensor<?x1x2x2xi1> -> tensor<?x1x1x1xi1>
// CHECK-NEXT:    %f = bnn.flatten %b
// CHECK-NEXT:    %v = bnn.constant bits<"0x01"> : tensor<2x1xi1>
