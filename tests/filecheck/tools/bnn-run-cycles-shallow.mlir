// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((2, 128), np.float32))"
// RUN: bnn-run %s --input %t.x.npy --cycles | filecheck %s
// RUN: bnn-opt %s -p hwstream-size-fifos -o %t.sized.mlir
// RUN: bnn-run %t.sized.mlir --input %t.x.npy --cycles | filecheck %s --check-prefix=SIZED

// With 2-word streams the window cannot read ahead of the slow first MVTU while the second one
// computes (tests/filecheck/passes/hwstream-size-fifos/fifos.mlir): the design's FIFO depths
// cost throughput, and the report names the stream that is too shallow.
func.func @main(%x: tensor<?x128xi1>) -> tensor<?x32xsi32> {
  %y = hwstream.instance @slow_producer(%x) : tensor<?x128xi1> -> tensor<?x32xsi32>
  func.return %y : tensor<?x32xsi32>
}
hwstream.design @slow_producer attributes {input_type = tensor<?x128xi1>, output_type = tensor<?x32xsi32>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %a = hwstream.mvtu %in {rows = 1 : i64, columns = 8 : i64, vectors = 16 : i64, pe = 1 : i64, simd = 1 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x8x1xi8>, thresholds = dense<4> : tensor<1x1x1x1xsi32>} : !hwstream.stream<1> -> !hwstream.stream<1>
  %w = hwstream.window %a {channels = 1 : i64, height = 4 : i64, width = 4 : i64, simd = 1 : i64, bits = 1 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !hwstream.stream<1> -> !hwstream.stream<1>
  %b = hwstream.mvtu %w {rows = 8 : i64, columns = 9 : i64, vectors = 4 : i64, pe = 1 : i64, simd = 1 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x72x1xi8>} : !hwstream.stream<1> -> !hwstream.stream<32>
  hwstream.yield %b : !hwstream.stream<32>
}
// CHECK:      design @slow_producer: cycle schedule of 3 frames
// CHECK-NEXT:   steady state: 288 cycles per frame (cost model: 288, bottleneck k2.mvtu)
// CHECK-NEXT:   latency: 415 cycles from the first input word to the first frame's last output word
// CHECK-NEXT:   with the design's FIFO depths: 328 cycles per frame, latency 415 cycles
// CHECK-NEXT:   streams too shallow: into k1.window (2 < 14 words); run hwstream-size-fifos
// CHECK-NEXT:   streams needing a FIFO: 1, the deepest 14 words into k1.window

// SIZED:      steady state: 288 cycles per frame
// SIZED-NEXT: latency: 415 cycles
// SIZED-NEXT: with the design's FIFO depths: the same
// SIZED-NEXT: streams needing a FIFO: 1, the deepest 14 words into k1.window
