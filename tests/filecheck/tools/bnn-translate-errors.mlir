// Broken ONNX files: one clear line each, never a traceback.

// RUN: not bnn-translate --import-onnx %t.missing.onnx 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: bnn-translate: error: {{.*}}missing.onnx: No such file or directory

// RUN: printf '' > %t.empty.onnx
// RUN: not bnn-translate --import-onnx %t.empty.onnx 2>&1 | filecheck %s --check-prefix=EMPTY
// EMPTY: bnn-translate: error: {{.*}}empty.onnx: empty file, not an ONNX model

// RUN: printf 'this is not a model at all' > %t.garbage.onnx
// RUN: not bnn-translate --import-onnx %t.garbage.onnx 2>&1 | filecheck %s --check-prefix=GARBAGE
// GARBAGE: bnn-translate: error: {{.*}}garbage.onnx: not a valid ONNX model ({{.*}})
// GARBAGE-NOT: Traceback

// RUN: %python -c "import onnx, onnx.parser; m = onnx.parser.parse_model(open('%S/../frontend/onnx/gemm_affine.onnxtxt').read()); open('%t.whole.onnx', 'wb').write(m.SerializeToString())"
// RUN: head -c 60 %t.whole.onnx > %t.truncated.onnx
// RUN: not bnn-translate --import-onnx %t.truncated.onnx 2>&1 | filecheck %s --check-prefix=TRUNCATED
// TRUNCATED: bnn-translate: error: {{.*}}truncated.onnx: not a valid ONNX model ({{.*}})

// The whole file imports, and -o writes the module.
// RUN: bnn-translate --import-onnx %t.whole.onnx --input-type bipolar -o %t.out.mlir
// RUN: filecheck %s --check-prefix=WHOLE --input-file %t.out.mlir
// WHOLE: bnn.dense

// RUN: not bnn-translate 2>&1 | filecheck %s --check-prefix=USAGE
// USAGE: bnn-translate: error: one of the arguments --import-onnx --emit-report --emit-hls --emit-circt --emit-verilog is required

// An option of another translation is an error, not silently ignored.
// RUN: not bnn-translate %s --emit-hls --format json 2>&1 | filecheck %s --check-prefix=FORMAT
// FORMAT: bnn-translate: error: --format: applies to --emit-report, not --emit-hls
// RUN: not bnn-translate %s --emit-report --input-type ui8 2>&1 | filecheck %s --check-prefix=INPUT-TYPE
// INPUT-TYPE: bnn-translate: error: --input-type: applies to --import-onnx, not --emit-report
