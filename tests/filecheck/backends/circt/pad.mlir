// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_pad.sv
// +1 padding (bit 1) of a bipolar 3x3 map with 4 channels, 2 per word: top 1, left 0,
// bottom 2, right 1.
func.func @main(%x: tensor<?x4x3x3xi1>) -> tensor<?x4x6x4xi1> {
  %y = hwstream.instance @accel(%x) : tensor<?x4x3x3xi1> -> tensor<?x4x6x4xi1>
  func.return %y : tensor<?x4x6x4xi1>
}
hwstream.design @accel attributes {input_type = tensor<?x4x3x3xi1>, output_type = tensor<?x4x6x4xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %p = hwstream.pad %in {channels = 4 : i64, height = 3 : i64, width = 3 : i64, simd = 2 : i64, bits = 1 : i64, pads = array<i64: 1, 0, 2, 1>, value = 1 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %p : !hwstream.stream<2>
}

// One iteration per output word (48 per frame); (sf, x, y) count the output positions, an
// input word is read inside the map and the fill word (both lanes 1) written outside it.
// CHECK-LABEL: hw.module @accel_k0_pad(in %clk: !seq.clock, in %rst: i1, in %in_data: i2, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i2, out out_valid: i1) attributes {comment = "pad 3x3x4 by [1, 0, 2, 1] with 1: 48 cycles per frame"}
// CHECK:       %sf = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i1
// CHECK:       %x = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i2
// CHECK:       %y = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i3
// CHECK:       [[FILL:%[0-9]+]] = comb.concat [[ONE:%[a-z0-9]+]], [[ONE]] : i1, i1
// CHECK-NEXT:  {{%[0-9]+}} = comb.mux {{%[0-9]+}}, %in_data, [[FILL]] : i2
// The registered output queue: latency 0, two words.
// CHECK:       %queue_word0 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       %queue_word1 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       hw.output
// The top: the port adapters (a pixel of 4 lanes in a byte) around the kernel.
// CHECK-LABEL: hw.module @accel_top(
// CHECK-SAME:  out stream_valid: i3, out stream_ready: i3)
// CHECK:       hw.instance "u0" @accel_input_adapter(
// CHECK-NEXT:  hw.instance "u1" @accel_k0_pad(clk: %clk: !seq.clock, rst: %rst: i1, in_data: %u0_out_data: i2, in_valid: %u0_out_valid: i1, out_ready: %u2_in_ready: i1)
// CHECK-NEXT:  hw.instance "u2" @accel_output_adapter(

// SV:      // pad 3x3x4 by [1, 0, 2, 1] with 1: 48 cycles per frame
// SV-NEXT: module accel_k0_pad(
// SV:      always_ff @(posedge clk) begin
// SV:      endmodule
