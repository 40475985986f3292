// Every bad invocation gives one `bnn-opt: error: WHERE: WHAT` line and a non-zero exit.

// RUN: not bnn-opt %s -p no-such-pass 2>&1 | filecheck %s --check-prefix=PASS
// PASS: bnn-opt: error: pass pipeline: Unrecognized passes: ['no-such-pass']; available: bnn-fold, bnn-legalize-padding, bnn-threshold-fusion, bnn-to-hwstream, canonicalize, cse, dce
// PASS-NOT: Traceback

// RUN: not bnn-opt %s -p 'bnn-legalize-padding{bogus=1}' 2>&1 | filecheck %s --check-prefix=OPTION
// OPTION: bnn-opt: error: pass 'bnn-legalize-padding': unknown option 'bogus'; its options: mode
// RUN: not bnn-opt %s -p 'cse{bogus=1}' 2>&1 | filecheck %s --check-prefix=NO-OPTIONS
// NO-OPTIONS: bnn-opt: error: pass 'cse': unknown option 'bogus'; it takes no options

// Option values are checked against the option's type, named as the pipeline spells them.
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=abc clock-mhz=100}' 2>&1 | filecheck %s --check-prefix=NUMBER
// NUMBER: bnn-opt: error: pass 'bnn-fold': option 'target-fps' expects a number, got 'abc'
// RUN: not bnn-opt %s -p 'bnn-fold{max-luts=1.5 clock-mhz=100}' 2>&1 | filecheck %s --check-prefix=INTEGER
// INTEGER: bnn-opt: error: pass 'bnn-fold': option 'max-luts' expects an integer, got '1.5'
// RUN: not bnn-opt %s -p 'bnn-legalize-padding{mode}' 2>&1 | filecheck %s --check-prefix=EMPTY
// EMPTY: bnn-opt: error: pass 'bnn-legalize-padding': option 'mode' expects a string, got 'nothing'
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=0}' 2>&1 | filecheck %s --check-prefix=RANGE
// RANGE: bnn-opt: error: pass 'bnn-fold': clock-mhz must be a positive number, got 0


// RUN: not bnn-opt %s -p 'bnn-legalize-padding{' 2>&1 | filecheck %s --check-prefix=SYNTAX
// SYNTAX: bnn-opt: error: pass pipeline 'bnn-legalize-padding{', column 22: Expected argument name here
// RUN: not bnn-opt %s --pass-pipeline='builtin.module(cse' 2>&1 | filecheck %s --check-prefix=UNBALANCED
// UNBALANCED: bnn-opt: error: --pass-pipeline: unbalanced parentheses in builtin.module(cse
// RUN: %python -c "open('%t.cut.mlir', 'w').write('func.func @f() {\n')"
// RUN: not bnn-opt %t.cut.mlir 2>&1 | filecheck %s --check-prefix=CUT
// CUT: bnn-opt: error: {{.*}}cut.mlir:2:1: unexpected end of the file; is it complete?

// RUN: not bnn-opt %s --pass-pipeline='builtin.module(func.func(cse))' 2>&1 | filecheck %s --check-prefix=NESTED
// NESTED: bnn-opt: error: --pass-pipeline: nested pass pipelines are not supported: builtin.module(func.func(cse))

// RUN: not bnn-opt %t.does-not-exist.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: bnn-opt: error: {{.*}}does-not-exist.mlir: No such file or directory

// RUN: %python -c "open('%t.bad.mlir', 'w').write('func.func @f() {\n  %%w = bnn.constant bits<\"0xZZ\"> : tensor<3xi1>\n}\n')"
// RUN: not bnn-opt %t.bad.mlir 2>&1 | filecheck %s --check-prefix=PARSE
// PARSE: bnn-opt: error: {{.*}}bad.mlir:2:26: packed bits must be a hex string

// RUN: %python -c "open('%t.invalid.mlir', 'w').write('%%w = bnn.constant bits<\"0x0F\"> : tensor<2x8xi1>\n')"
// RUN: not bnn-opt %t.invalid.mlir 2>&1 | filecheck %s --check-prefix=VERIFY
// VERIFY: bnn-opt: error: {{.*}}invalid.mlir:1:1: 'bnn.constant' of tensor<2x8xi1> must hold 2 packed bytes as tensor<2xi8>, got tensor<1xi8>

// An error leaves no half-written output file.
// RUN: rm -f %t.out.mlir
// RUN: not bnn-opt %t.invalid.mlir -o %t.out.mlir
// RUN: not test -e %t.out.mlir

// --pass-pipeline in MLIR syntax maps onto xDSL's pipelines.
// RUN: bnn-opt %s --pass-pipeline='builtin.module(canonicalize,cse)' | filecheck %s --check-prefix=OK
// OK: func.func @ok
func.func @ok(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  func.return %x : tensor<?x4xi1>
}

// A file that is not UTF-8 text, and outputs that cannot be written, name the file.
// RUN: %python -c "open('%t.bin.mlir', 'wb').write(bytes([0, 1, 0xff, 0xfe]))"
// RUN: not bnn-opt %t.bin.mlir 2>&1 | filecheck %s --check-prefix=BINARY
// BINARY: bnn-opt: error: {{.*}}bin.mlir: not a UTF-8 text file (byte 2 cannot be decoded); expected MLIR
// RUN: not bnn-opt %s -o %t.no-such-folder/out.mlir 2>&1 | filecheck %s --check-prefix=NOFOLDER
// NOFOLDER: bnn-opt: error: {{.*}}no-such-folder/out.mlir: cannot write the file: folder '{{.*}}no-such-folder' does not exist
// RUN: mkdir -p %t.folder
// RUN: not bnn-opt %s -o %t.folder 2>&1 | filecheck %s --check-prefix=FOLDER
// FOLDER: bnn-opt: error: {{.*}}: is a folder; give the name of a file to write

// xDSL expands a splat into one list entry per element: a huge declared splat is refused at its
// type instead of exhausting memory.
// RUN: %python -c "open('%t.splat.mlir', 'w').write('func.func @f(%%x: tensor<?x4xsi32>) -> tensor<?x4xf32> {\n  %%y = bnn.affine %%x {scale = dense<0.5> : tensor<4294967296xf32>} : tensor<?x4xsi32> -> tensor<?x4xf32>\n  func.return %%y : tensor<?x4xf32>\n}\n')"
// RUN: not bnn-opt %t.splat.mlir 2>&1 | filecheck %s --check-prefix=SPLAT
// RUN: not bnn-run %t.splat.mlir --input %t.none.npy 2>&1 | filecheck %s --check-prefix=SPLAT
// SPLAT: {{.*}}splat.mlir:2:44: splat of 4294967296 elements is larger than bnnir expands (at most 4194304); give the values as hex data
// SPLAT-NOT: Traceback

// Outputs go through symbolic links and into devices instead of replacing them with a file.
// RUN: echo old > %t.real.mlir && rm -f %t.link.mlir && ln -s %t.real.mlir %t.link.mlir
// RUN: bnn-opt %s -o %t.link.mlir && test -L %t.link.mlir && filecheck %s --check-prefix=OK < %t.real.mlir
// RUN: bnn-opt %s -o /dev/null && test -c /dev/null
// A full disk is an error naming what could not be written.
// RUN: not bnn-opt %s -o /dev/full 2>&1 | filecheck %s --check-prefix=FULL
// FULL: bnn-opt: error: /dev/full: cannot write the file (No space left on device)
// RUN: not bnn-opt %s > /dev/full 2> %t.stdout-full.txt
// RUN: filecheck %s --check-prefix=STDOUT-FULL < %t.stdout-full.txt
// STDOUT-FULL: bnn-opt: error: standard output: cannot write (No space left on device)

// `-` is standard input, as for MLIR's tools.
// RUN: bnn-opt - < %s | filecheck %s --check-prefix=OK

// xDSL's attribute builders fail on some malformed input outside its parser's errors: still a
// located parse error, and an undefined value is named as such, not as an incomplete file.
// RUN: %python -c "open('%t.badarray.mlir', 'w').write('func.func @f(%%x: tensor<?x4xi1>) -> tensor<?x4xi1> {\n  %%p = bnn.flatten %%x {a = array<i100: 0>} : tensor<?x4xi1> -> tensor<?x4xi1>\n  func.return %%p : tensor<?x4xi1>\n}\n')"
// RUN: not bnn-opt %t.badarray.mlir 2>&1 | filecheck %s --check-prefix=BADARRAY
// BADARRAY: bnn-opt: error: {{.*}}badarray.mlir:2:{{[0-9]+}}: cannot be parsed: Format not implemented for i100
// RUN: %python -c "open('%t.undef.mlir', 'w').write('func.func @f(%%x: tensor<?x4xi1>) -> tensor<?x4xi1> {\n  func.return %%z : tensor<?x4xi1>\n}\n')"
// RUN: not bnn-opt %t.undef.mlir 2>&1 | filecheck %s --check-prefix=UNDEF
// UNDEF: bnn-opt: error: {{.*}}undef.mlir:{{[0-9]+}}:{{[0-9]+}}: values used but not defined: [%z]
