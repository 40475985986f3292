// RUN: bnn-opt %s -p cse | filecheck %s --check-prefix=CSE
// RUN: bnn-opt %s -p dce | filecheck %s --check-prefix=DCE
// RUN: bnn-opt %s -p canonicalize | filecheck %s --check-prefix=DCE

// bnn ops are Pure: identical constants and layers are one value after cse, and unused ones
// vanish under dce and canonicalize.
func.func @main(%x: tensor<?x8xi1>) -> (tensor<?x4xsi32>, tensor<?x4xsi32>) {
  %w = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
  %v = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
  %b = bnn.dense %x, %v : tensor<?x8xi1>, tensor<4x8xi1> -> tensor<?x4xsi32>
  %unused = bnn.affine %a {offset = dense<0.5> : tensor<1xf32>} : tensor<?x4xsi32> -> tensor<?x4xf32>
  func.return %a, %b : tensor<?x4xsi32>, tensor<?x4xsi32>
}
// CSE:      %w = bnn.constant bits<"0x0FF0AA55"> : tensor<4x8xi1>
// CSE-NEXT: %a = bnn.dense %x, %w
// CSE-NEXT: func.return %a, %a

// DCE:      %w = bnn.constant
// DCE-NEXT: %v = bnn.constant
// DCE-NEXT: %a = bnn.dense %x, %w
// DCE-NEXT: %b = bnn.dense %x, %v
// DCE-NEXT: func.return %a, %b
