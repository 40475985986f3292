// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// Batch norm + sign after a dense layer becomes one integer threshold per channel, fused into
// the layer. Channel 0 has a positive scale (acc >= t), channel 1 a negative one (acc <= t,
// listed in `descending`), channel 2 a scale of exactly 0 (a constant +1 output: its threshold
// is the low end of the accumulator range, -8, so it is always met), channel 3 a constant -1
// (threshold 9, one above the range's high end 8, never met); `value_range` states that range.
func.func @bn_sign(%x: tensor<?x8xi1>) -> tensor<?x4xi1> {
  %w = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
  %y = bnn.batch_norm %a {gamma = dense<[0.5, -2.0, 0.0, 0.0]> : tensor<4xf32>, beta = dense<[-0.6, 1.0, 0.5, -0.5]> : tensor<4xf32>, mean = dense<[1.0, -1.0, 0.0, 0.0]> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 1.0e-05 : f32} : tensor<?x4xsi32> -> tensor<?x4xf32>
  %b = bnn.sign %y : tensor<?x4xf32> -> tensor<?x4xi1>
  func.return %b : tensor<?x4xi1>
}
// CHECK-LABEL: func.func @bn_sign
// CHECK-NEXT:    %w = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
// CHECK-NEXT:    %b = bnn.dense %x, %w {thresholds = dense<{{\[\[}}3], [-1], [-8], [9]]> : tensor<4x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -8, 8>} : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xi1>
// CHECK-NEXT:    func.return %b : tensor<?x4xi1>

// Brevitas scales between the accumulator and the activation (Mul, Div, Add) are absorbed.
func.func @affine_chain(%x: tensor<?x8xi1>) -> tensor<?x2xi1> {
  %w = bnn.constant bits<"0x0FF0"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi32>
  %s = bnn.affine %a {scale = dense<0.1> : tensor<1xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
  %d = bnn.affine %s {scale = dense<[3.0, -3.0]> : tensor<2xf32>, divide} : tensor<?x2xf32> -> tensor<?x2xf32>
  %o = bnn.affine %d {offset = dense<[-0.1, -0.05]> : tensor<2xf32>} : tensor<?x2xf32> -> tensor<?x2xf32>
  %b = bnn.sign %o : tensor<?x2xf32> -> tensor<?x2xi1>
  func.return %b : tensor<?x2xi1>
}
// CHECK-LABEL: func.func @affine_chain
// CHECK-NEXT:    %w = bnn.constant bits<"0x0FF0"> : tensor<2x8xi1>
// CHECK-NEXT:    %b = bnn.dense %x, %w {thresholds = dense<{{\[\[}}3], [-2]]> : tensor<2x1xsi32>, descending = array<i64: 1>, value_range = array<i64: -8, 8>} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xi1>
// CHECK-NEXT:    func.return %b : tensor<?x2xi1>
