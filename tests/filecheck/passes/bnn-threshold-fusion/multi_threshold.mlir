// RUN: bnn-opt %s -p bnn-threshold-fusion 2>%t.remarks | filecheck %s
// RUN: not grep . %t.remarks

// A QONNX MultiThreshold on the scaled accumulator becomes integer thresholds on the accumulator
// (a ui2 result); identical rows collapse to one shared row. With a negative scale in front the
// count falls with the accumulator: descending thresholds.
func.func @multi(%x: tensor<?x4xi1>) -> (tensor<?x3xui2>, tensor<?x3xsi3>) {
  %w = bnn.constant bits<"0x6D03"> : tensor<3x4xi1>
  %a = bnn.dense %x, %w : tensor<?x4xi1>, tensor<3x4xi1> -> tensor<?x3xsi32>
  %s = bnn.affine %a {scale = dense<5.000000e-01> : tensor<1xf32>} : tensor<?x3xsi32> -> tensor<?x3xf32>
  %h = bnn.threshold %s {thresholds = dense<[[0.25000003, 7.500000e-01, 1.25000012]]> : tensor<1x3xf32>} : tensor<?x3xf32> -> tensor<?x3xui2>
  %v = bnn.constant bits<"0x6D03"> : tensor<3x4xi1>
  %b = bnn.dense %x, %v : tensor<?x4xi1>, tensor<3x4xi1> -> tensor<?x3xsi32>
  %n = bnn.affine %b {scale = dense<-1.0> : tensor<1xf32>} : tensor<?x3xsi32> -> tensor<?x3xf32>
  %q = bnn.threshold %n {thresholds = dense<[[-1.0, 0.5, 1.0], [-3.0, -2.0, 2.0], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>, bias = -2 : i64} : tensor<?x3xf32> -> tensor<?x3xsi3>
  func.return %h, %q : tensor<?x3xui2>, tensor<?x3xsi3>
}
// CHECK-LABEL: func.func @multi
// CHECK:         %h = bnn.dense %x, %w {thresholds = dense<{{\[\[}}1, 2, 3]]> : tensor<1x3xsi32>, value_range = array<i64: -4, 4>} : tensor<?x4xi1>, tensor<3x4xi1> -> tensor<?x3xui2>
// CHECK:         %q = bnn.dense %x, %v {thresholds = dense<{{\[\[}}-1, -1, 1], [-2, 2, 3], [0, 0, 0]]> : tensor<3x3xsi32>, descending = array<i64: 0, 1, 2>, bias = -2 : i64, value_range = array<i64: -4, 4>} : tensor<?x4xi1>, tensor<3x4xi1> -> tensor<?x3xsi3>
// CHECK-NEXT:    func.return %h, %q
