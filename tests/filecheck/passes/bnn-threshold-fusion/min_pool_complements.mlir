// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// Where a max-pool must be a min-pool (what follows it falls for some channel) and the consumers
// cannot absorb the negation of an OR of negated bits, the activation still fuses into the layer,
// complemented on those channels, and a standalone threshold on the pooled bits (or levels)
// complements them back: v <= 0 for a complemented bipolar channel, v >= 1 for the others.

// The result is a network output: nothing can absorb the negation.
func.func @network_output(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p =  bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  func.return %b : tensor<?x2x2x2xi1>
}
// CHECK-LABEL: func.func @network_output
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %p = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %b = bnn.threshold %p {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>} : tensor<?x2x2x2xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    func.return %b

// A consumer padding with -1 would pad the negated channel with +1.
func.func @minus_one_padded_consumer(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x2x2xsi32> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %v = bnn.constant bits<"0x3C"> : tensor<1x2x2x2xi1>
  %c = bnn.conv2d %b, %v {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, pad_value = -1 : i64} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x2x2xsi32>
  func.return %c : tensor<?x1x2x2xsi32>
}
// CHECK-LABEL: func.func @minus_one_padded_consumer
// CHECK:         %p = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %b = bnn.threshold %p {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>}
// CHECK-NEXT:    %v = bnn.constant bits<"0x3C">

// Nor can an explicit pad, another pool, or a layer with weights that are not constant.
func.func @other_consumers(%x: tensor<?x1x4x4xi1>, %u: tensor<1x2x2x2xi1>) -> (tensor<?x2x4x4xi1>, tensor<?x2x1x1xi1>, tensor<?x1x1x1xsi32>) {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %q = bnn.pad %b {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64} : tensor<?x2x2x2xi1> -> tensor<?x2x4x4xi1>
  %w2 = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a2 = bnn.conv2d %x, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p2 = bnn.max_pool %a2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y2 = bnn.batch_norm %p2 {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b2 = bnn.sign %y2 : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %o2 = bnn.max_pool %b2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1> -> tensor<?x2x1x1xi1>
  %w3 = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a3 = bnn.conv2d %x, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p3 = bnn.max_pool %a3 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y3 = bnn.batch_norm %p3 {gamma = dense<[1.0, -2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b3 = bnn.sign %y3 : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  %o3 = bnn.conv2d %b3, %u {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x2x2xi1> -> tensor<?x1x1x1xsi32>
  func.return %q, %o2, %o3 : tensor<?x2x4x4xi1>, tensor<?x2x1x1xi1>, tensor<?x1x1x1xsi32>
}
// CHECK-LABEL: func.func @other_consumers
// CHECK:         %b = bnn.threshold %p {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>}
// CHECK-NEXT:    %q = bnn.pad %b
// CHECK:         %b2 = bnn.threshold %p2 {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>}
// CHECK-NEXT:    %o2 = bnn.max_pool %b2
// CHECK:         %b3 = bnn.threshold %p3 {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>}
// CHECK-NEXT:    %o3 = bnn.conv2d %b3, %u

// A min-pool of multi-bit levels 0..3 is 3 − (a max-pool of 3 − k): v <= 0, 1, 2 counts 3 − v.
func.func @multi_bit(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xui2> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %n = bnn.affine %p {scale = dense<-1.0> : tensor<1xf32>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %t = bnn.threshold %n {thresholds = dense<[[-2.0, 0.0, 2.0]]> : tensor<1x3xf32>} : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xui2>
  func.return %t : tensor<?x2x2x2xui2>
}
// CHECK-LABEL: func.func @multi_bit
// CHECK:         %a = bnn.conv2d %x, %w {{.*}}thresholds = dense<{{\[\[}}-1, 1, 3]]> : tensor<1x3xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xui2>
// CHECK-NEXT:    %p = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xui2> -> tensor<?x2x2x2xui2>
// CHECK-NEXT:    %t = bnn.threshold %p {thresholds = dense<{{\[\[}}0, 1, 2]]> : tensor<1x3xsi32>, descending = array<i64: 0, 1>} : tensor<?x2x2x2xui2> -> tensor<?x2x2x2xui2>

// Two pools where one is a min-pool and the other a max-pool for the same channel (an OR of
// ANDs): the complement comes between them.
func.func @mixed_pools(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x1x1xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %n = bnn.affine %p {scale = dense<-1.0> : tensor<1xf32>, offset = dense<0.5> : tensor<1xf32>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %q = bnn.max_pool %n {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xf32> -> tensor<?x2x1x1xf32>
  %b = bnn.sign %q : tensor<?x2x1x1xf32> -> tensor<?x2x1x1xi1>
  func.return %b : tensor<?x2x1x1xi1>
}
// CHECK-LABEL: func.func @mixed_pools
// CHECK:         %a = bnn.conv2d %x, %w {{.*}}thresholds = dense<1> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %p = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %p_1 = bnn.threshold %p {thresholds = dense<0> : tensor<1x1xsi32>, descending = array<i64: 0, 1>} : tensor<?x2x2x2xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %b = bnn.max_pool %p_1 {{.*}} : tensor<?x2x2x2xi1> -> tensor<?x2x1x1xi1>

// A pool of floats moves after the activation just the same.
func.func @float_chain_stays(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %y = bnn.batch_norm %a {gamma = dense<[1.0, 2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x4x4xsi32> -> tensor<?x2x4x4xf32>
  %p = bnn.max_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xf32> -> tensor<?x2x2x2xf32>
  %m = bnn.affine %p {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %m : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  func.return %b : tensor<?x2x2x2xi1>
}
// CHECK-LABEL: func.func @float_chain_stays
// CHECK:         %a = bnn.conv2d %x, %w {{.*}}thresholds = dense<{{\[\[}}0], [1]]> : tensor<2x1xsi32>, value_range = array<i64: -4, 4>}
// CHECK-NEXT:    %p = bnn.max_pool %a
// CHECK-NEXT:    %b = bnn.threshold %p {thresholds = dense<{{\[\[}}1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>}

// Levels with a bias (−2..1, si2): the complement maps bias + k to bias + 3 − k.
func.func @multi_bit_bias(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xsi2> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %n = bnn.affine %p {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %t = bnn.threshold %n {thresholds = dense<[[-2.0, 0.0, 2.0]]> : tensor<1x3xf32>, bias = -2 : i64} : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xsi2>
  func.return %t : tensor<?x2x2x2xsi2>
}
// CHECK-LABEL: func.func @multi_bit_bias
// CHECK:         %a = bnn.conv2d %x, %w {{.*}}thresholds = dense<{{\[\[}}-2, 0, 2], [-1, 1, 3]]> : tensor<2x3xsi32>, bias = -2 : i64, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi2>
// CHECK-NEXT:    %p = bnn.max_pool %a
// CHECK-NEXT:    %t = bnn.threshold %p {thresholds = dense<{{\[\[}}-1, 0, 1], [-2, -1, 0]]> : tensor<2x3xsi32>, descending = array<i64: 1>, bias = -2 : i64} : tensor<?x2x2x2xsi2> -> tensor<?x2x2x2xsi2>
