// RUN: echo '{"fc0": {"pe": 4, "simd": 8}, "fc1": {"pe": 1, "simd": 3}}' > %t.json
// RUN: bnn-opt %s -p 'bnn-fold{folding-file=%t.json clock-mhz=100}' -o %t.folded.mlir
// RUN: bnn-opt %t.folded.mlir -p bnn-to-hwstream -o %t.stream.mlir
// RUN: bnn-translate %t.stream.mlir --emit-report -o %t.report.txt
// RUN: cat %t.folded.mlir %t.report.txt | filecheck %s

// fc0 writes 4 lanes per word (PE 4) and fc1 reads 3 (SIMD 3): streaming conversion joins them
// with a width converter, which the folding counts (in fc1's numbers, the layer it feeds), so
// bnn-fold's totals are the design's.
func.func @main(%x: tensor<?x64xi1>) -> tensor<?x10xsi32> {
  %w0 = bnn.constant bits<"0xD6421B4C69D073175599D0BAFE30E10E8E4633A84E8F4226BF6EADABF16C38A2EFF7DEAE61640A2F55589482B1E4E0C6FA51E8EC397891B1B31B7A1AF53372E285AE7FD998A474689784C89778DC36707CE4709D13D4717F18B1A256C4850E37"> : tensor<12x64xi1>
  %h = bnn.dense %x, %w0 {onnx_node = "fc0", thresholds = dense<0> : tensor<1x1xsi32>} : tensor<?x64xi1>, tensor<12x64xi1> -> tensor<?x12xi1>
  %w1 = bnn.constant bits<"0x4219800985B3947444E552D57162B1"> : tensor<10x12xi1>
  %y = bnn.dense %h, %w1 {onnx_node = "fc1"} : tensor<?x12xi1>, tensor<10x12xi1> -> tensor<?x10xsi32>
  func.return %y : tensor<?x10xsi32>
}

// CHECK:      bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 2500000.0, max_cycles = 40, bottleneck = "fc1", luts = [[LUTS:[0-9]+]], brams = 0
// CHECK:      fold = #bnn.fold<pe = 4, simd = 8, cycles = 24, luts = 653
// CHECK:      fold = #bnn.fold<pe = 1, simd = 3, cycles = 40, luts = 355
// CHECK:      fc0.mvtu               mvtu         8 -> 3 words                 4     8        24      653
// CHECK-NEXT: fc1.dwc                dwc          3 -> 4 words                 1     4         4       28
// CHECK-NEXT: fc1.mvtu               mvtu         4 -> 10 words                1     3        40      327
// CHECK:      total: [[LUTS]] LUTs, 0 BRAM18s
// CHECK-NEXT: throughput: 2500000.0 fps at 100 MHz (bottleneck fc1.mvtu, 40 cycles per frame)

