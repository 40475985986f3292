// RUN: bnn-opt %s --split-input-file -p hwstream-size-fifos | filecheck %s
// RUN: bnn-opt %s --split-input-file -p hwstream-size-fifos,hwstream-size-fifos | filecheck %s
// RUN: bnn-opt %s --split-input-file -p 'hwstream-size-fifos{min-depth=3}' | filecheck %s --check-prefix=MIN
// RUN: not bnn-opt %s --split-input-file -p 'hwstream-size-fifos{min-depth=4611686018427387904}' 2>&1 | filecheck %s --check-prefix=HUGE
// RUN: not bnn-opt %s --split-input-file -p 'hwstream-size-fifos{min-depth=9223372036854775808}' 2>&1 | filecheck %s --check-prefix=HUGE
// HUGE: bnn-opt: error: hwstream-size-fifos: min-depth must be between 1 and 16777216 words, got {{4611686018427387904|9223372036854775808}}

// A slow producer (8 cycles per word) feeds a sliding window, which reads its next row in the
// loop iterations that write the current one, and the MVTU after it reads 9 words in a burst
// every 72 cycles. With 2-word streams the window cannot read ahead while the MVTU computes, so
// the stream into it gets a FIFO as deep as the schedule needs; the others need none. Running
// the pass twice gives the same design.
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
// CHECK:      ^bb0(%in: !hwstream.stream<1>):
// CHECK-NEXT:   %a = hwstream.mvtu %in
// CHECK-NEXT:   %0 = hwstream.fifo %a {depth = 14 : i64, lanes = 1 : i64, bits = 1 : i64, words = 16 : i64} : !hwstream.stream<1> -> !hwstream.stream<1>
// CHECK-NEXT:   %w = hwstream.window %0
// CHECK-NEXT:   %b = hwstream.mvtu %w
// CHECK-NEXT:   hwstream.yield %b

// MIN:          %0 = hwstream.fifo %in {depth = 3 : i64
// MIN-NEXT:     %a = hwstream.mvtu %0
// MIN-NEXT:     %1 = hwstream.fifo %a {depth = 14 : i64
// MIN-NEXT:     %w = hwstream.window %1
// MIN-NEXT:     %2 = hwstream.fifo %w {depth = 3 : i64
// MIN-NEXT:     %b = hwstream.mvtu %2

// -----
// A width converter into an MVTU that reads a word per cycle: no stream needs more than 2 words.
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x2xsi32> {
  %y = hwstream.instance @tiny(%x) : tensor<?x4xi1> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @tiny attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<[[[3], [0], [1], [2]]]> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK:      ^bb0(%in: !hwstream.stream<4>):
// CHECK-NEXT:   %d = hwstream.dwc %in
// CHECK-NEXT:   %m = hwstream.mvtu %d
// CHECK-NEXT:   hwstream.yield %m

// MIN:          %0 = hwstream.fifo %in {depth = 3 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64}
// MIN-NEXT:     %d = hwstream.dwc %0
// MIN-NEXT:     %1 = hwstream.fifo %d {depth = 3 : i64, lanes = 2 : i64, bits = 1 : i64, words = 2 : i64}
// MIN-NEXT:     %m = hwstream.mvtu %1
