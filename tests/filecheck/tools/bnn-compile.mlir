// The whole flow in one command, checking every stage against the first on an input batch.
// RUN: rm -rf %t.build
// RUN: bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.build --input-type ui8 --target-fps 20000 --clock-mhz 100 --verify %S/../../../bnnir/examples/tiny_cnv_input.npy | filecheck %s
// RUN: ls %t.build | filecheck %s --check-prefix=FILES
// RUN: cp %t.build/2-hardware.mlir %t.build.kept-2-hardware.mlir
// RUN: %python -c "import json; r = json.load(open('%t.build/report.json')); assert r['fps'] >= 20000, r['fps']"
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.none --input-type ui8 2>&1 | filecheck %s --check-prefix=NOFOLD
// RUN: not ls %t.none
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.fast --input-type ui8 --target-fps 1e9 2>&1 | filecheck %s --check-prefix=FAST
// A failed run writes nothing: no stage files of its own, none mixed into an earlier build.
// RUN: rm -rf %t.fast && not bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.fast --input-type ui8 --target-fps 1e9
// RUN: not ls %t.fast
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.build --input-type ui8 --padding minus-one --target-fps 1e9
// RUN: cmp %t.build/2-hardware.mlir %t.build.kept-2-hardware.mlir

// CHECK: bnn-compile: 2-hardware.mlir: outputs unchanged
// CHECK: bnn-compile: 3-folded.mlir: outputs unchanged
// CHECK: bnn-compile: 4-streaming.mlir: outputs unchanged
// CHECK: bnn-compile: hls: outputs unchanged (csim)
// CHECK: bnn-compile: rtl: outputs unchanged (Verilator)
// CHECK: throughput: 20627.0 fps at 100 MHz
// CHECK: bnn-compile: wrote
// FILES: 1-imported.mlir
// FILES: 2-hardware.mlir
// FILES: 3-folded.mlir
// FILES: 4-streaming.mlir
// FILES: hls
// FILES: report.json
// FILES: report.svg
// FILES: report.txt
// FILES: rtl
// NOFOLD: bnn-compile: error: options: give --target-fps, --max-luts, --max-brams, --part or --folding-file to choose a folding
// NOFOLD-NOT: {{.}}
// FAST: bnn-compile: error: bnn-fold: 1e+09 fps at 200 MHz allows less than one cycle per frame, but the best folding takes 606

// Minus-one padding changes this network's output (it was trained with zero padding): the
// fusion is checked alone, and the later stages against the padded network.
// RUN: bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.m1 --input-type ui8 --max-luts 4000 --padding minus-one --verify %S/../../../bnnir/examples/tiny_cnv_input.npy 2>&1 | filecheck %s --check-prefix=MINUS
// MINUS:      bnn-compile: 2-hardware.mlir: outputs unchanged
// MINUS:      remark: bnn.conv2d 'conv10': zero padding of a bipolar input is now -1 padding
// MINUS:      bnn-compile: 2-hardware.mlir: outputs changed by minus-one padding; the later stages are checked against them
// MINUS-NEXT: bnn-compile: 3-folded.mlir: outputs unchanged
// MINUS-NEXT: bnn-compile: 4-streaming.mlir: outputs unchanged
// bnn-fold's budget leaves out the FIFOs sized after it; the design with them is over it.
// MINUS-NEXT: bnn-compile: warning: with its FIFOs the design needs {{[0-9]+}} LUTs and {{[0-9]+}} BRAM18s, more than --max-luts 4000 allows; fold for a smaller budget (bnn-fold does not count FIFOs)
// MINUS-NEXT: bnn-compile: hls: outputs unchanged (csim)
// MINUS-NEXT: bnn-compile: rtl: outputs unchanged (Verilator)

// A folding file fixes the layers it names (FINN's spelling, with keys bnnir ignores); alone, it
// leaves the others at the fastest folding.
// RUN: echo '{"Defaults": {}, "conv10": {"PE": 2, "SIMD": 9, "ram_style": "block"}}' > %t.folding.json
// RUN: bnn-compile %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.file --input-type ui8 --folding-file %t.folding.json | filecheck %s --check-prefix=FILE
// FILE: conv10.mvtu {{ +}}mvtu {{.*}} 2 {{ +}}9 {{ +}}4096 {{ }}

// The common mistakes, each one line.
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.err --target-fps 100 2>&1 | filecheck %s --check-prefix=TYPE
// TYPE:      bnn-compile: error: {{.*}}tiny_cnv.onnx: graph input 'x' feeds Conv directly: say what it holds with --input-type ui8|si8|bipolar|binary
// TYPE-NOT:  {{.}}
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.err --input-type ui8 --target-fps 100 --verify %S/../../../bnnir/examples/tiny_cnv_expected.npy 2>&1 | filecheck %s --check-prefix=SHAPE
// SHAPE:     bnn-compile: error: {{.*}}tiny_cnv_expected.npy: shape (4, 10) does not match tensor<?x3x8x8xui8> (the model's input)
// SHAPE-NOT: {{.}}
// RUN: env CXX=no-such-compiler not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.err --input-type ui8 --target-fps 100 --verify %S/../../../bnnir/examples/tiny_cnv_input.npy 2>&1 | filecheck %s --check-prefix=CXX
// CXX:       bnn-compile: 4-streaming.mlir: outputs unchanged
// CXX:       bnn-compile: error: C simulation: needs a C++ compiler: no-such-compiler not found (install g++, or set CXX to a compiler command)
// CXX-NOT:   {{.}}
// RUN: touch %t.file-not-folder
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.file-not-folder --input-type ui8 --target-fps 100 2>&1 | filecheck %s --check-prefix=FOLDER
// FOLDER:     bnn-compile: error: {{.*}}file-not-folder: is a file; -o names the build folder to write
// FOLDER-NOT: {{.}}

// --part takes a board's name too: the board's part bounds the folding, is hls.tcl's part and
// the report's target. An unknown name is a usage error listing the known ones.
// RUN: rm -rf %t.pynq && bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.pynq --input-type ui8 --target-fps 20000 --part PYNQ-Z2 | filecheck %s --check-prefix=BOARD
// RUN: filecheck %s --check-prefix=TCL < %t.pynq/hls/hls.tcl
// BOARD: target: part xc7z020clg400-1, clock 200 MHz
// TCL:   set_part {xc7z020clg400-1}
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.nopart --input-type ui8 --part PYNQ-Z9 2>&1 | filecheck %s --check-prefix=NOPART
// NOPART: bnn-compile: error: argument --part: unknown part or board 'PYNQ-Z9'; known parts xc7z020, {{.*}}; boards ADM-PCIE-8K5, PYNQ-Z1, PYNQ-Z2,
// A custom device: its LUTs and BRAM18s (--max-luts, --max-brams) bound the folding.
// RUN: not bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.small --input-type ui8 --max-luts 6000 --max-brams 8 2>&1 | filecheck %s --check-prefix=CUSTOM
// CUSTOM: bnn-compile: error: bnn-fold: no folding fits 6000 LUTs and 8 BRAM18s; the smallest needs 2897 LUTs and 17 BRAM18s
// RUN: rm -rf %t.custom && bnn-compile --quiet %S/../../../bnnir/examples/tiny_cnv.onnx -o %t.custom --input-type ui8 --max-luts 6000 --max-brams 20
// RUN: %python -c "import json; r = json.load(open('%t.custom/report.json')); assert r['total_brams'] <= 20 and r['total_luts'] <= 6000, r"
