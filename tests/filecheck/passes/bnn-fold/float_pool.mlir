// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000}' 2>&1 | filecheck %s
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000},bnn-to-hwstream' 2>&1 | filecheck %s

// A float map has no stream encoding; the error blames neither pass (bnn-fold reaches it first).

func.func @main(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32> {
  %m = bnn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xf32> -> tensor<?x2x2x2xf32>
  func.return %m : tensor<?x2x2x2xf32>
}

// CHECK: bnn-opt: error: hardware run: no stream encoding for element type f32: streams carry integer and bipolar (i1) values
