// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[1., -1., 1., 1.], [-1., -1., 1., -1.]], np.float32))"
// RUN: bnn-run %s --input %t.x.npy --cycles | filecheck %s

// The stream interpreter runs the design word by word; --cycles adds its schedule.
func.func @main(%x: tensor<?x4xi1>) -> (tensor<?x2xsi32> {bnn.onnx_dtype = "float32"}) {
  %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor = 1 : i64, weights = dense<[[[3], [0], [0], [3]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// Row 0 of the weights is +1 +1 -1 -1, row 1 -1 -1 +1 +1.
// CHECK:      {{\[\[}}-2.,  2.],
// CHECK-NEXT:  [-2.,  2.]]
// CHECK-NEXT: design @tiny: word-level schedule over 3 frames
// CHECK-NEXT:   cycles per frame (steady state): 4 (cost model bottleneck: 4, kernel #1 hwstream.mvtu)
// CHECK-NEXT:   first-frame latency: {{[0-9]+}} cycles
// CHECK-NEXT:   with the design's FIFO depths: 4 cycles per frame, latency {{[0-9]+}} cycles
// CHECK-NEXT:   most words waiting in a stream: {{[0-9]+}}
