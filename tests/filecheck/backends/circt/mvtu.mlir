// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_mvtu.sv
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

// Iterations (nf, sf); each PE's weight ROM read at the tile counter (array_create lists the
// highest address first: PE 0 holds 0x1, 0x2, PE 1 0x3, 0x0), XNOR match bits registered
// (stage 1), popcount, accumulator cleared at sf = 0, three >= comparisons per PE counted.
// CHECK-LABEL: hw.module @accel_k0_mvtu(in %clk: !seq.clock, in %rst: i1, in %in_data: i2, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i4, out out_valid: i1) attributes {comment = "MVTU 2x4, PE 2, SIMD 2, 1 vectors: 2 cycles per frame; adder tree of 2 terms, 3 levels per register stage; weights in constant arrays; latency 2 cycles"}
// CHECK:       %sf = seq.compreg
// CHECK-NEXT:  %nf = seq.compreg
// CHECK:       %issue_d1 = seq.compreg
// CHECK-NEXT:  %issue_d2 = seq.compreg %issue_d1
// CHECK:       %tile = seq.compreg
// CHECK:       [[ROM0:%[0-9]+]] = hw.array_create [[TWO:%[0-9]+]], [[ONE:%[0-9]+]] : i2
// CHECK-NEXT:  [[W0:%[0-9]+]] = hw.array_get [[ROM0]][%tile] : !hw.array<2xi2>, i1
// CHECK-NEXT:  [[X0:%[0-9]+]] = comb.xor %in_data, [[W0]] : i2
// CHECK:       %pe0_match_d1 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       %pe1_match_d1 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       %first_d1 = seq.compreg
// CHECK:       %valid_d1 = seq.compreg
// CHECK:       %acc0 = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i4
// CHECK-COUNT-3: comb.icmp sge
// CHECK:       %acc1 = seq.compreg
// CHECK-COUNT-3: comb.icmp sge
// CHECK:       %out = seq.compreg {{%[0-9]+}}, %clk : i4
// CHECK:       hw.output

// SV:      // MVTU 2x4, PE 2, SIMD 2, 1 vectors: 2 cycles per frame; adder tree of 2 terms, 3 levels
// SV-NEXT: // per register stage; weights in constant arrays; latency 2 cycles
// SV-NEXT: module accel_k0_mvtu(
// SV:      reg  [3:0] acc0;
