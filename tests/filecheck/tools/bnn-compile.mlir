// The whole flow in one command, checking every stage against the first on an input batch.
// RUN: rm -rf %t.build
// RUN: bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.build --input-type ui8 --target-fps 20000 --clock-mhz 100 --verify %S/../../../bnnir/examples/tiny_cnv_input.npy | filecheck %s
// RUN: ls %t.build | filecheck %s --check-prefix=FILES
// RUN: %python -c "import json; r = json.load(open('%t.build/report.json')); assert r['fps'] >= 20000, r['fps']"
// RUN: not bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.none --input-type ui8 2>&1 | filecheck %s --check-prefix=NOFOLD
// RUN: not bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.fast --input-type ui8 --target-fps 1e9 2>&1 | filecheck %s --check-prefix=FAST

// CHECK: bnn-compile: 2-hardware.mlir: outputs unchanged
// CHECK: bnn-compile: 3-folded.mlir: outputs unchanged
// CHECK: bnn-compile: 4-streaming.mlir: outputs unchanged
// CHECK: bnn-compile: hls: outputs unchanged (csim)
// CHECK: throughput: 20627.1 fps at 100 MHz
// CHECK: bnn-compile: wrote
// FILES: 1-imported.mlir
// FILES: 2-hardware.mlir
// FILES: 3-folded.mlir
// FILES: 4-streaming.mlir
// FILES: hls
// FILES: report.json
// FILES: report.txt
// NOFOLD: bnn-compile: error: options: give --target-fps, --max-luts or --part to choose a folding
// FAST: bnn-compile: error: bnn-fold: 1e+09 fps at 200 MHz allows less than one cycle per frame, but the best folding takes 606
