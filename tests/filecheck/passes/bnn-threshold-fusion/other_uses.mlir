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

// An integer op between the layer and the chain (a pad of the accumulator) keeps the threshold
// standalone; so does a layer already thresholded (a second multi-threshold of its levels).
func.func @between(%x: tensor<?x1x3x3xi1>) -> (tensor<?x2x5x5xi1>, tensor<?x2x3x3xi1>) {
  %w = bnn.constant bits<"0x0F"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.pad %a {pads = array<i64: 1, 0, 0, 1>, value = 0 : i64} : tensor<?x2x4x4xsi32> -> tensor<?x2x5x5xsi32>
  %y = bnn.affine %p {offset = dense<0.5> : tensor<1xf32>} : tensor<?x2x5x5xsi32> -> tensor<?x2x5x5xf32>
  %b = bnn.sign %y : tensor<?x2x5x5xf32> -> tensor<?x2x5x5xi1>
  %v = bnn.constant bits<"0x0F"> : tensor<2x1x2x2xi1>
  %c = bnn.conv2d %x, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64, thresholds = dense<[[-2, 0, 2]]> : tensor<1x3xsi32>} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x3x3xui2>
  %t = bnn.threshold %c {thresholds = dense<[[2]]> : tensor<1x1xsi32>} : tensor<?x2x3x3xui2> -> tensor<?x2x3x3xi1>
  func.return %b, %t : tensor<?x2x5x5xi1>, tensor<?x2x3x3xi1>
}
// CHECK-LABEL: func.func @between
// CHECK:         %p = bnn.pad %a
// CHECK-NEXT:    %b = bnn.threshold %p {thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -4, 4>} : tensor<?x2x5x5xsi32> -> tensor<?x2x5x5xi1>
// CHECK:         %t = bnn.threshold %c {thresholds = dense<2> : tensor<1x1xsi32>}
// REMARK-NEXT: remark: bnn.sign %b: stays a standalone threshold, not fused into bnn.conv2d %a: bnn.pad %p stands between them
// REMARK-NEXT: remark: bnn.threshold %t: stays a standalone threshold: bnn.conv2d %c is thresholded already

// A sign of integer levels is the integer comparison level >= 0: a standalone threshold after a
// layer that is thresholded already. A sign of bipolar values changes nothing and goes.
func.func @sign_of_integers(%x: tensor<?x1x3x3xi1>) -> (tensor<?x2x3x3xi1>, tensor<?x1x3x3xi1>) {
  %v = bnn.constant bits<"0x0F"> : tensor<2x1x2x2xi1>
  %c = bnn.conv2d %x, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64, thresholds = dense<[[-2, 0, 2]]> : tensor<1x3xsi32>, bias = -1 : i64} : tensor<?x1x3x3xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x3x3xsi3>
  %s = bnn.sign %c : tensor<?x2x3x3xsi3> -> tensor<?x2x3x3xi1>
  %b = bnn.sign %x : tensor<?x1x3x3xi1> -> tensor<?x1x3x3xi1>
  func.return %s, %b : tensor<?x2x3x3xi1>, tensor<?x1x3x3xi1>
}
// CHECK-LABEL: func.func @sign_of_integers
// CHECK:         %s = bnn.threshold %c {thresholds = dense<0> : tensor<1x1xsi32>, value_range = array<i64: -1, 2>} : tensor<?x2x3x3xsi3> -> tensor<?x2x3x3xi1>
// CHECK-NEXT:    func.return %s, %x : tensor<?x2x3x3xi1>, tensor<?x1x3x3xi1>
// REMARK-NEXT: remark: bnn.sign %s: stays a standalone threshold: bnn.conv2d %c is thresholded already
