func.func @f() {
  %w = bnn.constant bits<"0xZZ"> : tensor<3xi1>
}
