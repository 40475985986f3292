// RUN: bnn-opt %S/../../passes/bnn-fold/fold.mlir -p 'bnn-fold{target-fps=100000 clock-mhz=100}' -o %t.folded.mlir
// RUN: bnn-translate %t.folded.mlir --emit-report | filecheck %s
// RUN: bnn-translate %t.folded.mlir --emit-report --format json | filecheck %s --check-prefix=JSON
// RUN: bnn-opt %t.folded.mlir -p bnn-to-hwstream,hwstream-size-fifos -o %t.stream.mlir
// RUN: bnn-translate %t.stream.mlir --emit-report | filecheck %s --check-prefix=STREAM
// RUN: not bnn-translate %S/../../passes/bnn-fold/fold.mlir --emit-report 2>&1 | filecheck %s --check-prefix=UNFOLDED

// Before conversion: one row per kernel each folded layer becomes, with the cost model's numbers
// and the names the design's kernels will have.
// CHECK:      kernel                 kind         shape                       PE  SIMD    cycles      LUT  BRAM18  of max
// CHECK:      fc0.mvtu               mvtu         32x64 -> 32                  1     4       512
// CHECK-NEXT: fc1.mvtu               mvtu         10x32 -> 10                  1     1       320
// CHECK:      throughput: 195312.5 fps at 100 MHz (bottleneck fc0.mvtu, 512 cycles per frame)
// CHECK:      ideal bound: 473.6 cycles (total MACs / sum of PE x SIMD); efficiency 92.5%

// The JSON report has exactly the fields scripts read, rows in stream order.
// JSON:      {
// JSON-NEXT:   "layers": [
// JSON-NEXT:     {
// JSON-NEXT:       "name": "fc0.mvtu",
// JSON-NEXT:       "kind": "mvtu",
// JSON-NEXT:       "pe": 1,
// JSON-NEXT:       "simd": 4,
// JSON-NEXT:       "cycles": 512,
// JSON-NEXT:       "luts": 353,
// JSON-NEXT:       "brams": 1
// JSON-NEXT:     },
// JSON-NEXT:     {
// JSON-NEXT:       "name": "fc1.mvtu",
// JSON-NEXT:       "kind": "mvtu",
// JSON-NEXT:       "pe": 1,
// JSON-NEXT:       "simd": 1,
// JSON-NEXT:       "cycles": 320,
// JSON-NEXT:       "luts": 313,
// JSON-NEXT:       "brams": 1
// JSON-NEXT:     }
// JSON-NEXT:   ],
// JSON-NEXT:   "clock_mhz": 100.0,
// JSON-NEXT:   "max_cycles": 512,
// JSON-NEXT:   "fps": 195312.5,
// JSON-NEXT:   "latency_cycles": 832,
// JSON-NEXT:   "total_luts": 666,
// JSON-NEXT:   "total_brams": 2,
// JSON-NEXT:   "ideal_cycles": 473.6
// JSON-NEXT: }

// After conversion: the design's kernels, and FIFOs named after the stream they sit on; the
// latency from the cycle-level schedule.
// STREAM:     fc0.mvtu               mvtu
// STREAM-NEXT: fc0.mvtu->fc1.mvtu    fifo
// STREAM-NEXT: fc1.mvtu               mvtu
// STREAM:     latency: {{[0-9]+}} cycles ({{.*}} us, simulation)

// UNFOLDED: bnn-translate: error: {{.*}}fold.mlir: has no bnn.fold summary; run bnn-fold first
