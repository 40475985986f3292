// RUN: bnn-opt %s -p 'bnn-fold{target-fps=3000000 clock-mhz=100}' | filecheck %s

// An 8 x 16 dense layer of 4-bit weights on 2-bit unsigned inputs. 3 Mfps at 100 MHz allow 33
// cycles per frame, so PE * SIMD >= 4. FINN-R's LUTs per PE with W = 4, A = 2 (W + A = 6):
// multipliers SIMD * (2 * ceil(6 / 6) - 1) * 6, adder tree 6 * (2 * SIMD - 1), accumulator
// ceil(alpha + log2(1 + 2^-alpha) + 1) = 11 for alpha = log2(16) + 4 + 2 - 1 = 9, i.e.
// 18 * SIMD + 5; plus 300 and the weights in LUTRAM (WMEM = 32 <= 128): PE * SIMD * 4 bits.
// (1, 4): 300 + 1.1 * 77 + 16 = 400 LUTs, fewer than (2, 2): 406 and (4, 1): 417.
func.func @main(%x: tensor<?x16xui2>) -> tensor<?x8xsi32> {
  %w = bnn.constant bits<"0x730677A72FED52B1631C6E09F64B77E67361B12F3D7F2CBA0000057EE6CC0B217611DA6709300ACE354BB1F2E0B7C7756AE9409B6D1D5AD7E5ED7BFA027A65EB"> : tensor<8x16xsi4>
  %y = bnn.dense %x, %w {onnx_node = "fc0"} : tensor<?x16xui2>, tensor<8x16xsi4> -> tensor<?x8xsi32>
  func.return %y : tensor<?x8xsi32>
}

// CHECK: builtin.module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 3125000.0, max_cycles = 32, bottleneck = "fc0", luts = 400, brams = 0, ideal_cycles = 32.0>}
// CHECK: bnn.dense %x, %w {onnx_node = "fc0", fold = #bnn.fold<pe = 1, simd = 4, cycles = 32, luts = 400, brams = 0>}
