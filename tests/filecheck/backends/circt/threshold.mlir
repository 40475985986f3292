// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=100},bnn-to-hwstream' -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-circt | filecheck %s
// RUN: bnn-translate %t.mlir --emit-verilog -o %t.d && filecheck %s --check-prefix=SV --input-file %t.d/accel_k4_threshold.sv
// A pool of accumulators followed by a falling (negative-scale) threshold: a standalone
// threshold unit on signed 32-bit lanes, channel 1 compared with <=.
func.func @main(%x: tensor<?x1x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %w = bnn.constant bits<"0xD5"> : tensor<2x1x2x2xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64} : tensor<?x1x4x4xi1>, tensor<2x1x2x2xi1> -> tensor<?x2x4x4xsi32>
  %p = bnn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xsi32> -> tensor<?x2x2x2xsi32>
  %b = bnn.threshold %p {thresholds = dense<[[0], [-1]]> : tensor<2x1xsi32>, descending = array<i64: 1>} : tensor<?x2x2x2xsi32> -> tensor<?x2x2x2xi1>
  func.return %b : tensor<?x2x2x2xi1>
}

// One word of 2 lanes a cycle; per lane a >= comparison (channel 0) or a <= / >= pair selected
// by the channel's falling flag (channel 1), on the 32-bit signed lanes extended to 34 bits.
// CHECK-LABEL: hw.module @accel_k4_threshold(in %clk: !seq.clock, in %rst: i1, in %in_data: i64, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i2, out out_valid: i1) attributes {comment = "threshold: 4 x 2 values, PE 2: 4 cycles per frame"}
// CHECK:       %nf = seq.compreg
// CHECK:       comb.icmp sge {{%[0-9]+}}, {{%[0-9]+}} : i34
// CHECK:       comb.icmp sle {{%[0-9]+}}, {{%[0-9]+}} : i34
// CHECK-NEXT:  comb.icmp sge {{%[0-9]+}}, {{%[0-9]+}} : i34
// CHECK:       %out = seq.compreg {{%[0-9]+}}, %clk : i2

// SV:      // threshold: 4 x 2 values, PE 2: 4 cycles per frame
// SV-NEXT: module accel_k4_threshold(
// SV:      input  [63:0] in_data,
