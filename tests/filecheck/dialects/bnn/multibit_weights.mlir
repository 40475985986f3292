// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s
// RUN: bnn-opt %s | bnn-opt | filecheck %s
// RUN: bnn-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC

// Layers with si<N> weights (2 <= N <= 8), stored N bits per weight in the bits<"0x..."> syntax of
// bipolar weights: element i in bits [i*N, i*N + N) of the little-endian bit stream.

func.func @main(%x: tensor<?x2x4x4xi1>, %y: tensor<?x6xui8>) -> (tensor<?x3x4x4xsi32>, tensor<?x2xsi32>, tensor<?x2xsi32>) {
  // ternary (si2): 0, 1, -1, -1, 1, 0, 0, -1, ... (18 weights, 36 bits, 5 bytes)
  %w0 = bnn.constant bits<"0xF4C105530D"> : tensor<1x2x3x3xsi2>
  %w3 = bnn.constant bits<"0x625B09A48FBB09F90F7FD068B293C82337D75CD003"> : tensor<3x2x3x3xsi3>
  %a0 = bnn.conv2d %x, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x2x4x4xi1>, tensor<3x2x3x3xsi3> -> tensor<?x3x4x4xsi32>
  %w4 = bnn.constant bits<"0x78F0F1"> : tensor<2x3xsi4>
  %w8 = bnn.constant bits<"0x807F00FF01FE8081020304FF"> : tensor<2x6xsi8>
  %a1 = bnn.dense %y, %w8 : tensor<?x6xui8>, tensor<2x6xsi8> -> tensor<?x2xsi32>
  %a2 = bnn.dense %y, %w8 {thresholds = dense<[[-3, 0, 5]]> : tensor<1x3xsi32>, value_range = array<i64: -100000, 100000>} : tensor<?x6xui8>, tensor<2x6xsi8> -> tensor<?x2xsi32>
  func.return %a0, %a1, %a2 : tensor<?x3x4x4xsi32>, tensor<?x2xsi32>, tensor<?x2xsi32>
}

// CHECK:      %w0 = bnn.constant bits<"0xF4C105530D"> : tensor<1x2x3x3xsi2>
// CHECK-NEXT: %w3 = bnn.constant bits<"0x625B09A48FBB09F90F7FD068B293C82337D75CD003"> : tensor<3x2x3x3xsi3>
// CHECK-NEXT: %a0 = bnn.conv2d %x, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x2x4x4xi1>, tensor<3x2x3x3xsi3> -> tensor<?x3x4x4xsi32>
// CHECK-NEXT: %w4 = bnn.constant bits<"0x78F0F1"> : tensor<2x3xsi4>
// CHECK-NEXT: %w8 = bnn.constant bits<"0x807F00FF01FE8081020304FF"> : tensor<2x6xsi8>
// CHECK-NEXT: %a1 = bnn.dense %y, %w8 : tensor<?x6xui8>, tensor<2x6xsi8> -> tensor<?x2xsi32>
// CHECK-NEXT: %a2 = bnn.dense %y, %w8 {thresholds = dense<{{\[\[}}-3, 0, 5]]> : tensor<1x3xsi32>, value_range = array<i64: -100000, 100000>} : tensor<?x6xui8>, tensor<2x6xsi8> -> tensor<?x2xsi32>

// The generic form holds the packed bytes as a tensor<Bxi8>.
// GENERIC: "bnn.constant"() <{value = dense<[-12, -63, 5, 83, 13]> : tensor<5xi8>}> : () -> tensor<1x2x3x3xsi2>
