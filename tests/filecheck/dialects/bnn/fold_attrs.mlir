// RUN: bnn-opt %s | filecheck %s
// RUN: bnn-opt %s | bnn-opt | filecheck %s
// RUN: bnn-opt %s --print-op-generic | bnn-opt | filecheck %s

// The folding attributes bnn-fold writes print and parse in MLIR syntax.

module attributes {bnn.fold = #bnn.fold_summary<part = "xcku115", clock_mhz = 200.0, fps = 1136363.6, max_cycles = 176, bottleneck = "conv0", luts = 1187, brams = 3, ideal_cycles = 1.0e+300>} {
  func.func @main(%x: tensor<?x2xi1>) -> tensor<?x4xsi32> {
    %v = bnn.constant bits<"0x0B"> : tensor<4x2xi1>
    %y = bnn.dense %x, %v {onnx_node = "fc0", fold = #bnn.fold<pe = 2, simd = 1, cycles = 4, luts = 317, brams = 0>} : tensor<?x2xi1>, tensor<4x2xi1> -> tensor<?x4xsi32>
    %r = bnn.reshape %y {fold = #bnn.fold<>} : tensor<?x4xsi32> -> tensor<?x4x1x1xsi32>
    %m = bnn.max_pool %r {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x1x1xsi32> -> tensor<?x4x1x1xsi32>
    func.return %y : tensor<?x4xsi32>
  }
}

// CHECK:      builtin.module attributes {bnn.fold = #bnn.fold_summary<part = "xcku115", clock_mhz = 200.0, fps = 1136363.6, max_cycles = 176, bottleneck = "conv0", luts = 1187, brams = 3, ideal_cycles = 1.0e+300>} {
// CHECK:        fold = #bnn.fold<pe = 2, simd = 1, cycles = 4, luts = 317, brams = 0>
// CHECK:        fold = #bnn.fold<>
