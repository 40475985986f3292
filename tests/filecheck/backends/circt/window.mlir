// RUN: bnn-translate %s --emit-circt -o %t.mlir && filecheck %s --input-file %t.mlir
// RUN: rm -rf %t %t.again && bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_window.sv
// The same input gives byte-identical MLIR and SystemVerilog.
// RUN: bnn-translate %s --emit-circt | diff - %t.mlir
// RUN: bnn-translate %s --emit-verilog -o %t.again && diff -r %t %t.again
// A 3x2 window with strides (2, 1) over a 5x6 map of 4 unsigned 4-bit channels, 2 per word.
func.func @main(%x: tensor<?x4x5x6xui4>) -> tensor<?x4x2x30xui4> {
  %y = hwstream.instance @accel(%x) : tensor<?x4x5x6xui4> -> tensor<?x4x2x30xui4>
  func.return %y : tensor<?x4x2x30xui4>
}
hwstream.design @accel attributes {input_type = tensor<?x4x5x6xui4>, output_type = tensor<?x4x2x30xui4>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %w = hwstream.window %in {channels = 4 : i64, height = 5 : i64, width = 6 : i64, simd = 2 : i64, bits = 4 : i64, kernel = array<i64: 3, 2>, strides = array<i64: 2, 1>} : !hwstream.stream<8> -> !hwstream.stream<8>
  hwstream.yield %w : !hwstream.stream<8>
}

// window.hpp's loop: FILL + OH * BLOCK = 36 + 2 * 60 iterations per frame, a ring of KH + SH = 5
// line buffers of W * FOLDS = 12 words (registers), the word written registered (latency 1).
// CHECK-LABEL: hw.module @accel_k0_window(in %clk: !seq.clock, in %rst: i1, in %in_data: i8, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i8, out out_valid: i1) attributes {comment = "sliding window 3x2 stride 2x1 over 5x6x4, SIMD 2: 156 cycles per frame; 5 line buffers"}
// CHECK:       %i = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i8
// CHECK:       %read_row = seq.compreg
// CHECK:       %k = seq.compreg
// CHECK:       %issue_d1 = seq.compreg
// CHECK:       %read_slot = seq.compreg
// CHECK:       %ky = seq.compreg
// CHECK:       %top = seq.compreg
// CHECK:       %line0 = seq.compreg {{%[0-9]+}}, %clk : i8
// CHECK:       %line59 = seq.compreg {{%[0-9]+}}, %clk : i8
// CHECK-NOT:   %line60 =
// CHECK:       %out = seq.compreg {{%[0-9]+}}, %clk : i8
// CHECK:       hw.output

// SV:      // sliding window 3x2 stride 2x1 over 5x6x4, SIMD 2: 156 cycles per frame; 5 line buffers
// SV-NEXT: module accel_k0_window(
// SV:      reg  [7:0]   line59;
// SV:      endmodule
