// --verify-each runs the interpreter after every pass and names the first that changes the
// output: exact padding keeps it, the paper's -1 padding (on a network trained with zeros) not.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.random.default_rng(0).choice([-1.0, 1.0], size=(4, 1, 4, 4)).astype(np.float32))"
// RUN: bnn-opt %s -p bnn-threshold-fusion,bnn-legalize-padding --verify-each=%t.x.npy | filecheck %s --check-prefix=EXACT
// RUN: not bnn-opt %s -p 'bnn-threshold-fusion,bnn-legalize-padding{mode=minus-one}' --verify-each=%t.x.npy 2>&1 | filecheck %s --check-prefix=CHANGED
func.func @main(%x: tensor<?x1x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0xBA00"> : tensor<1x1x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x1x4x4xi1>, tensor<1x1x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// EXACT: correction = dense
// CHANGED: bnn-opt: error: pass 'bnn-legalize-padding': changed output 0 of the network on {{.*}}x.npy: {{[0-9]+}} of 64 values differ, the first at index (0, 0, 0, 0)

// An input batch that is not a .npy array is one error line naming the file.
// RUN: not bnn-opt %s -p bnn-threshold-fusion --verify-each=/dev/null 2>&1 | filecheck %s --check-prefix=EMPTY
// EMPTY: bnn-opt: error: /dev/null: not a .npy file (save the batch with numpy.save)
// EMPTY-NOT: Traceback

// A batch of the wrong shape names its file.
// RUN: %python -c "import numpy as np; np.save('%t.wrong.npy', np.ones((2, 1, 5, 5), np.float32))"
// RUN: not bnn-opt %s -p bnn-threshold-fusion --verify-each=%t.wrong.npy 2>&1 | filecheck %s --check-prefix=SHAPE
// SHAPE: bnn-opt: error: {{.*}}wrong.npy: shape (2, 1, 5, 5) does not match tensor<?x1x4x4xi1>

// The check runs in xDSL's pass-pipeline callback: --time-passes times each pass (without the
// check), and the verifier and --print-between-passes still run.
// RUN: bnn-opt %s -p cse,bnn-threshold-fusion,bnn-legalize-padding --time-passes --verify-each=%t.x.npy -o /dev/null | filecheck %s --check-prefix=TIMES
// TIMES:      Pass cse took {{[0-9.e-]+}} seconds
// TIMES-NEXT: Pass bnn-threshold-fusion took {{[0-9.e-]+}} seconds
// TIMES-NEXT: Pass bnn-legalize-padding took {{[0-9.e-]+}} seconds
// RUN: bnn-opt %s -p cse,bnn-legalize-padding --print-between-passes --verify-each=%t.x.npy -o /dev/null | filecheck %s --check-prefix=BETWEEN
// BETWEEN: IR after cse:
// BETWEEN: bnn.conv2d

// A long check is announced on stderr (here: after 0 s), and not with --quiet.
// RUN: env BNNIR_PROGRESS_AFTER=0 bnn-opt %s -p bnn-legalize-padding --verify-each=%t.x.npy -o /dev/null 2>&1 | filecheck %s --check-prefix=PROGRESS
// PROGRESS: bnn-opt: running pass bnn-legalize-padding ...
// PROGRESS: bnn-opt: running pass bnn-legalize-padding: done in {{[0-9.]+}} s
// PROGRESS: bnn-opt: checking the outputs after pass bnn-legalize-padding ...
// RUN: env BNNIR_PROGRESS_AFTER=0 bnn-opt %s -p bnn-legalize-padding --verify-each=%t.x.npy -o /dev/null --quiet 2>&1 | filecheck %s --check-prefix=QUIET --allow-empty
// QUIET-NOT: bnn-opt
