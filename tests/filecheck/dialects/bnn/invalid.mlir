// RUN: bnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each verifier rejects malformed IR with a precise message.

%w = bnn.constant bits<"0x0F"> : tensor<2x8xi1>
// CHECK: 'bnn.constant' of tensor<2x8xi1> must hold 2 packed bytes as tensor<2xi8>, got tensor<1xi8>

// -----
%w = bnn.constant bits<"0xFF"> : tensor<3xi1>
// CHECK: 'bnn.constant' padding bits after the last of 3 weights must be zero

// -----
%w = bnn.constant bits<"0x00"> : tensor<?x3xi1>
// CHECK: 'bnn.constant' must have a static shape, got tensor<?x3xi1>

// -----
func.func @f(%x: tensor<?x4x8x8xi1>) -> tensor<?x2x6x6xsi32> {
  %w = bnn.constant bits<"0x00000000000000"> : tensor<2x3x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x4x8x8xi1>, tensor<2x3x3x3xi1> -> tensor<?x2x6x6xsi32>
  func.return %a : tensor<?x2x6x6xsi32>
}
// CHECK: 'bnn.conv2d' weights have 3 input channels but the input has 4

// -----
func.func @f(%x: tensor<?x3x8x8xi1>) -> tensor<?x2x8x8xsi32> {
  %w = bnn.constant bits<"0x00000000000000"> : tensor<2x3x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x3x8x8xi1>, tensor<2x3x3x3xi1> -> tensor<?x2x8x8xsi32>
  func.return %a : tensor<?x2x8x8xsi32>
}
// CHECK: 'bnn.conv2d' result shape must be tensor<?x2x6x6>, got tensor<?x2x8x8>

// -----
func.func @f(%x: tensor<?x3x8x8xi1>) -> tensor<?x2x8x8xsi32> {
  %w = bnn.constant bits<"0x00000000000000"> : tensor<2x3x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, -1, 1, 1>} : tensor<?x3x8x8xi1>, tensor<2x3x3x3xi1> -> tensor<?x2x8x8xsi32>
  func.return %a : tensor<?x2x8x8xsi32>
}
// CHECK: 'bnn.conv2d' pads must be >= 0, got [1, -1, 1, 1]

// -----
func.func @f(%x: tensor<?x3x8x8xf32>) -> tensor<?x2x6x6xsi32> {
  %w = bnn.constant bits<"0x00000000000000"> : tensor<2x3x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x3x8x8xf32>, tensor<2x3x3x3xi1> -> tensor<?x2x6x6xsi32>
  func.return %a : tensor<?x2x6x6xsi32>
}
// CHECK: 'bnn.conv2d' input must be bipolar (i1) or a signed/unsigned integer tensor, got element type f32

// -----
func.func @f(%x: tensor<?x3x8x8xi1>, %w: tensor<2x3x3x3xsi16>) -> tensor<?x2x6x6xsi32> {
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x3x8x8xi1>, tensor<2x3x3x3xsi16> -> tensor<?x2x6x6xsi32>
  func.return %a : tensor<?x2x6x6xsi32>
}
// CHECK: 'bnn.conv2d' weights must be bipolar (i1) or signed integers of 2 to 8 bits (si2..si8), got tensor<2x3x3x3xsi16>

// -----
func.func @f(%x: tensor<?x3x8x8xi1>) -> tensor<?x2x6x6xui32> {
  %w = bnn.constant bits<"0x00000000000000"> : tensor<2x3x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x3x8x8xi1>, tensor<2x3x3x3xi1> -> tensor<?x2x6x6xui32>
  func.return %a : tensor<?x2x6x6xui32>
}
// CHECK: 'bnn.conv2d' result must be a signed integer accumulator (e.g. si32), got element type ui32

// -----
func.func @f(%x: tensor<?x2x2x2xi1>) -> tensor<?x1x1x1xsi32> {
  %w = bnn.constant bits<"0x000000"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x2x2xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x1x1xsi32>
  func.return %a : tensor<?x1x1x1xsi32>
}
// CHECK: 'bnn.conv2d' kernel 3x3 is larger than the padded input 2x2

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xsi32> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x7xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<2x7xi1> -> tensor<?x2xsi32>
  func.return %a : tensor<?x2xsi32>
}
// CHECK: 'bnn.dense' weights have 7 columns but the input has 8 features

// -----
func.func @f(%x: tensor<?x8x2x2xi1>) -> tensor<?x2xsi32> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8x2x2xi1>, tensor<2x8xi1> -> tensor<?x2xsi32>
  func.return %a : tensor<?x2xsi32>
}
// CHECK: 'bnn.dense' input must have rank 2, got tensor<?x8x2x2>

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xi1> {
  %t = bnn.threshold %x {thresholds = dense<[[1, 5], [3, 2]]> : tensor<2x2xsi32>} : tensor<?x2xsi32> -> tensor<?x2xui2>
  %b = bnn.sign %x : tensor<?x2xsi32> -> tensor<?x2xi1>
  func.return %b : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' thresholds of channel 1 must be sorted ascending, got [3, 2]

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xi1> {
  %t = bnn.threshold %x {thresholds = dense<[[1, 5]]> : tensor<1x2xsi32>} : tensor<?x2xsi32> -> tensor<?x2xi1>
  func.return %t : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' with a bipolar (i1) result needs exactly 1 threshold per channel and no bias, got 2 thresholds

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xui1> {
  %t = bnn.threshold %x {thresholds = dense<[[1, 5]]> : tensor<1x2xsi32>} : tensor<?x2xsi32> -> tensor<?x2xui1>
  func.return %t : tensor<?x2xui1>
}
// CHECK: 'bnn.threshold' outputs 0..2 (2 thresholds, bias 0) do not fit a ui1 result (0..1)

// -----
func.func @f(%x: tensor<?x3xsi32>) -> tensor<?x3xi1> {
  %t = bnn.threshold %x {thresholds = dense<[[1], [2]]> : tensor<2x1xsi32>} : tensor<?x3xsi32> -> tensor<?x3xi1>
  func.return %t : tensor<?x3xi1>
}
// CHECK: 'bnn.threshold' thresholds must be tensor<3xTx...> or tensor<1xTx...> with T >= 1, got tensor<2x1>

// -----
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xi1> {
  %t = bnn.threshold %x {thresholds = dense<[[1], [2]]> : tensor<2x1xsi32>} : tensor<?x2xf32> -> tensor<?x2xi1>
  func.return %t : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' thresholds of an f32 value must be f32, got si32

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x2x6x6xi1> {
  %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = 0 : i64} : tensor<?x2x4x4xi1> -> tensor<?x2x6x6xi1>
  func.return %p : tensor<?x2x6x6xi1>
}
// CHECK: 'bnn.pad' value 0 is not representable in i1 (must be -1 or +1)

// -----
func.func @f(%x: tensor<?x2x4x4xui8>) -> tensor<?x2x6x6xui8> {
  %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = 256 : i64} : tensor<?x2x4x4xui8> -> tensor<?x2x6x6xui8>
  func.return %p : tensor<?x2x6x6xui8>
}
// CHECK: 'bnn.pad' value 256 is not representable in ui8 (must be in [0, 255])

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x2x2x2xi1> {
  %p = bnn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xi1>
  func.return %p : tensor<?x2x2x2xi1>
}
// CHECK: 'bnn.max_pool' pads [2, 0, 0, 0] must be smaller than the kernel [2, 2]

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x30xi1> {
  %f = bnn.flatten %x : tensor<?x2x4x4xi1> -> tensor<?x30xi1>
  func.return %f : tensor<?x30xi1>
}
// CHECK: 'bnn.flatten' must keep the number of elements per batch item: tensor<?x2x4x4> has 32, tensor<?x30> has 30

// -----
func.func @f(%x: tensor<?x4xsi32>) -> tensor<?x4xf32> {
  %y = bnn.batch_norm %x {gamma = dense<1.0> : tensor<3xf32>, beta = dense<0.0> : tensor<4xf32>, mean = dense<0.0> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 1.0e-05 : f32} : tensor<?x4xsi32> -> tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}
// CHECK: 'bnn.batch_norm' gamma must have 1 or 4 (channel) entries, got tensor<3>

// -----
func.func @f(%x: tensor<?x4xsi32>) -> tensor<?x4xf32> {
  %y = bnn.affine %x {divide} : tensor<?x4xsi32> -> tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}
// CHECK: 'bnn.affine' needs a scale, an offset or both

// -----
func.func @f(%x: tensor<?x4xsi32>) -> tensor<?x2xsi64> {
  %y = bnn.arg_max %x : tensor<?x4xsi32> -> tensor<?x2xsi64>
  func.return %y : tensor<?x2xsi64>
}
// CHECK: 'bnn.arg_max' result shape must be tensor<?x1>, got tensor<?x2>

// -----
func.func @f(%x: tensor<?x4xf32>) -> tensor<2x4xi1> {
  %y = bnn.sign %x : tensor<?x4xf32> -> tensor<2x4xi1>
  func.return %y : tensor<2x4xi1>
}
// CHECK: 'bnn.sign' result shape tensor<2x4> must equal the input shape tensor<?x4>

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0x000000"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = 0 : i64} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK: 'bnn.conv2d' pad_value 0 is not representable in i1

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0x000000"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64, correction = dense<0> : tensor<2x2x2x1xsi32>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK: 'bnn.conv2d' correction must be tensor<2x2x2x2x1xsi32> for pads [1, 1, 1, 1], got tensor<2x2x2x1xsi32>

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0x000000"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, pad_value = -1 : i64, complemented = array<i64: 0>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK: 'bnn.conv2d' complemented needs a zero-padded bipolar input, got i1 with pads [1, 1, 1, 1] and pad_value -1

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x1x4x4xsi32> {
  %w = bnn.constant bits<"0x000000"> : tensor<1x2x3x3xi1>
  %a = bnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, complemented = array<i64: 1, 0>} : tensor<?x2x4x4xi1>, tensor<1x2x3x3xi1> -> tensor<?x1x4x4xsi32>
  func.return %a : tensor<?x1x4x4xsi32>
}
// CHECK: 'bnn.conv2d' complemented must list distinct channels in 0..1 in increasing order, got [1, 0]

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xi1> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w {thresholds = dense<[[1], [2]]> : tensor<2x1xsi32>, descending = array<i64: 2>} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xi1>
  func.return %a : tensor<?x2xi1>
}
// CHECK: 'bnn.dense' descending must list distinct channels in 0..1 in increasing order, got [2]

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xi1> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xi1>
  func.return %a : tensor<?x2xi1>
}
// CHECK: 'bnn.dense' result must be a signed integer accumulator (e.g. si32), got element type i1

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xui2> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w {thresholds = dense<[[1.0, 2.0]]> : tensor<1x2xf32>} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xui2>
  func.return %a : tensor<?x2xui2>
}
// CHECK: 'bnn.dense' thresholds of an integer value must be signed integers, got f32

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xi1> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w {thresholds = dense<[[1], [10]]> : tensor<2x1xsi32>, value_range = array<i64: -8, 8>} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xi1>
  func.return %a : tensor<?x2xi1>
}
// CHECK: 'bnn.dense' threshold 10 of channel 1 lies outside [-9, 9] (value_range [-8, 8])

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2xsi32> {
  %w = bnn.constant bits<"0x0000"> : tensor<2x8xi1>
  %a = bnn.dense %x, %w {value_range = array<i64: -8, 8>} : tensor<?x8xi1>, tensor<2x8xi1> -> tensor<?x2xsi32>
  func.return %a : tensor<?x2xsi32>
}
// CHECK: 'bnn.dense' has `descending`, `bias` or `value_range` but no thresholds

// -----
func.func @f(%x: tensor<?x4xsi32>) -> tensor<?x4xf32> {
  %y = bnn.affine %x {scale = dense<0.3> : tensor<1xf32>, fused} : tensor<?x4xsi32> -> tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}
// CHECK: 'bnn.affine' with `fused` needs a scale and an offset and no `divide`

// -----
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xi1> {
  %y = bnn.threshold %x {thresholds = dense<"0x0000C07F0000803F"> : tensor<2x1xf32>} : tensor<?x2xf32> -> tensor<?x2xi1>
  func.return %y : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' thresholds of channel 0 must not be NaN, got [nan]

// -----
func.func @f(%x: tensor<?x2x3x3xi1>) -> tensor<?x2x0x0xi1> {
  %p = bnn.max_pool %x {kernel = array<i64: 4, 4>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x3x3xi1> -> tensor<?x2x0x0xi1>
  func.return %p : tensor<?x2x0x0xi1>
}
// CHECK: 'bnn.max_pool' kernel 4x4 is larger than the padded input 3x3

// -----
func.func @f(%x: tensor<?x4x?x8xi1>) -> tensor<?x4x?x8xi1> {
  %p = bnn.pad %x {pads = array<i64: 0, 0, 0, 0>, value = -1 : i64} : tensor<?x4x?x8xi1> -> tensor<?x4x?x8xi1>
  func.return %p : tensor<?x4x?x8xi1>
}
// CHECK: 'bnn.pad' input may be dynamic only in the batch dimension, got tensor<?x4x?x8>

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<3x8xi1> {
  %r = bnn.reshape %x : tensor<?x8xi1> -> tensor<3x8xi1>
  func.return %r : tensor<3x8xi1>
}
// CHECK: 'bnn.reshape' result batch dimension (3) must equal the input's (?)

// -----
%t = bnn.constant dense<[1, 2]> : tensor<2xsi8>
%u = "bnn.constant"() <{value = dense<[1, 2]> : tensor<2xsi32>}> : () -> tensor<2xsi8>
// CHECK: 'bnn.constant' value type tensor<2xsi32> must equal the result type tensor<2xsi8>

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xi1> {
  %y = bnn.threshold %x {thresholds = dense<[[1]]> : tensor<1x1xsi32>, value_range = array<i64: 4, -4>} : tensor<?x2xsi32> -> tensor<?x2xi1>
  func.return %y : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' value_range must be [lo, hi] with lo <= hi, got [4, -4]

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xf32> {
  %y = bnn.threshold %x {thresholds = dense<[[1, 2]]> : tensor<1x2xsi32>} : tensor<?x2xsi32> -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}
// CHECK: 'bnn.threshold' result must be i1 or a signed/unsigned integer, got f32

// -----
func.func @f(%x: tensor<?x2xi32>) -> tensor<?x2xf32> {
  %y = bnn.affine %x {offset = dense<0.5> : tensor<1xf32>} : tensor<?x2xi32> -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}
// CHECK: 'bnn.affine' input must be f32, bipolar or an integer tensor, got element type i32

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xsi32> {
  %y = bnn.batch_norm %x {gamma = dense<1.0> : tensor<2xf32>, beta = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<?x2xsi32> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
// CHECK: 'bnn.batch_norm' result must be f32, got tensor<?x2xsi32>

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xf32> {
  %y = bnn.affine %x {offset = dense<0.5> : tensor<1xf32>, divide} : tensor<?x2xsi32> -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}
// CHECK: 'bnn.affine' with `divide` needs a scale

// -----
func.func @f(%x: tensor<?x2xsi32>) -> tensor<?x2xsi32> {
  %y = bnn.affine %x {scale = dense<0.5> : tensor<1xf32>} : tensor<?x2xsi32> -> tensor<?x2xsi32>
  func.return %y : tensor<?x2xsi32>
}
// CHECK: 'bnn.affine' result must be f32, got tensor<?x2xsi32>

// -----
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xsi8> {
  %y = bnn.sign %x : tensor<?x2xf32> -> tensor<?x2xsi8>
  func.return %y : tensor<?x2xsi8>
}
// CHECK: 'bnn.sign' result must be bipolar (i1), got tensor<?x2xsi8>

// -----
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xi1> {
  %y = "bnn.threshold"(%x) : (tensor<?x2xf32>) -> tensor<?x2xi1>
  func.return %y : tensor<?x2xi1>
}
// CHECK: 'bnn.threshold' needs thresholds

// -----
func.func @f(%x: tensor<?x2x4x4xi1>) -> tensor<?x2x2x2xsi8> {
  %p = bnn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<?x2x4x4xi1> -> tensor<?x2x2x2xsi8>
  func.return %p : tensor<?x2x2x2xsi8>
}
// CHECK: 'bnn.max_pool' result element type si8 must equal the input's i1

// -----
func.func @f(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x6x6xf32> {
  %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = 0 : i64} : tensor<?x2x4x4xf32> -> tensor<?x2x6x6xf32>
  func.return %p : tensor<?x2x6x6xf32>
}
// CHECK: 'bnn.pad' pads integer and bipolar tensors only, got f32

// -----
func.func @f(%x: tensor<?x2x4x4xsi8>) -> tensor<?x2x6x6xsi16> {
  %p = bnn.pad %x {pads = array<i64: 1, 1, 1, 1>, value = 0 : i64} : tensor<?x2x4x4xsi8> -> tensor<?x2x6x6xsi16>
  func.return %p : tensor<?x2x6x6xsi16>
}
// CHECK: 'bnn.pad' result element type si16 must equal the input's si8

// -----
func.func @f(%x: tensor<?x8xi1>) -> tensor<?x2x4xsi8> {
  %r = bnn.reshape %x : tensor<?x8xi1> -> tensor<?x2x4xsi8>
  func.return %r : tensor<?x2x4xsi8>
}
// CHECK: 'bnn.reshape' result element type si8 must equal the input's i1

// -----
func.func @f(%x: tensor<?x10xsi32>) -> tensor<?x1xsi32> {
  %l = bnn.arg_max %x : tensor<?x10xsi32> -> tensor<?x1xsi32>
  func.return %l : tensor<?x1xsi32>
}
// CHECK: 'bnn.arg_max' result must be si64, got tensor<?x1xsi32>
