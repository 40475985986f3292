%w = bnn.constant bits<"0x0F"> : tensor<2x8xi1>
