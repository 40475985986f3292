// RUN: bnn-translate %s --emit-circt | filecheck %s

// A 2 x 4 matrix of 4-bit weights [[1, -2, 3, -8], [7, 0, -1, 2]] on 2-bit unsigned inputs,
// PE = 1, SIMD = 2, raw dot products (the HLS test's unit, tests/filecheck/backends/hls).
func.func @main(%x: tensor<?x4xui2>) -> tensor<?x2xsi32> {
  %y = hwstream.instance @accel(%x) : tensor<?x4xui2> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
hwstream.design @accel attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 2 : i64, weight_bits = 4 : i64, weights = dense<[[[-31], [-125], [7], [47]]]> : tensor<1x4x1xi8>, output_bits = 32 : i64} : !hwstream.stream<4> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}

// Each lane's product w * x is 4 terms, x shifted by each weight bit, the top bit's negated
// (two's complement): 8 terms of 7 bits (a partial sum of 2 lanes in -49..43), registered, then
// an adder tree; the accumulator holds 4 * -24 .. 4 * 21 in 8 bits.
// CHECK-LABEL: hw.module @accel_k0_mvtu(
// CHECK-SAME:  comment = "MVTU 2x4, PE 1, SIMD 2, 1 vectors: 4 cycles per frame; adder tree of 8 terms, 3 levels per register stage; weights in constant arrays; latency 2 cycles"
// The weight ROM: 8-bit words 0xe1, 0x83, 0x07, 0x2f (highest address first).
// CHECK:       [[W3:%[0-9]+]] = hw.constant 47 : i8
// CHECK-NEXT:  [[ROM:%[0-9]+]] = hw.array_create [[W3]], {{%[0-9]+}}, {{%[0-9]+}}, {{%[0-9]+}} : i8
// CHECK-NEXT:  [[W:%[0-9]+]] = hw.array_get [[ROM]][%tile] : !hw.array<4xi8>, i2
// Lane 0: x, 2x, 4x added where weight bits 0, 1, 2 are set, -8x where bit 3 is.
// CHECK:       [[B0:%[0-9]+]] = comb.extract [[W]] from 0 :  (i8) -> i1
// CHECK-NEXT:  [[ZERO:%[0-9]+]] = hw.constant 0 : i7
// CHECK-NEXT:  {{%[0-9]+}} = comb.mux [[B0]], {{%[0-9]+}}, [[ZERO]] : i7
// CHECK:       [[NEG:%[0-9]+]] = comb.sub [[ZERO]], {{%[0-9]+}} : i7
// CHECK-NEXT:  [[B3:%[0-9]+]] = comb.extract [[W]] from 3 :  (i8) -> i1
// CHECK-NEXT:  {{%[0-9]+}} = comb.mux [[B3]], [[NEG]], [[ZERO]] : i7
// CHECK-COUNT-8: seq.compreg {{%[0-9]+}}, %clk : i7
// CHECK-COUNT-7: comb.add {{.*}} : i7
// CHECK:       %acc0 = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i8
