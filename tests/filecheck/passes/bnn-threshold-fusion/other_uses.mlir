// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK --input-file %t.remarks

// A float value with other uses keeps its chain float; an accumulator with other uses is
// thresholded by a standalone bnn.threshold (the layer's accumulator is still needed). Both
// are remarked: nothing stays unfused silently.
func.func @other_uses(%x: tensor<?x8xi1>) -> (tensor<?x4xi1>, tensor<?x4xf32>, tensor<?x4xi1>, tensor<?x4xsi32>) {
  %w = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
  %y = bnn.affine %a {offset = dense<0.5> : tensor<1xf32>} : tensor<?x4xsi32> -> tensor<?x4xf32>
  %b = bnn.sign %y : tensor<?x4xf32> -> tensor<?x4xi1>
  %v = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
  %c = bnn.dense %x, %v : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
  %z = bnn.affine %c {offset = dense<0.5> : tensor<1xf32>} : tensor<?x4xsi32> -> tensor<?x4xf32>
  %d = bnn.sign %z : tensor<?x4xf32> -> tensor<?x4xi1>
  func.return %b, %y, %d, %c : tensor<?x4xi1>, tensor<?x4xf32>, tensor<?x4xi1>, tensor<?x4xsi32>
}
// CHECK-LABEL: func.func @other_uses
// CHECK:         %b = bnn.sign %y
// CHECK:         %c = bnn.dense %x, %v : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
// CHECK-NEXT:    %d = bnn.threshold %c {thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -8, 8>} : tensor<?x4xsi32> -> tensor<?x4xi1>
// REMARK:      remark: bnn.sign %b: not fused: the result of bnn.affine %y has other uses
// REMARK-NEXT: remark: bnn.sign %d: stays a standalone threshold: the accumulator of bnn.dense %c has other uses
