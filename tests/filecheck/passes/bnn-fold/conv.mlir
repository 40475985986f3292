// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100}' | filecheck %s
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1000000 clock-mhz=100}' | bnn-translate --emit-report /dev/stdin | filecheck %s --check-prefix=REPORT
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=3000000 clock-mhz=100}' 2>&1 | filecheck %s --check-prefix=INFEASIBLE
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=2272727.2 clock-mhz=100}' | filecheck %s --check-prefix=AT-BEST
// AT-BEST: max_cycles = 44

// A small conv network: an exact-padded bipolar conv (2 -> 2 channels, 2x2 kernel on a 3x3
// map: 9 vectors of 8 columns), a 3x3 pool, a dense layer and a label select. At 1 Mfps and
// 100 MHz every kernel has 100 cycles per frame. The conv's sliding window meets them at
// window SIMD 1 (4·2·2 + 3·max(3·4·2, 4·2) = 88 cycles), its MVTU needs PE·SIMD = 2 (72 cycles):
// PE 2, SIMD 1 reads the window's 1-lane words and writes the pool's 2-channel words, so no
// width converter is needed, where PE 1, SIMD 2 would need two. The dense layer reads the
// pool's 2-lane words at SIMD 2, and the label select its 1-lane words at PE 1: no converter.
// 3 Mfps (33 cycles) is out of reach: the window takes 44 cycles at its widest, SIMD 2.
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

// CHECK:      bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 1136363.6, max_cycles = 88, bottleneck = "conv0", luts = 1187, brams = 3, ideal_cycles = 38.0>
// CHECK:      bnn.conv2d {{.*}}fold = #bnn.fold<pe = 2, simd = 1, window_simd = 1, cycles = 88, luts = 701, brams = 3>
// CHECK:      bnn.max_pool {{.*}}fold = #bnn.fold<cycles = 9, luts = 55, brams = 0>
// CHECK:      bnn.dense {{.*}}fold = #bnn.fold<pe = 1, simd = 2, cycles = 4, luts = 317, brams = 0>
// CHECK:      bnn.arg_max {{.*}}fold = #bnn.fold<pe = 1, cycles = 4, luts = 114, brams = 0>

// REPORT:      conv0.pad    pad    {{.*}} 1 1 32
// REPORT-NEXT: conv0.window window {{.*}} 1 1 88
// REPORT-NEXT: conv0.mvtu   mvtu   {{.*}} 2 1 72
// REPORT-NEXT: pool0.pool   pool   {{.*}} 1 2 9
// REPORT-NEXT: fc0.mvtu     mvtu   {{.*}} 1 2 4
// REPORT-NEXT: top.label_select label_select {{.*}} 1 1 4
// REPORT:      total: 1187 LUTs, 3 BRAM18s

// The best fps is rounded down (2272727.27...), so that asking for the printed figure succeeds.
// INFEASIBLE: bnn-opt: error: bnn-fold: 3e+06 fps at 100 MHz allows 33 cycles per frame, but the best folding takes 44 cycles (at most 2272727.2 fps)
