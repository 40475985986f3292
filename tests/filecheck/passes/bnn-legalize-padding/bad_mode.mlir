// RUN: not bnn-opt %s -p 'bnn-legalize-padding{mode=zero}' 2>&1 | filecheck %s
// CHECK: bnn-opt: error: {{.*}}mode{{.*}}
func.func @f(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  func.return %x : tensor<?x4xi1>
}
