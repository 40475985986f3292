// RUN: bnn-translate %s --emit-circt | filecheck %s
// Width converters whose lane counts share a factor g = gcd(in, out) > 1 move lanes in groups of
// g: their counters count groups, and a variable shift selects among out / g constant shifts
// (a 128 -> 1152 lane converter: 9, not 1152). 60 lanes per frame through 6 -> 4 -> 10 -> 2 -> 6.
func.func @main(%x: tensor<?x60xi1>) -> tensor<?x60xi1> {
  %y = hwstream.instance @accel(%x) : tensor<?x60xi1> -> tensor<?x60xi1>
  func.return %y : tensor<?x60xi1>
}
hwstream.design @accel attributes {input_type = tensor<?x60xi1>, output_type = tensor<?x60xi1>, input_lanes = 6 : i64, output_lanes = 6 : i64} {
^bb0(%in: !hwstream.stream<6>):
  %a = hwstream.dwc %in {in_lanes = 6 : i64, out_lanes = 4 : i64, bits = 1 : i64, words = 10 : i64} : !hwstream.stream<6> -> !hwstream.stream<4>
  %b = hwstream.dwc %a {in_lanes = 4 : i64, out_lanes = 10 : i64, bits = 1 : i64, words = 15 : i64} : !hwstream.stream<4> -> !hwstream.stream<10>
  %c = hwstream.dwc %b {in_lanes = 10 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 6 : i64} : !hwstream.stream<10> -> !hwstream.stream<2>
  %d = hwstream.dwc %c {in_lanes = 2 : i64, out_lanes = 6 : i64, bits = 1 : i64, words = 30 : i64} : !hwstream.stream<2> -> !hwstream.stream<6>
  hwstream.yield %d : !hwstream.stream<6>
}

// Narrowing 6 -> 4 (g = 2): up to 3 groups held, a shift among 2 positions.
// CHECK-LABEL: hw.module @accel_k0_dwc(
// CHECK:       %avail = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2
// CHECK:       hw.array_create {{%[0-9]+}}, {{%[0-9]+}} : i6
// Widening 4 -> 10 (g = 2): 0 to 4 groups filled (3 bits), shifts among 5 positions (the
// select's 8 entries repeat the last).
// CHECK-LABEL: hw.module @accel_k1_dwc(
// CHECK:       %fill = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i3
// CHECK-NOT:   hw.module
// CHECK:       hw.array_create [[PAD:%[0-9]+]], [[PAD]], [[PAD]], [[PAD]], {{%[0-9]+}}, {{%[0-9]+}}, {{%[0-9]+}}, {{%[0-9]+}} : i10
// Narrowing 10 -> 2 divides: no shift. Widening 2 -> 6 (g = 2): 0 to 2 groups filled.
// CHECK-LABEL: hw.module @accel_k2_dwc(
// CHECK-LABEL: hw.module @accel_k3_dwc(
// CHECK:       %fill = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2
