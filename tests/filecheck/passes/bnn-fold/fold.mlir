// RUN: bnn-opt %s -p 'bnn-fold{target-fps=100000 clock-mhz=100}' | filecheck %s
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=200000000 clock-mhz=100}' 2>&1 | filecheck %s --check-prefix=INFEASIBLE
// RUN: bnn-opt %s -p 'bnn-fold{max-luts=1400 clock-mhz=100}' | filecheck %s --check-prefix=BUDGET
// RUN: not bnn-opt %s -p 'bnn-fold{max-luts=100}' 2>&1 | filecheck %s --check-prefix=TOOSMALL
// RUN: not bnn-opt %s -p 'bnn-fold{part=xc9z999}' 2>&1 | filecheck %s --check-prefix=PART
// RUN: not bnn-opt %s -p 'bnn-fold{max-luts=0}' 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=-5}' 2>&1 | filecheck %s --check-prefix=CLOCK
// RUN: not bnn-opt %s -p 'bnn-fold{clock-mhz=100}' 2>&1 | filecheck %s --check-prefix=NOGOAL
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=fast}' 2>&1 | filecheck %s --check-prefix=TYPE
// Exponent forms are numbers, as MLIR reads them (xDSL's lexer alone would take 1e5 for a name).
// RUN: bnn-opt %s -p 'bnn-fold{target-fps=1e5 clock-mhz=1E2}' | filecheck %s
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1e-300}' 2>&1 | filecheck %s --check-prefix=TINYFPS
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=1e303}' 2>&1 | filecheck %s --check-prefix=HUGECLOCK
// RUN: not bnn-opt %s -p 'bnn-fold{target-fps=1000 clock-mhz=1e308}' 2>&1 | filecheck %s --check-prefix=HUGECLOCK
// RUN: bnn-opt %s -p 'bnn-fold{part=PYNQ-Z2}' | filecheck %s --check-prefix=BOARD
// RUN: bnn-opt %s -p 'bnn-fold{part=xc7z020clg400-1}' | filecheck %s --check-prefix=BOARD
// RUN: bnn-opt %s -p 'bnn-fold{max-brams=3}' | filecheck %s --check-prefix=BRAMS

// A 64 -> 32 -> 10 bipolar MLP. At 100 kfps and 100 MHz each layer must finish a frame in
// 1000 cycles: the first (32x64 = 2048 MACs) needs PE·SIMD >= 3, i.e. 4, the second already
// meets it with PE = SIMD = 1, the cheapest choice.
func.func @main(%x: tensor<?x64xi1>) -> tensor<?x10xsi32> {
  %w0 = bnn.constant bits<"0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"> : tensor<32x64xi1>
  %h = bnn.dense %x, %w0 {onnx_node = "fc0", thresholds = dense<0> : tensor<1x1xsi32>} : tensor<?x64xi1>, tensor<32x64xi1> -> tensor<?x32xi1>
  %w1 = bnn.constant bits<"0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"> : tensor<10x32xi1>
  %y = bnn.dense %h, %w1 {onnx_node = "fc1"} : tensor<?x32xi1>, tensor<10x32xi1> -> tensor<?x10xsi32>
  func.return %y : tensor<?x10xsi32>
}

// CHECK:      builtin.module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 195312.5, max_cycles = 512, bottleneck = "fc0", luts = {{[0-9]+}}, brams = 2, ideal_cycles = 473.6>}
// CHECK:      bnn.dense %x, %w0 {onnx_node = "fc0", fold = #bnn.fold<pe = 1, simd = 4, cycles = 512, luts = {{[0-9]+}}, brams = 1>
// CHECK:      bnn.dense %h, %w1 {onnx_node = "fc1", fold = #bnn.fold<pe = 1, simd = 1, cycles = 320

// INFEASIBLE: bnn-opt: error: bnn-fold: 2e+08 fps at 100 MHz allows less than one cycle per frame, but the best folding takes 1 cycle (at most 100000000.0 fps)

// The fastest folding within 1400 LUTs: 32 cycles per frame, 1244 LUTs, the width converter
// between fc0's 1-lane output and fc1's 2-lane input included (in fc1's numbers).
// BUDGET:     bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 3125000.0, max_cycles = 32, bottleneck = "fc0", luts = 1244
// BUDGET:     bnn.dense %x, %w0 {onnx_node = "fc0", fold = #bnn.fold<pe = 1, simd = 64, cycles = 32, luts = 813
// BUDGET:     bnn.dense %h, %w1 {onnx_node = "fc1", fold = #bnn.fold<pe = 5, simd = 2, cycles = 32, luts = 431

// TOOSMALL:   bnn-opt: error: bnn-fold: no folding fits 100 LUTs; the smallest needs {{[0-9]+}} LUTs and {{[0-9]+}} BRAM18s

// PART:       bnn-opt: error: pass 'bnn-fold': unknown part 'xc9z999'; known parts xc7z020, {{.*}}, xcku115, {{.*}}; boards ADM-PCIE-8K5, PYNQ-Z1, PYNQ-Z2, {{.*}}
// ZERO:       bnn-opt: error: pass 'bnn-fold': max-luts must be a positive number, got 0
// CLOCK:      bnn-opt: error: pass 'bnn-fold': clock-mhz must be a positive number, got -5
// NOGOAL:     bnn-opt: error: pass 'bnn-fold': give target-fps, max-luts, max-brams, part or folding-file
// TYPE:       bnn-opt: error: pass 'bnn-fold': option 'target-fps' expects a number, got 'fast'

// TINYFPS:   bnn-opt: error: pass 'bnn-fold': target-fps must be between 1e-06 and 1e+12 frames per second, got 1e-300
// HUGECLOCK: bnn-opt: error: pass 'bnn-fold': clock-mhz must be between 0.001 and 100000 MHz, got 1e+{{303|308}}
// A board or a full part string names the part; the summary gives its short name.
// BOARD:     bnn.fold = #bnn.fold_summary<part = "xc7z020", clock_mhz = 200.0
// BRAMS:     bnn.fold = #bnn.fold_summary<clock_mhz = 200.0, {{.*}}, brams = 0
