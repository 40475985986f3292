// RUN: bnn-opt %s -p bnn-to-hwstream | filecheck %s

// A threshold reading bipolar values v = 2b − 1 compares their bits b in hardware:
// v >= t  <=>  b >= ceil((t + 1) / 2)  and  v <= t  <=>  b <= floor((t + 1) / 2).
// Channel 0 rises with thresholds [-1, 0, 5] -> [0, 1, 2] (2 is never met by a bit),
// channel 1 falls with [-3, 0, 1] -> [-1, 0, 1] (-1 is never met, 1 always).
func.func @main(%x: tensor<?x2xi1>) -> tensor<?x2xui2> {
  %t = bnn.threshold %x {onnx_node = "t0", thresholds = dense<[[-1, 0, 5], [-3, 0, 1]]> : tensor<2x3xsi32>, descending = array<i64: 1>, fold = #bnn.fold<pe = 1>} : tensor<?x2xi1> -> tensor<?x2xui2>
  func.return %t : tensor<?x2xui2>
}
// CHECK: hwstream.threshold %{{[0-9]+}} {layer = "t0", channels = 2 : i64, pixels = 1 : i64, pe = 1 : i64, input_bits = 1 : i64, thresholds = dense<{{\[\[\[}}0, 1, 2], [-1, 0, 1]]]> : tensor<1x2x3xsi32>, output_bits = 2 : i64, descending = array<i64: 1>}
