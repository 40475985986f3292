// A fold attribute written by hand is checked as bnn-fold's are: each of the layer's parameters
// as an integer, and a legal folding; the error names the layer.
// RUN: sed 's/FOLD/{pe = 2 : i64}/' %s > %t.missing.mlir
// RUN: not bnn-opt %t.missing.mlir -p bnn-to-hwstream 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: sed 's/FOLD/{pe = 2 : i64, simd = 1.0 : f64}/' %s > %t.float.mlir
// RUN: not bnn-opt %t.float.mlir -p bnn-to-hwstream 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: sed 's/FOLD/{pe = 3 : i64, simd = 1 : i64}/' %s > %t.illegal.mlir
// RUN: not bnn-opt %t.illegal.mlir -p bnn-to-hwstream 2>&1 | filecheck %s --check-prefix=ILLEGAL
// RUN: sed 's/FOLD/{pe = 0 : i64, simd = 1 : i64}/' %s > %t.zero.mlir
// RUN: not bnn-opt %t.zero.mlir -p bnn-to-hwstream 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: sed 's/FOLD/"fast"/' %s > %t.none.mlir
// RUN: not bnn-opt %t.none.mlir -p bnn-to-hwstream 2>&1 | filecheck %s --check-prefix=NONE
// RUN: not bnn-translate %t.illegal.mlir --emit-report 2>&1 | filecheck %s --check-prefix=REPORT
// RUN: not bnn-opt %t.illegal.mlir -p 'bnn-to-hwstream{design=""}' 2>&1 | filecheck %s --check-prefix=DESIGN

module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 1.0, max_cycles = 1, bottleneck = "fc0", luts = 1, brams = 0, ideal_cycles = 1.0>} {
  func.func @main(%x: tensor<?x2xi1>) -> tensor<?x4xsi32> {
    %v = bnn.constant bits<"0x0B"> : tensor<4x2xi1>
    %y = bnn.dense %x, %v {onnx_node = "fc0", fold = FOLD} : tensor<?x2xi1>, tensor<4x2xi1> -> tensor<?x4xsi32>
    func.return %y : tensor<?x4xsi32>
  }
}

// MISSING: bnn-opt: error: bnn-to-hwstream: layer 'fc0': its fold must give pe, simd as integers; simd is missing or not one
// ILLEGAL: bnn-opt: error: bnn-to-hwstream: layer 'fc0': folding {"pe": 3, "simd": 1} is not legal (PE must divide the output channels, SIMD the columns and window SIMD the input channels)
// ZERO:    bnn-opt: error: bnn-to-hwstream: layer 'fc0': folding {"pe": 0, "simd": 1} is not legal
// NONE:    bnn-opt: error: bnn-to-hwstream: layer 'fc0' has no folding; run bnn-fold first
// REPORT:  bnn-translate: error: --emit-report: layer 'fc0': folding {"pe": 3, "simd": 1} is not legal
// DESIGN:  bnn-opt: error: bnn-to-hwstream: design must be a symbol name, got an empty one
