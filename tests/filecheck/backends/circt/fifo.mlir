// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_fifo.sv
// A FIFO of 3 words of 2 unsigned 2-bit lanes.
func.func @main(%x: tensor<?x4xui2>) -> tensor<?x4xui2> {
  %y = hwstream.instance @accel(%x) : tensor<?x4xui2> -> tensor<?x4xui2>
  func.return %y : tensor<?x4xui2>
}
hwstream.design @accel attributes {input_type = tensor<?x4xui2>, output_type = tensor<?x4xui2>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 3 : i64, lanes = 2 : i64, bits = 2 : i64, words = 2 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %f : !hwstream.stream<4>
}

// Three words of registers; ready while it holds fewer than 3 (its own count register).
// CHECK-LABEL: hw.module @accel_k0_fifo(in %clk: !seq.clock, in %rst: i1, in %in_data: i4, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i4, out out_valid: i1) attributes {comment = "FIFO of 3 words of 4 bits"}
// CHECK:       %fifo_count = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2
// CHECK:       [[ROOM:%[0-9]+]] = comb.icmp ult %fifo_count, {{%[0-9]+}} : i2
// CHECK:       %fifo_word0 = seq.compreg {{%[0-9]+}}, %clk : i4
// CHECK:       %fifo_word2 = seq.compreg {{%[0-9]+}}, %clk : i4
// CHECK-NOT:   %fifo_word3
// CHECK:       hw.output [[ROOM]], {{%[0-9]+}}, {{%[0-9]+}} : i1, i4, i1

// SV:      // FIFO of 3 words of 4 bits
// SV-NEXT: module accel_k0_fifo(
// SV:      reg  [3:0] fifo_word2;
