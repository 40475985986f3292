// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// conv -> max-pool -> batch norm -> sign: the pool moves behind the threshold (an OR of bits)
// when what follows it rises with its input in every channel (min_pool.mlir: where it falls).
func.func @pool_then_bn(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %y = bnn.batch_norm %p {gamma = dense<[1.0, 2.0]> : tensor<2xf32>, beta = dense<[0.5, -1.5]> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xf32>
  %b = bnn.sign %y : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi1>
  func.return %b : tensor<?x2x2x2xi1>
}
// CHECK-LABEL: func.func @pool_then_bn
// CHECK-NEXT:    %w = bnn.constant
// CHECK-NEXT:    %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, thresholds = dense<{{\[\[}}0], [1]]> : tensor<2x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xi1>
// CHECK-NEXT:    %b = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
// CHECK-NEXT:    func.return %b

// An integer network input thresholded in float (FINN's Div 255, Mul 2, Sub 1, MultiThreshold)
// becomes an integer threshold on the input; there is no layer to fuse it into.
func.func @input_threshold(%x: tensor<?x4xui8>) -> tensor<?x4xi1> {
  %d = bnn.affine %x {scale = dense<255.0> : tensor<1xf32>, divide} : tensor<?x4xui8> -> tensor<?x4xf32>
  %m = bnn.affine %d {scale = dense<2.0> : tensor<1xf32>, offset = dense<-1.0> : tensor<1xf32>} : tensor<?x4xf32> -> tensor<?x4xf32>
  %b = bnn.threshold %m {thresholds = dense<0.0> : tensor<1x1xf32>} : tensor<?x4xf32> -> tensor<?x4xi1>
  func.return %b : tensor<?x4xi1>
}
// CHECK-LABEL: func.func @input_threshold
// CHECK-NEXT:    %b = bnn.threshold %x {thresholds = dense<128> : tensor<1x1xsi32>, value_range = array<i64: 0, 255>} : tensor<?x4xui8> -> tensor<?x4xi1>
// CHECK-NEXT:    func.return %b

// A sign of the accumulator itself (no batch norm) is a threshold at 0; a sign of a float network
// input has no integer source and stays.
func.func @plain_sign(%x: tensor<?x4xf32>) -> tensor<?x2xi1> {
  %s = bnn.sign %x : tensor<?x4xf32> -> tensor<?x4xi1>
  %w = bnn.constant bits<"0x5A"> : tensor<2x4xi1>
  %a = bnn.dense %s, %w : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xsi32>
  %b = bnn.sign %a : tensor<?x2xsi32> -> tensor<?x2xi1>
  func.return %b : tensor<?x2xi1>
}
// CHECK-LABEL: func.func @plain_sign
// CHECK-NEXT:    %s = bnn.sign %x : tensor<?x4xf32> -> tensor<?x4xi1>
// CHECK-NEXT:    %w = bnn.constant bits<"0x5A"> : tensor<2x4xi1>
// CHECK-NEXT:    %b = bnn.dense %s, %w {thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xi1>
