// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// Layers with integer (si<N>) weights fuse like bipolar ones. The accumulator's range, which the
// thresholds are searched in, comes from the weights: with P the sum of a row's positive weights
// and N that of its negative ones' magnitudes, and inputs in [a, b], acc lies in [P·a − N·b,
// P·b − N·a]. Rows [3, -2, 1, 0] and [-4, 2, 3, -1] of si3 on ±1 inputs: [-6, 6] and [-10, 10].
func.func @dense_si3(%x: tensor<?x4xi1>) -> tensor<?x2xi1> {
  %w = bnn.constant bits<"0x7340ED"> : tensor<2x4xsi3>
  %a = bnn.dense %x, %w : tensor<?x4xi1>, tensor<2x4xsi3> -> tensor<?x2xsi32>
  %y = bnn.batch_norm %a {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, 1.5]> : tensor<2xf32>, mean = dense<[1.25, 0.0]> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2xsi32> -> tensor<?x2xf32>
  %b = bnn.sign %y : tensor<?x2xf32> -> tensor<?x2xi1>
  func.return %b : tensor<?x2xi1>
}
// acc − 1.25 + 0.5 >= 0 from acc = 1; −2·acc + 1.5 >= 0 up to acc = 0 (descending).
// CHECK-LABEL: func.func @dense_si3
// CHECK-NEXT:    %w = bnn.constant bits<"0x7340ED"> : tensor<2x4xsi3>
// CHECK-NEXT:    %b = bnn.dense %x, %w {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -10, 10>} : tensor<?x4xi1>, tensor<2x4xsi3> -> tensor<?x2xi1>
// CHECK-NEXT:    func.return %b

// conv -> max-pool -> batch norm with a negative scale -> sign: the min-pool of channel 1 is a
// max-pool of its complement, and the consumer absorbs the complement by negating its weights
// for input channel 1 ([1, -1, 0, 1 | 1, 0, -1, 1] → [1, -1, 0, 1 | -1, 0, 1, -1]).
func.func @negated_ternary(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x1x1xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x4D71"> : tensor<1x2x2x2xsi2>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xsi2> -> tensor<?x1x1x1xsi32>
  func.return %c : tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @negated_ternary
// CHECK:         %b = bnn.max_pool %a
// CHECK-NEXT:    %v = bnn.constant bits<"0x4DD3"> : tensor<1x2x2x2xsi2>
// CHECK-NEXT:    %c = bnn.conv2d %b, %v {{.*}} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xsi2> -> tensor<?x1x1x1xsi32>

// The weight -2 of si2 has no negation in si2: the consumer keeps its weights and a standalone
// threshold complements channel 1 after the pool.
func.func @not_negatable(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x1x1xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x4971"> : tensor<1x2x2x2xsi2>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xsi2> -> tensor<?x1x1x1xsi32>
  func.return %c : tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @not_negatable
// CHECK:         bnn.max_pool %a
// CHECK-NEXT:    %b = bnn.threshold
// CHECK-SAME:      descending = array<i64: 1>
// CHECK-NEXT:    %v = bnn.constant bits<"0x4971"> : tensor<1x2x2x2xsi2>
// CHECK-NEXT:    %c = bnn.conv2d %b, %v
