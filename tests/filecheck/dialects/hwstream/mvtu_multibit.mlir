// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s

// MVTUs with integer weights: 4-bit weights on 2-bit unsigned inputs (SIMD 2: 8-bit words), then
// 3-bit weights on bipolar input bits (bipolar_input; SIMD 3: 9-bit words in 2 bytes). A
// bipolar unit prints no weight_bits.
hwstream.design @d attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x3xsi32>, input_lanes = 2 : i64, output_lanes = 3 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %a = hwstream.mvtu %in {rows = 3 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 3 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 4 : i64, weights = dense<[[[-31], [-125]], [[7], [47]], [[0], [17]]]> : tensor<3x2x1xi8>, thresholds = dense<[[[[0]], [[5]], [[-3]]]]> : tensor<1x3x1x1xsi32>, output_bits = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<3>
  %b = hwstream.mvtu %a {rows = 3 : i64, columns = 3 : i64, vectors = 1 : i64, pe = 3 : i64, simd = 3 : i64, input_bits = 1 : i64, weight_bits = 3 : i64, weights = dense<[[[1, 1]], [[-1, 0]], [[0, 1]]]> : tensor<3x1x2xi8>, bipolar_input, output_bits = 32 : i64} : !hwstream.stream<3> -> !hwstream.stream<96>
  hwstream.yield %b : !hwstream.stream<96>
}

// CHECK:      hwstream.mvtu %in {rows = 3 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 3 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 4 : i64, weights = dense<{{\[\[\[}}-31], [-125]], {{\[\[}}7], [47]], {{\[\[}}0], [17]]]> : tensor<3x2x1xi8>, thresholds = {{.*}}, output_bits = 1 : i64}
// CHECK-NEXT: hwstream.mvtu %a {rows = 3 : i64, columns = 3 : i64, vectors = 1 : i64, pe = 3 : i64, simd = 3 : i64, input_bits = 1 : i64, weight_bits = 3 : i64, weights = {{.*}} : tensor<3x1x2xi8>, bipolar_input, output_bits = 32 : i64}
