// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Packed si<N> weight constants and layers with integer weights reject malformed IR.

// 5 si3 weights are 15 bits: 2 bytes.
%w = bnn.constant bits<"0x0000FF"> : tensor<5xsi3>
// CHECK: 'bnn.constant' of tensor<5xsi3> must hold 2 packed bytes as tensor<2xi8>, got tensor<3xi8>

// -----
// 3 si2 weights use 6 bits: the top 2 bits of the byte must be zero.
%w = bnn.constant bits<"0xC0"> : tensor<3xsi2>
// CHECK: 'bnn.constant' padding bits after the last of 3 weights must be zero

// -----
// Packed bits hold weights only: si16 is no weight type.
%w = bnn.constant bits<"0x0000"> : tensor<1xsi16>
// CHECK: 'bnn.constant' value type tensor<2xi8> must equal the result type tensor<1xsi16> (packed bits hold i1 or si2..si8 weights only)

// -----
// Unsigned weights are not a weight type.
func.func @f(%x: tensor<?x4xi1>, %w: tensor<2x4xui4>) -> tensor<?x2xsi32> {
  %a = bnn.dense %x, %w : tensor<?x4xi1>, tensor<2x4xui4> -> tensor<?x2xsi32>
  func.return %a : tensor<?x2xsi32>
}
// CHECK: 'bnn.dense' weights must be bipolar (i1) or signed integers of 2 to 8 bits (si2..si8), got tensor<2x4xui4>

// -----
// 2^31 is out of reach of the si32 accumulator: 131072 inputs of 128 times weights of 128.
func.func @f(%x: tensor<?x131072xsi8>, %w: tensor<1x131072xsi8>) -> tensor<?x1xsi32> {
  %big = bnn.dense %x, %w : tensor<?x131072xsi8>, tensor<1x131072xsi8> -> tensor<?x1xsi32>
  func.return %big : tensor<?x1xsi32>
}
// CHECK: 'bnn.dense' %big accumulator can reach 2147483648 (fan-in 131072 · max|w| 128 · max|x| 128), past the si32 accumulator's 2^31; use narrower weights or inputs, or a smaller layer

// -----
func.func @f(%x: tensor<?x3x8x8xui8>, %w: tensor<4x3x3x3xsi4>) -> tensor<?x4x6x6xi1> {
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x3x8x8xui8>, tensor<4x3x3x3xsi4> -> tensor<?x4x6x6xi1>
  func.return %a : tensor<?x4x6x6xi1>
}
// CHECK: 'bnn.conv2d' result must be a signed integer accumulator (e.g. si32), got element type i1

// -----
// One input fewer stays below 2^31.
func.func @f(%x: tensor<?x131071xsi8>, %w: tensor<1x131071xsi8>) -> tensor<?x1xsi32> {
  %fits = bnn.dense %x, %w : tensor<?x131071xsi8>, tensor<1x131071xsi8> -> tensor<?x1xsi32>
  func.return %fits : tensor<?x1xsi32>
}
// (valid IR is printed after the diagnostics)
// CHECK: %fits = bnn.dense
