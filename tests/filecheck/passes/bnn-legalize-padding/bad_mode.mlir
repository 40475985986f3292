// RUN: not bnn-opt %s -p 'bnn-legalize-padding{mode=zero}' 2>&1 | filecheck %s
// CHECK: bnn-opt: error: pass 'bnn-legalize-padding': unknown mode 'zero'; use mode=exact or mode=minus-one
func.func @f(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  func.return %x : tensor<?x4xi1>
}
