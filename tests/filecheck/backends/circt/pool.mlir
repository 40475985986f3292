// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_pool.sv
// A 3x2 max-pool, strides (1, 2), pads (top 1, left 0, bottom 2, right 1), over a 5x6 map of
// 3 signed 4-bit channels (all in one word).
func.func @main(%x: tensor<?x3x5x6xsi4>) -> tensor<?x3x6x3xsi4> {
  %y = hwstream.instance @accel(%x) : tensor<?x3x5x6xsi4> -> tensor<?x3x6x3xsi4>
  func.return %y : tensor<?x3x6x3xsi4>
}
hwstream.design @accel attributes {input_type = tensor<?x3x5x6xsi4>, output_type = tensor<?x3x6x3xsi4>, input_lanes = 3 : i64, output_lanes = 3 : i64} {
^bb0(%in: !hwstream.stream<12>):
  %p = hwstream.pool %in {channels = 3 : i64, height = 5 : i64, width = 6 : i64, simd = 3 : i64, bits = 4 : i64, kernel = array<i64: 3, 2>, strides = array<i64: 1, 2>, pads = array<i64: 1, 0, 2, 1>} : !hwstream.stream<12> -> !hwstream.stream<12>
  hwstream.yield %p : !hwstream.stream<12>
}

// pool.hpp's loop over ROWS x COLS = 7 x 6 positions; which windows are due, and which taps and
// row buffers they take, are ROMs over the column and row counters; the lanes are compared as
// signed 4-bit integers; KH x OW = 9 row-buffer words.
// CHECK-LABEL: hw.module @accel_k0_pool(in %clk: !seq.clock, in %rst: i1, in %in_data: i12, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i12, out out_valid: i1) attributes {comment = "max pool 3x2 stride [1, 2] pads [1, 0, 2, 1] over 5x6x3: 42 cycles per frame"}
// CHECK:       %x = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i3
// CHECK:       %y = seq.compreg {{%[0-9]+}}, %clk reset %rst, {{%[0-9]+}} : i3
// CHECK:       hw.array_create {{.*}} : i1
// CHECK:       %tap0 = seq.compreg {{%[0-9]+}}, %clk : i12
// CHECK-NEXT:  %tap1 = seq.compreg {{%[0-9]+}}, %clk : i12
// CHECK:       comb.icmp sge {{%[0-9]+}}, {{%[0-9]+}} : i4
// CHECK:       %row0 = seq.compreg {{%[0-9]+}}, %clk : i12
// CHECK:       %row8 = seq.compreg {{%[0-9]+}}, %clk : i12
// CHECK-NOT:   %row9 =
// CHECK:       %out = seq.compreg {{%[0-9]+}}, %clk : i12
// CHECK:       hw.output

// SV:      // max pool 3x2 stride [1, 2] pads [1, 0, 2, 1] over 5x6x3: 42 cycles per frame
// SV-NEXT: module accel_k0_pool(
// SV:      always_ff @(posedge clk)
