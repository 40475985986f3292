// RUN: bnn-translate %s --emit-hls | filecheck %s

// SIMD = 100 without thresholds: a 100-bit word is stored as two 50-bit pieces (lanes 0..49,
// then 50..99); the unit outputs its signed dot product on 32-bit lanes.
func.func @main(%x: tensor<?x100xi1>) -> tensor<?x1xsi32> {
  %y = hwstream.instance @accel(%x) : tensor<?x100xi1> -> tensor<?x1xsi32>
  func.return %y : tensor<?x1xsi32>
}
hwstream.design @accel attributes {input_type = tensor<?x100xi1>, output_type = tensor<?x1xsi32>, input_lanes = 100 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<100>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 100 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 100 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<[[[1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 8]]]> : tensor<1x1x13xi8>} : !hwstream.stream<100> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}

// Lanes 0, 50 and 99 are set: piece 0 = bit 0, piece 1 = bits 0 and 49.
// CHECK:      static const bnnir::BinaryWeights<1, 100, 1> k1_weights = { { { {0x0000000000001}, {0x2000000000001} } } };
// Its activation is a named constant, as a DATAFLOW region must not hold temporaries.
// CHECK:      static const bnnir::DotProduct<true, 100> k1_dot_product = {};
// The input port pads the 100-bit word to 104 bits; the 32-bit output needs no adapter.
// CHECK:      bnnir::input_adapter<100, 100, 1, 104, 1>(in, adapted_in, frames);
// CHECK:      #pragma HLS ARRAY_PARTITION variable = k1_weights.m complete dim = 2
// CHECK:      bnnir::mvtu<1, 100, 1, 100, 1, 1, false, true, 32, bnnir::NoBorder>(adapted_in, out, k1_weights, k1_dot_product, frames);
