// RUN: bnn-translate %s --emit-hls | filecheck %s

// A 2 x 4 matrix of 4-bit weights [[1, -2, 3, -8], [7, 0, -1, 2]] on 2-bit unsigned inputs,
// PE = 1, SIMD = 2, raw dot products: word nf * SF + sf holds lanes c % 2 of row nf at bits
// [4 * lane, 4 * lane + 4), two's complement.
func.func @main(%x: tensor<?x4xui2>) -> tensor<?x2xsi32> {
  %y = hwstream.instance @accel(%x) : tensor<?x4xui2> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @accel attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 4 : i64, weights = dense<[[[-31], [-125], [7], [47]]]> : tensor<1x4x1xi8>, output_bits = 32 : i64} : !hwstream.stream<4> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}

// The library's lanes: an N-bit weight times an input lane (or +-weight on a bipolar bit), an
// adder tree as wide as SIMD such products, an accumulator of clog2(MW) + IN_BITS + W_BITS bits.
// CHECK:      ap_int<IN_BITS + W_BITS + 1> lane_product(
// CHECK:      if (BIPOLAR_IN) return x[s] ? weight : ap_int<W_BITS + 1>(-weight);
// CHECK-NEXT: return lane_value<IN_BITS, SIGNED_IN>(x, s) * weight;
// CHECK:      ap_int<clog2(SIMD + 1) + IN_BITS + W_BITS> simd_sum(
// CHECK:      typedef ap_int<accumulator_bits(MW, IN_BITS, XNOR, W_BITS)> accumulator;

// One memory of WMEM = 4 words of SIMD * 4 = 8 bits: 0xe1 = (1, -2), 0x83 = (3, -8),
// 0x07 = (7, 0), 0x2f = (-1, 2).
// CHECK:      // k1: 2 x 4 weights of 4 bits, PE 1, SIMD 2
// CHECK-NEXT: static const bnnir::Weights<1, 2, 4, 4> k1_weights = { { { {0xe1, 0x83, 0x07, 0x2f} } } };
// CHECK:      static const bnnir::DotProduct<false, 4> k1_dot_product = {};

// The kernel reads the lane width from the weights' type: its call is the bipolar unit's.
// CHECK:      bnnir::mvtu<2, 4, 1, 2, 1, 2, false, false, 32, bnnir::NoBorder>(adapted_in, adapted_out, k1_weights, k1_dot_product, frames);
