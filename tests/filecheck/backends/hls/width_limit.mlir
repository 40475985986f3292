// RUN: not bnn-translate %s --emit-hls 2>&1 | filecheck %s

// Vitis HLS builds words of at most 4096 bits (AP_INT_MAX_W): a hand-written design reading a
// 9216-bit vector at once is an error, not C++ that fails to compile.
func.func @main(%x: tensor<?x9216xi1>) -> tensor<?x1xsi32> {
  %y = hwstream.instance @accel(%x) : tensor<?x9216xi1> -> tensor<?x1xsi32>
  func.return %y : tensor<?x1xsi32>
}
hwstream.design @accel attributes {input_type = tensor<?x9216xi1>, output_type = tensor<?x1xsi32>, input_lanes = 9216 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<9216>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 9216 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 9216 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x1x1152xi8>} : !hwstream.stream<9216> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: bnn-translate: error: --emit-hls: a kernel next to a port moves 9216-bit words; Vitis HLS allows at most 4096 (AP_INT_MAX_W): fold it with a smaller PE or SIMD
