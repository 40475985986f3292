// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_dwc.sv
// A width converter from 3 to 2 bipolar lanes per word (neither divides the other), then back
// from 2 to 3: 12 lanes per frame.
func.func @main(%x: tensor<?x12xi1>) -> tensor<?x12xi1> {
  %y = hwstream.instance @accel(%x) : tensor<?x12xi1> -> tensor<?x12xi1>
  func.return %y : tensor<?x12xi1>
}
hwstream.design @accel attributes {input_type = tensor<?x12xi1>, output_type = tensor<?x12xi1>, input_lanes = 3 : i64, output_lanes = 3 : i64} {
^bb0(%in: !hwstream.stream<3>):
  %n = hwstream.dwc %in {in_lanes = 3 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 4 : i64} : !hwstream.stream<3> -> !hwstream.stream<2>
  %w = hwstream.dwc %n {in_lanes = 2 : i64, out_lanes = 3 : i64, bits = 1 : i64, words = 6 : i64} : !hwstream.stream<2> -> !hwstream.stream<3>
  hwstream.yield %w : !hwstream.stream<3>
}

// Narrowing 3 -> 2: every iteration writes, reading when fewer than 2 lanes are held; the
// variable shifts are selects among constant shifts (array_create), not barrel shifters.
// CHECK-LABEL: hw.module @accel_k0_dwc(in %clk: !seq.clock, in %rst: i1, in %in_data: i3, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i2, out out_valid: i1) attributes {comment = "width converter 3 -> 2 lanes of 1-bit elements: 6 cycles per frame"}
// CHECK:       %held = seq.compreg {{%[0-9]+}}, %clk : i3
// CHECK-NEXT:  %avail = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2
// CHECK:       hw.array_create {{%[0-9]+}}, {{%[0-9]+}} : i3
// CHECK:       hw.output
// Widening 2 -> 3: every iteration reads, writing when the word fills.
// CHECK-LABEL: hw.module @accel_k1_dwc(
// CHECK-SAME:  attributes {comment = "width converter 2 -> 3 lanes of 1-bit elements: 6 cycles per frame"}
// CHECK:       %filled = seq.compreg {{%[0-9]+}}, %clk : i3
// CHECK-NEXT:  %fill = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2

// SV:      // width converter 3 -> 2 lanes of 1-bit elements: 6 cycles per frame
// SV-NEXT: module accel_k0_dwc(
// SV:      reg  [2:0] held;
