// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<3>
  hwstream.yield %d : !hwstream.stream<3>
}
// CHECK: 'hwstream.dwc' output stream must be 2 lanes x 1 bits = 2 bits wide, got !hwstream.stream<3>

// -----
hwstream.design @d attributes {input_type = tensor<?x6xi1>, output_type = tensor<?x6xi1>, input_lanes = 6 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<6>):
  %d = hwstream.dwc %in {in_lanes = 6 : i64, out_lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<6> -> !hwstream.stream<4>
  hwstream.yield %d : !hwstream.stream<4>
}
// CHECK: 'hwstream.dwc' 1 words of 6 lanes do not fill whole words of 4 lanes

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  %d = hwstream.dwc %f {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 3 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  hwstream.yield %d : !hwstream.stream<2>
}
// CHECK: 'hwstream.dwc' reads 3 words per frame but its producer 'hwstream.fifo' writes 1

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x3xsi32>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 3 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 2 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<2x1x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<64>
  hwstream.yield %m : !hwstream.stream<64>
}
// CHECK: 'hwstream.mvtu' pe (2) must divide rows (3)

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<1x3x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' weights must be [PE, WMEM, SIMD bytes] = [1, 4, 1], got [1, 3, 1]

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<[[[[3, 1], [0, 2]]]]> : tensor<1x1x2x2xsi32>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' thresholds must be sorted ascending

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 0 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %f : !hwstream.stream<4>
}
// CHECK: 'hwstream.fifo' depth must be positive, got 0

// -----
// The design's interface: its input stream, first kernel and output stream agree with its types.
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.design' input stream must be input_lanes x element bits = 4 x 1 = 4 bits wide, got !hwstream.stream<2>

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 2 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' reads 4 words per frame but the design's input stream writes 2

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x3xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.yield' stream carries 2 words x 1 lanes = 2 elements per frame, but a frame of tensor<?x3xsi32> has 3

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.yield' stream has 1 lanes per word but the design's output_lanes is 2

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.yield' lanes of 32 bits do not fit the i1 elements of output_type

// -----
hwstream.design @d attributes {input_type = tensor<?x4xf32>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %f : !hwstream.stream<4>
}
// CHECK: 'hwstream.design' input_type must have integer or bipolar (i1) elements, got f32

// -----
hwstream.design @d attributes {input_type = tensor<?x5xi1>, output_type = tensor<?x5xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 2 : i64, bits = 1 : i64, words = 2 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %f : !hwstream.stream<2>
}
// CHECK: 'hwstream.design' input_lanes (2) must divide the 5 elements of a frame of tensor<?x5xi1>

// -----
// Neighbouring kernels agree on lanes and bits, not only on the stream's width.
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 4 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %d = hwstream.dwc %in {in_lanes = 4 : i64, out_lanes = 2 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<2>
  %m = hwstream.mvtu %d {rows = 2 : i64, columns = 2 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 1 : i64, input_bits = 2 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<1x4x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' reads words of 1 lanes x 2 bits but its producer 'hwstream.dwc' writes 2 lanes x 1 bits

// -----
// Matrix-vector-threshold units.
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 1 : i64, input_bits = 2 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x8x1xi8>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' xnor takes bipolar bits: input_bits must be 1, got 2

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<[[[[1, 2, 3], [1, 2, 3]]]]> : tensor<1x1x2x3xsi32>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' outputs 0..3 (3 thresholds, bias 0) do not fit in 1 output bits

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi2>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 2 : i64, xnor, bias = -3 : i64, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<[[[[1, 2, 3], [1, 2, 3]]]]> : tensor<1x1x2x3xsi32>} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %m : !hwstream.stream<2>
}
// CHECK: 'hwstream.mvtu' outputs -3..0 (3 thresholds, bias -3) do not fit in 2 output bits

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<1> : tensor<4x1x2x1xsi32>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' thresholds have 4 border classes, but without a border there are 1

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<1> : tensor<4x1x2x1xsi32>, border = array<i64: 1, 1, 1, 1, 1, 1, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' border must be [IH, IW, KH, KW, SH, SW, top, left, bottom, right], got [1, 1, 1, 1, 1, 1, 0, 0, 0]

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<1> : tensor<4x1x2x1xsi32>, border = array<i64: 2, 2, 2, 2, 1, 1, 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' thresholds have 4 border classes, but for border [2, 2, 2, 2, 1, 1, 0, 0, 0, 0] there are 1

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<1> : tensor<1x1x2x1xsi32>, border = array<i64: 3, 3, 2, 2, 1, 1, 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' border gives 4 output pixels but vectors is 1

// -----
// Standalone thresholds and label select.
hwstream.design @d attributes {input_type = tensor<?x4xsi8>, output_type = tensor<?x4xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<16>):
  %t = hwstream.threshold %in {channels = 4 : i64, pixels = 1 : i64, pe = 2 : i64, input_bits = 8 : i64, output_bits = 1 : i64, thresholds = dense<[[[0]]]> : tensor<1x1x1xsi32>} : !hwstream.stream<16> -> !hwstream.stream<2>
  hwstream.yield %t : !hwstream.stream<2>
}
// CHECK: 'hwstream.threshold' thresholds must be [PE, NF, T] with PE = 2, NF = 2 and T >= 1, got [1, 1, 1]

// -----
hwstream.design @d attributes {input_type = tensor<?x2xsi8>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<16>):
  %t = hwstream.threshold %in {channels = 2 : i64, pixels = 1 : i64, pe = 2 : i64, input_bits = 8 : i64, output_bits = 1 : i64, thresholds = dense<0> : tensor<2x1x3xsi32>} : !hwstream.stream<16> -> !hwstream.stream<2>
  hwstream.yield %t : !hwstream.stream<2>
}
// CHECK: 'hwstream.threshold' outputs 0..3 (3 thresholds, bias 0) do not fit in 1 output bits

// -----
hwstream.design @d attributes {input_type = tensor<?x8xsi8>, output_type = tensor<?x1xsi64>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %l = hwstream.label_select %in {labels = 8 : i64, pe = 1 : i64, bits = 8 : i64, index_bits = 2 : i64} : !hwstream.stream<8> -> !hwstream.stream<2>
  hwstream.yield %l : !hwstream.stream<2>
}
// CHECK: 'hwstream.label_select' index_bits (2) cannot hold label 7: it needs 3

// -----
// Feature-map kernels.
hwstream.design @d attributes {input_type = tensor<?x4x2x2xi1>, output_type = tensor<?x4x1x1xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %p = hwstream.pool %in {channels = 4 : i64, height = 2 : i64, width = 2 : i64, simd = 2 : i64, bits = 1 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %p : !hwstream.stream<2>
}
// CHECK: 'hwstream.pool' takes all channels in one word: simd (2) must equal channels (4)

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1x1x1xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %p = hwstream.pool %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %p : !hwstream.stream<1>
}
// CHECK: 'hwstream.pool' pads [2, 0, 0, 0] must be smaller than the kernel [2, 2]

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %w = hwstream.window %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, kernel = array<i64: 5, 5>, strides = array<i64: 1, 1>} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %w : !hwstream.stream<1>
}
// CHECK: 'hwstream.window' kernel [5, 5] does not fit in the 2x2 map

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %w = hwstream.window %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, kernel = array<i64: 1, 1>, strides = array<i64: 0, 0>} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %w : !hwstream.stream<1>
}
// CHECK: 'hwstream.window' strides must be 2 integers >= 1, got [0, 0]

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %w = hwstream.window %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, kernel = array<i64: 1>, strides = array<i64: 1, 1>} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %w : !hwstream.stream<1>
}
// CHECK: 'hwstream.window' kernel must be 2 integers >= 1, got [1]

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1x3x3xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %p = hwstream.pad %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, pads = array<i64: 1, 1, 0>, value = 0 : i64} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %p : !hwstream.stream<1>
}
// CHECK: 'hwstream.pad' pads must be 4 integers >= 0, got [1, 1, 0]

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xi1>, output_type = tensor<?x1x3x3xi1>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<1>):
  %p = hwstream.pad %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 1 : i64, pads = array<i64: 1, 1, 0, 0>, value = 5 : i64} : !hwstream.stream<1> -> !hwstream.stream<1>
  hwstream.yield %p : !hwstream.stream<1>
}
// CHECK: 'hwstream.pad' value 5 is not a 1-bit lane value (0..1, bipolar bits)

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 2 : i64, bits = 1 : i64, words = -5 : i64} : !hwstream.stream<2> -> !hwstream.stream<2>
  hwstream.yield %f : !hwstream.stream<2>
}
// CHECK: 'hwstream.fifo' words must be positive, got -5

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xi1>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 1 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, thresholds = dense<1> : tensor<1x1x2x1xsi32>, border = array<i64: 2, 2, 2, 2, 0, 1, 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' border sizes must be >= 1 and its pads >= 0, got [2, 2, 2, 2, 0, 1, 0, 0, 0, 0]

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x2xsi32>, input_lanes = 2 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<2>):
  %m = hwstream.mvtu %in {rows = 2 : i64, columns = 4 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 2 : i64, input_bits = 1 : i64, output_bits = 32 : i64, xnor, weights = dense<0> : tensor<1x4x1xi8>, border = array<i64: 2, 2, 2, 2, 1, 1, 0, 0, 0, 0>} : !hwstream.stream<2> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' border selects threshold or offset classes; it needs thresholds or offsets

// -----
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %g = hwstream.fifo %f {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %g : !hwstream.stream<4>
}
// CHECK: 'hwstream.fifo' reads a stream written after it; kernels stand in stream order, each after its producer

// -----
hwstream.design @d attributes {input_type = tensor<?x8xi1>, output_type = tensor<?x1xsi4>, input_lanes = 8 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 8 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 8 : i64, input_bits = 1 : i64, output_bits = 4 : i64, weights = dense<0> : tensor<1x1x1xi8>, xnor} : !hwstream.stream<8> -> !hwstream.stream<4>
  hwstream.yield %m : !hwstream.stream<4>
}
// CHECK: 'hwstream.mvtu' dot products reach ±8 over 8 columns, which 4 signed output bits do not hold; give it thresholds or more output_bits

// -----
hwstream.design @d attributes {input_type = tensor<?x8xi1>, output_type = tensor<?x1xsi32>, input_lanes = 8 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 8 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 8 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<1x1x1xi8>, xnor, bias = -1 : i64} : !hwstream.stream<8> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' has a bias but no thresholds: the bias offsets threshold counts

// -----
hwstream.design @d attributes {input_type = tensor<?x1x2x2xui8>, output_type = tensor<?x1x3x3xui8>, input_lanes = 1 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %p = hwstream.pad %in {channels = 1 : i64, height = 2 : i64, width = 2 : i64, simd = 1 : i64, bits = 8 : i64, pads = array<i64: 1, 1, 0, 0>, value = -1 : i64} : !hwstream.stream<8> -> !hwstream.stream<8>
  hwstream.yield %p : !hwstream.stream<8>
}
// CHECK: 'hwstream.pad' value -1 is not a value of its unsigned 8-bit lanes (0..255)

// -----
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  %y = hwstream.instance @missing(%x) : tensor<?x4xi1> -> tensor<?x4xi1>
  func.return %y : tensor<?x4xi1>
}
// CHECK: 'hwstream.instance' names @missing, which is not a hwstream.design in this module

// -----
func.func @main(%x: tensor<?x4xi1>) -> tensor<?x2xi1> {
  %y = hwstream.instance @d(%x) : tensor<?x4xi1> -> tensor<?x2xi1>
  func.return %y : tensor<?x2xi1>
}
hwstream.design @d attributes {input_type = tensor<?x4xi1>, output_type = tensor<?x4xi1>, input_lanes = 4 : i64, output_lanes = 4 : i64} {
^bb0(%in: !hwstream.stream<4>):
  %f = hwstream.fifo %in {depth = 2 : i64, lanes = 4 : i64, bits = 1 : i64, words = 1 : i64} : !hwstream.stream<4> -> !hwstream.stream<4>
  hwstream.yield %f : !hwstream.stream<4>
}
// CHECK: 'hwstream.instance' result is tensor<?x2xi1> but @d has output_type tensor<?x4xi1>

// -----
hwstream.design @d attributes {input_type = tensor<?x8xi1>, output_type = tensor<?x1xi1>, input_lanes = 8 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 8 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 8 : i64, input_bits = 1 : i64, output_bits = 1 : i64, weights = dense<0> : tensor<1x1x1xi8>, xnor, thresholds = dense<4.0> : tensor<1x1x1x1xf32>} : !hwstream.stream<8> -> !hwstream.stream<1>
  hwstream.yield %m : !hwstream.stream<1>
}
// CHECK: 'hwstream.mvtu' thresholds must be si32, got f32

// -----
hwstream.design @d attributes {input_type = tensor<?x8xi1>, output_type = tensor<?x1xsi32>, input_lanes = 8 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %m = hwstream.mvtu %in {rows = 1 : i64, columns = 8 : i64, vectors = 1 : i64, pe = 1 : i64, simd = 8 : i64, input_bits = 1 : i64, output_bits = 32 : i64, weights = dense<0> : tensor<1x1x1xi32>, xnor} : !hwstream.stream<8> -> !hwstream.stream<32>
  hwstream.yield %m : !hwstream.stream<32>
}
// CHECK: 'hwstream.mvtu' weights must be bytes (i8), got i32

// -----
hwstream.design @d attributes {input_type = tensor<?x2xui4>, output_type = tensor<?x2xui2>, input_lanes = 2 : i64, output_lanes = 2 : i64} {
^bb0(%in: !hwstream.stream<8>):
  %t = hwstream.threshold %in {channels = 2 : i64, pixels = 1 : i64, pe = 2 : i64, input_bits = 4 : i64, output_bits = 2 : i64, thresholds = dense<[[[3, 1]], [[0, 2]]]> : tensor<2x1x2xsi32>} : !hwstream.stream<8> -> !hwstream.stream<4>
  hwstream.yield %t : !hwstream.stream<4>
}
// CHECK: 'hwstream.threshold' thresholds must be sorted ascending
