// bnn-run checks its input batch against the network's input type, with one error line each.

// RUN: %python -c "import numpy as np; np.save('%t.ok.npy', np.array([[1., -1., 1., 1.], [-1., -1., 1., -1.]], np.float32))"
// RUN: bnn-run %s --input %t.ok.npy | filecheck %s --check-prefix=OK
// OK:      {{\[\[}}-2.,  2.],
// OK-NEXT:  [ 2., -2.]]

// RUN: bnn-run %s --input %t.ok.npy -o %t.y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.dtype == np.float32 and y.tolist() == [[-2, 2], [2, -2]], y"

// RUN: %python -c "import numpy as np; np.save('%t.zero.npy', np.array([[1., 0., 1., 1.]], np.float32))"
// RUN: not bnn-run %s --input %t.zero.npy 2>&1 | filecheck %s --check-prefix=BIPOLAR
// BIPOLAR: bnn-run: error: {{.*}}zero.npy: value 0.0 at index (0, 1) is not -1 or 1, but the model was imported with a bipolar input; import it with another --input-type

// RUN: %python -c "import numpy as np; np.save('%t.shape.npy', np.ones((2, 5), np.float32))"
// RUN: not bnn-run %s --input %t.shape.npy 2>&1 | filecheck %s --check-prefix=SHAPE
// SHAPE: bnn-run: error: {{.*}}shape.npy: shape (2, 5) does not match tensor<?x4xi1>

// RUN: not bnn-run %s --input %s 2>&1 | filecheck %s --check-prefix=NOTNPY
// NOTNPY: bnn-run: error: {{.*}}bnn-run-errors.mlir: not a .npy file (save the batch with numpy.save)

// RUN: not bnn-run %s --input %t.missing.npy 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: bnn-run: error: {{.*}}missing.npy: No such file or directory

// RUN: not bnn-run %s --input %t.ok.npy --engine nope 2>&1 | filecheck %s --check-prefix=ENGINE
// ENGINE: bnn-run: error: argument --engine: invalid choice: 'nope'

// Usage errors are one line too, for every tool (argparse would print the usage first).
// NO-USAGE-NOT: usage:
// RUN: not bnn-run %s 2>&1 | filecheck %s --check-prefixes=NO-USAGE,USAGE-EXEC
// USAGE-EXEC: bnn-run: error: the following arguments are required: --input (see bnn-run --help)
// RUN: not bnn-opt %s --bogus 2>&1 | filecheck %s --check-prefixes=NO-USAGE,USAGE-OPT
// USAGE-OPT: bnn-opt: error: unrecognized arguments: --bogus (see bnn-opt --help)
// RUN: not bnn-translate %s --emit-report --format xml 2>&1 | filecheck %s --check-prefixes=NO-USAGE,USAGE-TRANSLATE
// USAGE-TRANSLATE: bnn-translate: error: argument --format: invalid choice: 'xml' (choose from 'text', 'json', 'svg') (see bnn-translate --help)
// RUN: not bnn-compile %s -o %t.build --target-fps fast 2>&1 | filecheck %s --check-prefixes=NO-USAGE,USAGE-COMPILE
// USAGE-COMPILE: bnn-compile: error: argument --target-fps: invalid float value: 'fast' (see bnn-compile --help)

func.func @main(%x: tensor<?x4xi1>) -> (tensor<?x2xsi32> {bnn.onnx_dtype = "float32"}) {
  %w = bnn.constant bits<"0xF0"> : tensor<2x4xi1>
  %a = bnn.dense %x, %w : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xsi32>
  func.return %a : tensor<?x2xsi32>
}
