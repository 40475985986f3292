// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[1., -1., 1., 1.], [-1., -1., 1., -1.]], np.float32))"
// RUN: bnn-run %s --input %t.x.npy --cycles | filecheck %s

// The stream interpreter runs the design word by word; --cycles adds its cycle-level schedule.
// The host writes word 0 in cycle 0; the width converter splits it in cycles 1 and 2; the MVTU
// (NF = SF = 2) reads them in cycles 2 and 3 and writes its last word in cycle 5: latency 6.
func.func @main(%x: tensor<?x4xi1>) -> (tensor<?x2xsi32> {bnn.onnx_dtype = "float32"}) {
  %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<[[[3], [0], [0], [3]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// Row 0 of the weights is +1 +1 -1 -1, row 1 -1 -1 +1 +1.
// CHECK:      {{\[\[}}-2.,  2.],
// CHECK-NEXT:  [-2.,  2.]]
// CHECK-NEXT: design @tiny: cycle schedule of 3 frames (kernel loops at II = 1, one input word per cycle)
// CHECK-NEXT:   steady state: 4 cycles per frame (cost model: 4, bottleneck k1.mvtu)
// CHECK-NEXT:   latency: 6 cycles from the first input word to the first frame's last output word
// CHECK-NEXT:   with the design's FIFO depths: the same
// CHECK-EMPTY:
