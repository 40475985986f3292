// The FIFOs count in the module's bnn.fold totals, as in the report: bnn-fold made the totals
// without them. Re-sizing (min-depth=8 puts a FIFO on every stream) updates them again.
// RUN: bnn-translate --import-onnx %S/../../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 | bnn-opt -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=20000 clock-mhz=100},bnn-to-hwstream' -o %t.streaming.mlir
// RUN: bnn-opt %t.streaming.mlir -p hwstream-size-fifos -o %t.sized.mlir
// RUN: bnn-opt %t.sized.mlir -p 'hwstream-size-fifos{min-depth=8}' -o %t.deep.mlir
// RUN: %python %s.check.py %t.streaming.mlir %t.sized.mlir %t.deep.mlir | filecheck %s
// CHECK: without FIFOs: 0 FIFOs; bnn.fold totals = report totals
// CHECK: sized: {{[1-9][0-9]*}} FIFOs; bnn.fold totals = report totals
// CHECK: deep: {{[1-9][0-9]*}} FIFOs; bnn.fold totals = report totals
