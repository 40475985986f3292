// A float32 overflow to ±inf is IEEE's (and onnxruntime's): bnn-run computes it silently, with
// no numpy warning on stderr, and a sign of ±inf is ±1.

// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[3, -5], [0, 1]], np.int32))"
// RUN: bnn-run %s --input %t.x.npy 2>%t.err | filecheck %s
// RUN: not grep . %t.err

func.func @main(%x: tensor<?x2xsi32>) -> tensor<?x2xi1> {
  %y = bnn.affine %x {scale = dense<3.0e+38> : tensor<1xf32>, offset = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
  %z = bnn.batch_norm %y {gamma = dense<[2.0, 3.0]> : tensor<2xf32>, beta = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 0.0 : f32} : tensor<?x2xf32> -> tensor<?x2xf32>
  %s = bnn.sign %z : tensor<?x2xf32> -> tensor<?x2xi1>
  func.return %s : tensor<?x2xi1>
}
// CHECK:      {{\[\[}} 1, -1],
// CHECK-NEXT:  [ 1,  1]]
