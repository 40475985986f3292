// bnn-opt --help lists every pass with its summary and options (types, defaults), derived from
// the pass classes, and MLIR's --pass-pipeline; xDSL's options that mean nothing here are hidden.
// RUN: bnn-opt --help | filecheck %s
// CHECK:      --pass-pipeline 'builtin.module(a,b{option=value ...})'
// CHECK:      --help-pass NAME
// CHECK:      passes (-p
// CHECK-NEXT:   bnn-threshold-fusion    binarizing and quantizing activations become integer thresholds
// CHECK:        bnn-fold                choose every streaming unit's parallelism (PE, SIMD)
// CHECK-NEXT:                           a budget
// CHECK-NEXT:       target-fps=<number> (default none) frames per second to reach
// CHECK-NEXT:       max-luts=<integer> (default none)
// CHECK-NEXT:       clock-mhz=<number> (default 200)
// CHECK:        hwstream-size-fifos
// CHECK:            min-depth=<integer> (default 2)
// CHECK:        cse                     xDSL's common subexpression elimination
// RUN: bnn-opt --help | filecheck %s --check-prefix=HIDDEN
// HIDDEN-NOT: --shrink
// HIDDEN-NOT: --frontend

// --help-pass NAME: the options with their meaning, then the pass's guarantee.
// RUN: bnn-opt --help-pass bnn-fold | filecheck %s --check-prefix=DETAIL
// DETAIL:      bnn-fold: choose every streaming unit's parallelism (PE, SIMD) for a throughput or a budget
// DETAIL:      options:
// DETAIL-NEXT:   target-fps=<a number> (default none)
// DETAIL-NEXT:       frames per second to reach
// DETAIL:      A folding file (JSON
// RUN: not bnn-opt --help-pass bnn-nope 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: bnn-opt: error: --help-pass: unknown pass 'bnn-nope'; available: bnn-threshold-fusion, {{.*}} (see bnn-opt --help)

// The emitters are xDSL targets too: -t bnn-report, -t bnn-hls.
// RUN: bnn-translate --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 | bnn-opt -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=20000 clock-mhz=100}' -t 'bnn-report{format=json}' | filecheck %s --check-prefix=REPORT
// REPORT: "max_cycles": 4848
// RUN: bnn-translate --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 | bnn-opt -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=20000 clock-mhz=100},bnn-to-hwstream' -t bnn-hls | filecheck %s --check-prefix=HLS
// HLS: void accel(
// RUN: not bnn-opt %s -t 'bnn-report{format=xml}' 2>&1 | filecheck %s --check-prefix=FORMAT
// FORMAT: bnn-opt: error: bnn-report: unknown format 'xml'; use text, json, svg
// RUN: not bnn-opt %s -t nope 2>&1 | filecheck %s --check-prefix=NOTARGET
// NOTARGET: bnn-opt: error: argument -t/--target: invalid choice: 'nope' (choose from mlir, bnn-hls, bnn-report) (see bnn-opt --help)
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  func.return %x : tensor<?x4xi1>
}
