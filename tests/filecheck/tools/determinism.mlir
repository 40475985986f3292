// The same input gives byte-identical output at every stage.
// RUN: bnn-translate --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 -o %t.a.mlir
// RUN: bnn-translate --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 -o %t.b.mlir
// RUN: diff %t.a.mlir %t.b.mlir
// RUN: bnn-opt %t.a.mlir -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=5000 clock-mhz=100},bnn-to-hwstream,hwstream-size-fifos' -o %t.c.mlir
// RUN: bnn-opt %t.b.mlir -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=5000 clock-mhz=100},bnn-to-hwstream,hwstream-size-fifos' -o %t.d.mlir
// RUN: diff %t.c.mlir %t.d.mlir
// RUN: bnn-translate %t.c.mlir --emit-report --format json > %t.e.json
// RUN: bnn-translate %t.d.mlir --emit-report --format json > %t.f.json
// RUN: diff %t.e.json %t.f.json
// RUN: bnn-opt %t.c.mlir | diff - %t.c.mlir
// bnn-compile's stage files are what bnn-opt prints for the same passes, byte for byte.
// RUN: rm -rf %t.build && bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.build --input-type ui8 --target-fps 5000 --clock-mhz 100
// RUN: diff %t.build/1-imported.mlir %t.a.mlir
// RUN: bnn-opt %t.a.mlir -p 'bnn-threshold-fusion,bnn-legalize-padding' | diff - %t.build/2-hardware.mlir
// RUN: diff %t.build/4-streaming.mlir %t.c.mlir
