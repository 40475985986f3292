builtin.module {
  func.func @main(%x: tensor<?x4xi1> {bnn.onnx_name = "x"}) -> (tensor<?x2xf32> {bnn.onnx_name = "y", bnn.onnx_dtype = "float32"}) {
    %w = bnn.constant bits<"0x79"> : tensor<2x4xi1>
    %a = bnn.dense %x, %w : tensor<?x4xi1>, tensor<2x4xi1> -> tensor<?x2xsi32>
    %a_1 = bnn.affine %a {offset = dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
    %b = bnn.affine %a_1 {scale = dense<2.000000e+00> : tensor<1xf32>} : tensor<?x2xf32> -> tensor<?x2xf32>
    %d = bnn.affine %b {scale = dense<[3.000000e+00, 5.000000e+00]> : tensor<2xf32>, divide} : tensor<?x2xf32> -> tensor<?x2xf32>
    %e = bnn.affine %d {offset = dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>} : tensor<?x2xf32> -> tensor<?x2xf32>
    %f = bnn.affine %e {offset = dense<-7.000000e+00> : tensor<1xf32>} : tensor<?x2xf32> -> tensor<?x2xf32>
    %y = bnn.affine %f {scale = dense<-1.000000e+00> : tensor<1xf32>, offset = dense<7.000000e+00> : tensor<1xf32>} : tensor<?x2xf32> -> tensor<?x2xf32>
    func.return %y : tensor<?x2xf32>
  }
}
