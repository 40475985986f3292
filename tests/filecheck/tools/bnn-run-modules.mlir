// bnn-run checks what it assumes of a hand-written module and names the module file; an empty
// batch gives empty outputs.

// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((2, 4), np.float32))"
// RUN: %python -c "import numpy as np; np.save('%t.empty.npy', np.ones((0, 4), np.float32))"
// RUN: bnn-run %s --input %t.empty.npy -o %t.y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.shape == (0, 2) and y.dtype == np.float32, (y.shape, y.dtype)"
// RUN: mkdir -p %t.folder
// RUN: not bnn-run %s --input %t.x.npy -o %t.folder 2>&1 | filecheck %s --check-prefix=FOLDER
// FOLDER: bnn-run: error: {{.*}}: is a folder; give the name of a file to write

// RUN: %python -c "open('%t.scalar.mlir', 'w').write('func.func @main(%%x: i32) -> i32 {\n  func.return %%x : i32\n}\n')"
// RUN: not bnn-run %t.scalar.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=SCALAR
// SCALAR: bnn-run: error: {{.*}}scalar.mlir: argument 0 of @main is i32; bnn-run feeds tensors

// RUN: %python -c "open('%t.f64.mlir', 'w').write('func.func @main(%%x: tensor<?x4xf64>) -> tensor<?x4xf64> {\n  func.return %%x : tensor<?x4xf64>\n}\n')"
// RUN: not bnn-run %t.f64.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=F64
// F64: bnn-run: error: {{.*}}f64.mlir: argument 0 of @main has element type f64; bnn-run feeds f32, i1 or signed/unsigned integer tensors

// RUN: %python -c "open('%t.dtype.mlir', 'w').write('func.func @main(%%x: tensor<?x4xf32>) -> (tensor<?x4xf32> {bnn.onnx_dtype = \"float99\"}) {\n  func.return %%x : tensor<?x4xf32>\n}\n')"
// RUN: not bnn-run %t.dtype.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=DTYPE
// DTYPE: bnn-run: error: {{.*}}dtype.mlir: result 0 of @main has bnn.onnx_dtype 'float99'; use one of float32, int64, int32

// RUN: %python -c "open('%t.rec.mlir', 'w').write('func.func @main(%%x: tensor<?x4xf32>) -> tensor<?x4xf32> {\n  %%y = func.call @main(%%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>\n  func.return %%y : tensor<?x4xf32>\n}\n')"
// RUN: not bnn-run %t.rec.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=RECURSION
// RECURSION: bnn-run: error: {{.*}}rec.mlir: @main -> @main calls itself; bnn-run needs a call graph without recursion

// RUN: %python -c "open('%t.arith.mlir', 'w').write('func.func @main(%%x: tensor<?x4xf32>) -> tensor<?x4xf32> {\n  %%c = arith.constant 1 : i32\n  func.return %%x : tensor<?x4xf32>\n}\n')"
// RUN: not bnn-run %t.arith.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: bnn-run: error: {{.*}}arith.mlir: cannot be run: Could not find interpretation function for op arith.constant

// RUN: %python -c "open('%t.bad.mlir', 'w').write('func.func @main(%%x: tensor<?x4xi1>) -> tensor<?x3xsi32> {\n  %%w = bnn.constant bits<\"0xFF\"> : tensor<3x4xi1>\n  %%y = bnn.dense %%x, %%w : tensor<?x4xi1>, tensor<3x4xi1> -> tensor<?x3xsi32>\n  func.return %%y : tensor<?x3xsi32>\n}\n')"
// RUN: not bnn-run %t.bad.mlir --input %t.x.npy 2>&1 | filecheck %s --check-prefix=VERIFY
// VERIFY: bnn-run: error: {{.*}}bad.mlir:2:3: 'bnn.constant' of tensor<3x4xi1> must hold 2 packed bytes as tensor<2xi8>, got tensor<1xi8>

func.func @main(%x: tensor<?x4xf32>) -> (tensor<?x2xf32> {bnn.onnx_dtype = "float32"}) {
  %b = bnn.sign %x : tensor<?x4xf32> -> tensor<?x4xi1>
  %w = bnn.constant bits<"0xF0"> : tensor<2x4xi1>
  %a = bnn.dense %b, %w : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xsi32>
  %y = bnn.affine %a {scale = dense<0.5> : tensor<1xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}
