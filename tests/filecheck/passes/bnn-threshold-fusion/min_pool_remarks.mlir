// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK --input-file %t.remarks

// Where a max-pool would have to be a min-pool (what follows it falls for some channel) and the
// negated OR-pool cannot be used, the chain is not fused and a remark says why. When the pool
// reads the integer accumulator, the pooled accumulator is thresholded instead: exact, but a
// standalone threshold rather than the matrix-vector-threshold form.

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
// CHECK:         %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
// CHECK-NEXT:    %p = bnn.max_pool %a
// CHECK-NEXT:    %b = bnn.threshold %p {thresholds = dense<{{\[\[}}0], [-1]]> : tensor<2x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -4, 4>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xi1>
// REMARK: remark: bnn.sign %b: thresholds the pooled accumulator, not fused into bnn.conv2d %a: bnn.max_pool %p is a min-pool for channels [1] (what follows it falls); an OR of negated bits needs the consumers to absorb the negation, but it is a network output

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
// CHECK:         %b = bnn.threshold %p
// CHECK-NEXT:    %v = bnn.constant bits<"0x3C">
// REMARK: remark: bnn.sign %b: {{.*}}, but bnn.conv2d %c pads it with -1

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
// CHECK-COUNT-3: bnn.threshold
// REMARK: remark: bnn.sign %b: {{.*}}, but it feeds bnn.pad %q
// REMARK: remark: bnn.sign %b2: {{.*}}, but it feeds bnn.max_pool %o2
// REMARK: remark: bnn.sign %b3: {{.*}}, but the weights of bnn.conv2d %o3 are not constant

// A min-pool of multi-bit activations has no OR form.
func.func @multi_bit(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xui2> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %n = bnn.affine %p {scale = dense<-1.0> : tensor<1xf32>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %t = bnn.threshold %n {thresholds = dense<[[-2.0, 0.0, 2.0]]> : tensor<1x3xf32>} : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xui2>
  func.return %t : tensor<?x2x2x2xui2>
}
// CHECK-LABEL: func.func @multi_bit
// CHECK:         %t = bnn.threshold %p
// REMARK: remark: bnn.threshold %t: thresholds the pooled accumulator, not fused into bnn.conv2d %a: bnn.max_pool %p is a min-pool for channels [0, 1] (what follows it falls) of multi-bit activations

// Two pools where one is a min-pool and the other a max-pool for the same channel (an OR of
// ANDs): the chain after the last min-pool is fused, as a standalone threshold.
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
// CHECK:         %p = bnn.max_pool %a {{.*}} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
// CHECK-NEXT:    %n = bnn.threshold %p {thresholds = dense<0> : tensor<1x1xsi32>, descending = array<i64: 0, 1>, value_range = array<i64: -4, 4>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    %b = bnn.max_pool %n
// REMARK: remark: bnn.sign %b: thresholds the pooled accumulator, not fused into bnn.conv2d %a: bnn.max_pool %p is a min-pool for channels [0, 1], while another pool in the chain is a max-pool for channels [0, 1]

// When the pool reads floats there is no integer to threshold after it: the chain stays float.
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
// CHECK:         %b = bnn.sign %m
// REMARK: remark: bnn.sign %b: not fused into bnn.conv2d %a, stays float: bnn.max_pool %p is a min-pool for channels [1] (what follows it falls); an OR of negated bits needs the consumers to absorb the negation, but it is a network output
