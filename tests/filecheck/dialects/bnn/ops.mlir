// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s
// RUN: bnn-opt %s | bnn-opt | filecheck %s

// Every bnn op in its custom form; the generic form round-trips to the same text.

func.func @main(%x: tensor<?x3x8x8xui8>) -> tensor<?x1xsi64> {
  %w0 = bnn.constant bits<"0x07FE6F760AE0E67E3D6C73C92803"> : tensor<4x3x3x3xi1>
  %a0 = bnn.conv2d %x, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x3x8x8xui8>, tensor<4x3x3x3xi1> -> tensor<?x4x8x8xsi32>
  %y0 = bnn.batch_norm %a0 {gamma = dense<[-1.5, 0.25, 0.5, 1.0]> : tensor<4xf32>, beta = dense<[0.5, -0.25, 1.0, 0.0]> : tensor<4xf32>, mean = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 1.000000e-05 : f32} : tensor<?x4x8x8xsi32> -> tensor<?x4x8x8xf32>
  %b0 = bnn.sign %y0 : tensor<?x4x8x8xf32> -> tensor<?x4x8x8xi1>
  %p0 = bnn.max_pool %b0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x8x8xi1> -> tensor<?x4x4x4xi1>
  %q0 = bnn.pad %p0 {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64} : tensor<?x4x4x4xi1> -> tensor<?x4x6x6xi1>
  %w1 = bnn.constant bits<"0x5A0F5A0F"> : tensor<2x4x2x2xi1>
  %a1 = bnn.conv2d %q0, %w1 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x6x6xi1>, tensor<2x4x2x2xi1> -> tensor<?x2x3x3xsi32>
  %t1 = bnn.threshold %a1 {thresholds = dense<[[-1, 0, 3]]> : tensor<1x3xsi32>, bias = -2 : i64} : tensor<?x2x3x3xsi32> -> tensor<?x2x3x3xsi2>
  %b1 = bnn.threshold %a1 {thresholds = dense<[[3], [-1]]> : tensor<2x1xsi32>} : tensor<?x2x3x3xsi32> -> tensor<?x2x3x3xi1>
  %f1 = bnn.flatten %b1 : tensor<?x2x3x3xi1> -> tensor<?x18xi1>
  %r1 = bnn.reshape %f1 : tensor<?x18xi1> -> tensor<?x2x9xi1>
  %w2 = bnn.constant bits<"0xFF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF0000"> : tensor<10x18xi1>
  %a2 = bnn.dense %f1, %w2 : tensor<?x18xi1>, tensor<10x18xi1> -> tensor<?x10xsi32>
  %y2 = bnn.affine %a2 {scale = dense<5.000000e-01> : tensor<1xf32>, offset = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]> : tensor<10xf32>} : tensor<?x10xsi32> -> tensor<?x10xf32>
  %z2 = bnn.affine %y2 {scale = dense<2.550000e+02> : tensor<1xf32>, divide} : tensor<?x10xf32> -> tensor<?x10xf32>
  %l = bnn.arg_max %z2 : tensor<?x10xf32> -> tensor<?x1xsi64>
  func.return %l : tensor<?x1xsi64>
}

// CHECK:      func.func @main(%x: tensor<?x3x8x8xui8>) -> tensor<?x1xsi64> {
// CHECK-NEXT:   %w0 = bnn.constant bits<"0x07FE6F760AE0E67E3D6C73C92803"> : tensor<4x3x3x3xi1>
// CHECK-NEXT:   %a0 = bnn.conv2d %x, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x3x8x8xui8>, tensor<4x3x3x3xi1> -> tensor<?x4x8x8xsi32>
// CHECK-NEXT:   %y0 = bnn.batch_norm %a0 {gamma = dense<[-1.500000e+00, 2.500000e-01, 5.000000e-01, 1.000000e+00]> : tensor<4xf32>, beta = dense<[5.000000e-01, -2.500000e-01, 1.000000e+00, 0.000000e+00]> : tensor<4xf32>, mean = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>, var = dense<1.000000e+00> : tensor<4xf32>, epsilon = 1.000000e-05 : f32} : tensor<?x4x8x8xsi32> -> tensor<?x4x8x8xf32>
// CHECK-NEXT:   %b0 = bnn.sign %y0 : tensor<?x4x8x8xf32> -> tensor<?x4x8x8xi1>
// CHECK-NEXT:   %p0 = bnn.max_pool %b0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x8x8xi1> -> tensor<?x4x4x4xi1>
// CHECK-NEXT:   %q0 = bnn.pad %p0 {pads = array<i64: 1, 1, 1, 1>, value = -1 : i64} : tensor<?x4x4x4xi1> -> tensor<?x4x6x6xi1>
// CHECK-NEXT:   %w1 = bnn.constant bits<"0x5A0F5A0F"> : tensor<2x4x2x2xi1>
// CHECK-NEXT:   %a1 = bnn.conv2d %q0, %w1 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x6x6xi1>, tensor<2x4x2x2xi1> -> tensor<?x2x3x3xsi32>
// CHECK-NEXT:   %t1 = bnn.threshold %a1 {thresholds = dense<[[-1, 0, 3]]> : tensor<1x3xsi32>, bias = -2 : i64} : tensor<?x2x3x3xsi32> -> tensor<?x2x3x3xsi2>
// CHECK-NEXT:   %b1 = bnn.threshold %a1 {thresholds = dense<[[3], [-1]]> : tensor<2x1xsi32>} : tensor<?x2x3x3xsi32> -> tensor<?x2x3x3xi1>
// CHECK-NEXT:   %f1 = bnn.flatten %b1 : tensor<?x2x3x3xi1> -> tensor<?x18xi1>
// CHECK-NEXT:   %r1 = bnn.reshape %f1 : tensor<?x18xi1> -> tensor<?x2x9xi1>
// CHECK-NEXT:   %w2 = bnn.constant bits<"0xFF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF0000"> : tensor<10x18xi1>
// CHECK-NEXT:   %a2 = bnn.dense %f1, %w2 : tensor<?x18xi1>, tensor<10x18xi1> -> tensor<?x10xsi32>
// CHECK-NEXT:   %y2 = bnn.affine %a2 {scale = dense<5.000000e-01> : tensor<1xf32>, offset = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01]> : tensor<10xf32>} : tensor<?x10xsi32> -> tensor<?x10xf32>
// CHECK-NEXT:   %z2 = bnn.affine %y2 {scale = dense<2.550000e+02> : tensor<1xf32>, divide} : tensor<?x10xf32> -> tensor<?x10xf32>
// CHECK-NEXT:   %l = bnn.arg_max %z2 : tensor<?x10xf32> -> tensor<?x1xsi64>
// CHECK-NEXT:   func.return %l : tensor<?x1xsi64>
// CHECK-NEXT: }

// A small bipolar constant still prints as packed hex, never as a decimal list.
func.func @tiny() -> tensor<3xi1> {
  %c = bnn.constant bits<"0x05"> : tensor<3xi1>
  func.return %c : tensor<3xi1>
}
// CHECK: %c = bnn.constant bits<"0x05"> : tensor<3xi1>

// Non-bipolar constants hold their values directly.
func.func @ints() -> tensor<2xsi32> {
  %c = bnn.constant dense<[1, -2]> : tensor<2xsi32>
  func.return %c : tensor<2xsi32>
}
// CHECK: %c = bnn.constant dense<[1, -2]> : tensor<2xsi32>

// The matrix-vector-threshold form: thresholds, descending channels and a bias on the layers;
// a -1 padded conv with its border-class correction table.
func.func @fused(%x: tensor<?x2x4x4xi1>, %v: tensor<?x8xi1>) -> (tensor<?x1x4x4xi1>, tensor<?x2xsi3>) {
  %w = bnn.constant bits<"0xA50102"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64, correction = dense<0> : tensor<2x2x2x2x1xsi32>, thresholds = dense<3> : tensor<1x1xsi32>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xi1>
  %u = bnn.constant bits<"0x0FF0"> : tensor<2x8xi1>
  %d = bnn.dense %v, %u {thresholds = dense<[[-2, 0, 2], [-4, 0, 4]]> : tensor<2x3xsi32>, descending = array<i64: 1>, bias = -1 : i64} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi3>
  func.return %a, %d : tensor<?x1x4x4xi1>, tensor<?x2xsi3>
}
// CHECK-LABEL: func.func @fused
// CHECK:       %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64, correction = dense<0> : tensor<2x2x2x2x1xsi32>, thresholds = dense<3> : tensor<1x1xsi32>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xi1>
// CHECK:       %d = bnn.dense %v, %u {thresholds = dense<{{\[\[}}-2, 0, 2], [-4, 0, 4]]> : tensor<2x3xsi32>, descending = array<i64: 1>, bias = -1 : i64} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi3>

// A zero-padded conv that reads input channel 1 complemented (a negation fusion absorbed).
func.func @complemented(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0xA50102"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, complemented = array<i64: 1>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK-LABEL: func.func @complemented
// CHECK:       %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, complemented = array<i64: 1>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>

// A fused affine rounds x · scale + offset once; float payloads that decimal printing cannot
// carry (inf, NaN, large integral values) print as hex data and parse back bit for bit.
func.func @floats(%x: tensor<?x3xsi32>) -> tensor<?x3xi1> {
  %y = bnn.affine %x {scale = dense<3.000000e-01> : tensor<1xf32>, offset = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>, fused} : tensor<?x3xsi32> -> tensor<?x3xf32>
  %t = bnn.threshold %y {thresholds = dense<"0x0000807F000080FF79EBEB4C"> : tensor<3x1xf32>} : tensor<?x3xf32> -> tensor<?x3xi1>
  func.return %t : tensor<?x3xi1>
}
// CHECK:      %y = bnn.affine %x {scale = dense<3.000000e-01> : tensor<1xf32>, offset = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>, fused} : tensor<?x3xsi32> -> tensor<?x3xf32>
// CHECK-NEXT: %t = bnn.threshold %y {thresholds = dense<"0x0000807F000080FF79EBEB4C"> : tensor<3x1xf32>} : tensor<?x3xf32> -> tensor<?x3xi1>

// A hex integer in a float dense list is the element's bit pattern, as in MLIR: 1.0 and inf.
func.func @hex_floats(%x: tensor<?x3xsi32>) -> tensor<?x3xf32> {
  %y = bnn.affine %x {offset = dense<[0x3F800000, 0x7F800000, 2.5]> : tensor<3xf32>} : tensor<?x3xsi32> -> tensor<?x3xf32>
  func.return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func.func @hex_floats
// CHECK:       %y = bnn.affine %x {offset = dense<"0x0000803F0000807F00002040"> : tensor<3xf32>}
