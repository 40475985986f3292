// RUN: bnn-translate %s --emit-hls | filecheck %s

// A 2 x 4 matrix on bipolar inputs, PE = SIMD = 2, with three thresholds per row (2-bit
// outputs): row r at PE r % 2, column c in word c / 2 at lane c % 2.
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x2xui2> {
  %y = hwstream.instance @accel(%x) : tensor<?x4xi1> -> tensor<?x2xui2>
  func.return %y : tensor<?x2xui2>
}
hwstream.design @accel attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xui2>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 2 : i64, xnor, weights = dense<[[[1], [2]], [[3], [0]]]> : tensor<2x2x1xi8>, thresholds = dense<[[[[0, 1, 2]], [[1, 2, 3]]]]> : tensor<1x2x1x3xsi32>} : !hwstream.stream<2> -> !hwstream.stream<4>
  hwstream.yield %m : !hwstream.stream<4>
}

// The kernel: one pipelined loop over the frame's VECTORS * NF * SF cycles, in a frame loop
// that the synthesis report counts once.
// CHECK:      void mvtu(
// CHECK:      for (unsigned f = 0; f < frames; f++) {
// CHECK-NEXT: #pragma HLS LOOP_TRIPCOUNT min = 1 max = 1
// CHECK-NEXT: for (unsigned i = 0; i < VECTORS * NF * SF; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1

// One memory per PE of WMEM = NF * SF = 2 words of SIMD = 2 bits, lane 0 lowest:
// PE 0 holds words 0x1, 0x2 (row 0), PE 1 words 0x3, 0x0 (row 1).
// CHECK:      // k1: 2 x 4 weights, PE 2, SIMD 2
// CHECK-NEXT: static const bnnir::BinaryWeights<2, 2, 2> k1_weights = { { { {0x1, 0x2} }, { {0x3, 0x0} } } };
// Thresholds [PE][STEPS][CLASSES][NF] as 3-bit integers (0..3), bias 0.
// CHECK:      static const bnnir::Thresholds<2, 1, 1, 3, 3, 0> k1_thresholds = { { { { {0} }, { {1} }, { {2} } }, { { {1} }, { {2} }, { {3} } } } };

// Every PE reads its word each cycle: the weights are partitioned by PE (and by the word's
// 64-bit pieces), the thresholds by PE and by step.
// CHECK:      // hwstream.mvtu
// CHECK-NEXT: hls::stream<ap_uint<4> > adapted_out("adapted_out");
// CHECK-NEXT: #pragma HLS STREAM variable = adapted_out depth = 2
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = k1_weights.m complete dim = 1
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = k1_weights.m complete dim = 2
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = k1_thresholds.m complete dim = 1
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = k1_thresholds.m complete dim = 2
// Template: MH, MW, PE, SIMD, vectors, input bits, signed input, XNOR, output bits, border.
// CHECK-NEXT: bnnir::mvtu<2, 4, 2, 2, 1, 1, false, true, 2, bnnir::NoBorder>(adapted_in, adapted_out, k1_weights, k1_thresholds, frames);
