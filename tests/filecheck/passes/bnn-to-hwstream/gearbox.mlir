// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// fc0 writes 4 lanes per word and fc1 reads 3: one width converter (a gearbox) joins them
// directly, 3 words of 4 lanes into 4 of 3, not through a 1-lane stream (gcd(4, 3) = 1).
func.func @main(%x: tensor<?x64xi1>) -> tensor<?x10xsi32> {
  %w0 = bnn.constant bits<"0xD6421B4C69D073175599D0BAFE30E10E8E4633A84E8F4226BF6EADABF16C38A2EFF7DEAE61640A2F55589482B1E4E0C6FA51E8EC397891B1B31B7A1AF53372E285AE7FD998A474689784C89778DC36707CE4709D13D4717F18B1A256C4850E37"> : tensor<12x64xi1>
  %h = bnn.dense %x, %w0 {onnx_node = "fc0", fold = #bnn.fold<pe = 4, simd = 8>, thresholds = dense<0> : tensor<1x1xsi32>} : tensor<?x64xi1>, tensor<12x64xi1> -> tensor<?x12xi1>
  %w1 = bnn.constant bits<"0x4219800985B3947444E552D57162B1"> : tensor<10x12xi1>
  %y = bnn.dense %h, %w1 {onnx_node = "fc1", fold = #bnn.fold<pe = 1, simd = 3>} : tensor<?x12xi1>, tensor<10x12xi1> -> tensor<?x10xsi32>
  func.return %y : tensor<?x10xsi32>
}

// CHECK:      %1 = hwstream.mvtu %0 {layer = "fc0", {{.*}}pe = 4 : i64, simd = 8 : i64{{.*}} : !hwstream.stream<8> -> !hwstream.stream<4>
// CHECK-NEXT: %2 = hwstream.dwc %1 {layer = "fc1", in_lanes = 4 : i64, out_lanes = 3 : i64, bits = 1 : i64, words = 3 : i64} : !hwstream.stream<4> -> !hwstream.stream<3>
// CHECK-NEXT: %3 = hwstream.mvtu %2 {layer = "fc1", {{.*}}pe = 1 : i64, simd = 3 : i64
// CHECK-NOT:  hwstream.dwc
