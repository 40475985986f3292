// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, weight_bits = 4 : i64, weights = dense<0> : tensor<1x4x1xi8>, xnor, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' xnor takes bipolar weights: weight_bits must be 1, got 4

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, weight_bits = 9 : i64, weights = dense<0> : tensor<1x4x3xi8>, bipolar_input, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' weight_bits must be 1 (bipolar ±1) or 2..8 (signed two's complement), got 9

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, weights = dense<0> : tensor<1x4x1xi8>, bipolar_input, output_bits = 32 : i64} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' bipolar_input takes 1-bit unsigned input lanes and integer weights (weight_bits >= 2); bipolar weights on bipolar input are xnor

// -----
hwstream.design @d attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 5 : i64, weights = dense<0> : tensor<1x4x1xi8>, output_bits = 32 : i64} : !hwstream.stream<4> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' weights must be [PE, WMEM, ceil(SIMD * 5 weight bits / 8) bytes] = [1, 4, 2], got [1, 4, 1]

// -----
// 4 columns of 2-bit inputs and 8-bit weights reach 4 * 3 * 128 = 1536, past 11 signed bits.
hwstream.design @d attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x2xsi11>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 8 : i64, weights = dense<0> : tensor<1x4x2xi8>, output_bits = 11 : i64} : !hwstream.stream<4> -> !hwstream.stream<11>
  hwstream.yield %m : !hwstream.stream<11>
}
// CHECK: 'hwstream.mvtu' dot products reach ±1536 over 4 columns, which 11 signed output bits do not hold; give it thresholds or more output_bits
