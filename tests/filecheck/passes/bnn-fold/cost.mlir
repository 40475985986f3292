// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100 cost=measured}' | filecheck %s
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100 cost=measured}' | bnn-translate --emit-report /dev/stdin | filecheck %s --check-prefix=REPORT
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100 cost=measured}' | bnn-translate --emit-report --format json /dev/stdin | filecheck %s --check-prefix=JSON
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100 cost=finn}' | filecheck %s --check-prefix=FINN
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000000 cost=vivado}' 2>&1 | filecheck %s --check-prefix=BAD

// conv.mlir's network (an exact-padded conv, a pool, a dense layer, a label select) folded for
// 1 Mfps at 100 MHz under the measured cost model: LUTs and BRAM18s from the formulas fitted to
// yosys (bnnir/analysis/measured_costs.py), cycles as before. The measured model prices the
// sliding window by its line buffers, whose words SIMD 2 halves, and no fixed 300 LUTs per
// window and MVTU: the cheapest folding within 100 cycles is now the fastest one, window SIMD
// 2 and PE = SIMD = 2 (44 cycles, 417 LUTs), where FINN's model picks window SIMD 1, PE 2,
// SIMD 1 (88 cycles, 1187 LUTs, conv.mlir). The module and the report say which model they
// use; under cost=finn (the default) the module does not, and its figures are conv.mlir's.
func.func @main(%x: tensor<?x2x3x3xi1>) -> tensor<?x1xsi64> {
  %w = bnn.constant bits<"0x5AA5"> : tensor<2x2x2x2xi1>
  %a = bnn.conv2d %x, %w {onnx_node = "conv0", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, pad_value = -1 : i64, correction = dense<[[[[[0, 0], [1, -1]]], [[[-1, 1], [2, 0]]]]]> : tensor<1x2x1x2x2xsi32>, thresholds = dense<[[1], [0]]> : tensor<2x1xsi32>, descending = array<i64: 1>} : tensor<?x2x3x3xi1>, tensor<2x2x2x2xi1> -> tensor<?x2x3x3xi1>
  %p = bnn.max_pool %a {onnx_node = "pool0", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x3x3xi1> -> tensor<?x2x1x1xi1>
  %f = bnn.flatten %p : tensor<?x2x1x1xi1> -> tensor<?x2xi1>
  %v = bnn.constant bits<"0x0B"> : tensor<4x2xi1>
  %y = bnn.dense %f, %v {onnx_node = "fc0"} : tensor<?x2xi1>, tensor<4x2xi1> -> tensor<?x4xsi32>
  %l = bnn.arg_max %y {onnx_node = "top"} : tensor<?x4xsi32> -> tensor<?x1xsi64>
  func.return %l : tensor<?x1xsi64>
}

// CHECK:      builtin.module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 2272727.2, max_cycles = 44, bottleneck = "conv0", luts = 417, brams = 0, ideal_cycles = 25.333>, bnn.cost_model = "measured"}
// CHECK:      bnn.conv2d {{.*}}fold = #bnn.fold<pe = 2, simd = 2, window_simd = 2, cycles = 44, luts = 197, brams = 0>
// CHECK:      bnn.max_pool {{.*}}fold = #bnn.fold<cycles = 9, luts = 47, brams = 0>
// CHECK:      bnn.dense {{.*}}fold = #bnn.fold<pe = 1, simd = 2, cycles = 4, luts = 59, brams = 0>
// CHECK:      bnn.arg_max {{.*}}fold = #bnn.fold<pe = 1, cycles = 4, luts = 114, brams = 0>

// The label select is not calibrated: FINN's model's 114 LUTs, as in conv.mlir.
// REPORT:      conv0.pad              pad          2x2x2x2 -> 2x3x3             1     2        16       24       0
// REPORT-NEXT: conv0.window           window       2x2x2x2 -> 2x3x3             1     2        44      108       0
// REPORT-NEXT: conv0.mvtu             mvtu         2x2x2x2 -> 2x3x3             2     2        36       65       0
// REPORT-NEXT: pool0.pool             pool         2x1x1                        1     2         9       47       0
// REPORT-NEXT: fc0.mvtu               mvtu         4x2 -> 4                     1     2         4       59       0
// REPORT-NEXT: top.label_select       label_select 1                            1     1         4      114       0
// REPORT:      total: 417 LUTs, 0 BRAM18s (estimated by the measured cost model (fitted to yosys synthesis of the RTL), not synthesized)

// JSON:        "total_luts": 417,
// JSON:        "estimates": "estimated by the measured cost model (fitted to yosys synthesis of the RTL), not synthesized",
// JSON:        "cost_model": "measured"

// FINN:        builtin.module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 1136363.6, max_cycles = 88, bottleneck = "conv0", luts = 1187, brams = 3, ideal_cycles = 38.0>} {
// FINN-NOT:    bnn.cost_model
// FINN:        bnn.conv2d {{.*}}fold = #bnn.fold<pe = 2, simd = 1, window_simd = 1, cycles = 88, luts = 701, brams = 3>

// BAD:         bnn-opt: error: pass 'bnn-fold': unknown cost model 'vivado'; give cost=finn or cost=measured
