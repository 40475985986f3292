// An ONNX model where a module is read names the command that imports it; the model may come
// before --import-onnx, as the emitters' input does.
// RUN: not bnn-run %S/../../../bnnir/examples/tiny_cnv.onnx --input %S/../../../bnnir/examples/tiny_cnv_input.npy 2>&1 | filecheck %s --check-prefix=EXEC
// EXEC-NOT: not a UTF-8
// EXEC:      bnn-run: error: {{.*}}tiny_cnv.onnx: is an ONNX model; import it first: bnn-translate --import-onnx {{.*}}tiny_cnv.onnx -o MODEL.mlir (or compile it: bnn-compile {{.*}}tiny_cnv.onnx -o BUILD)
// RUN: not bnn-opt %S/../../../bnnir/examples/tiny_cnv.onnx -p cse 2>&1 | filecheck %s --check-prefix=OPT
// OPT:       bnn-opt: error: {{.*}}tiny_cnv.onnx: is an ONNX model; import it first: bnn-translate --import-onnx
// RUN: not bnn-translate %S/../../../bnnir/examples/tiny_cnv.onnx --emit-hls 2>&1 | filecheck %s --check-prefix=EMIT
// EMIT:      bnn-translate: error: {{.*}}tiny_cnv.onnx: is an ONNX model; import it first: bnn-translate --import-onnx

// RUN: bnn-translate %S/../../../bnnir/examples/tiny_cnv.onnx --import-onnx --input-type ui8 | filecheck %s --check-prefix=AFTER
// RUN: bnn-translate --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx --input-type ui8 | filecheck %s --check-prefix=AFTER
// AFTER:     func.func @main(%x: tensor<?x3x8x8xui8>
// RUN: not bnn-translate --import-onnx 2>&1 | filecheck %s --check-prefix=NOFILE
// NOFILE:    bnn-translate: error: --import-onnx: needs the model file: bnn-translate --import-onnx MODEL.onnx
// RUN: not bnn-translate %s --import-onnx 2>&1 | filecheck %s --check-prefix=MLIR
// MLIR:      bnn-translate: error: {{.*}}onnx-hints.mlir: is an MLIR module, not an ONNX model; --import-onnx reads .onnx files
// RUN: not bnn-translate %s --import-onnx %S/../../../bnnir/examples/tiny_cnv.onnx 2>&1 | filecheck %s --check-prefix=TWO
// TWO:       bnn-translate: error: {{.*}}onnx-hints.mlir: unexpected second input file with --import-onnx {{.*}}tiny_cnv.onnx
