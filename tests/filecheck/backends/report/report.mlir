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
// CHECK:      total: 666 LUTs, 2 BRAM18s (estimated by the cost model (FINN's formulas), not synthesized)
// CHECK-NEXT: throughput: 195312.5 fps at 100 MHz (bottleneck fc0.mvtu, 512 cycles per frame)
// The latency before streaming is the bound, named as such, and nothing else is called latency.
// CHECK-NEXT: latency bound: 832 cycles (8.3 us; sum of the kernels' cycles per frame, a bound with unbounded streams)
// CHECK-NEXT: ideal bound: 473.6 cycles (total MACs / sum of PE x SIMD); efficiency 92.5%
// The defaults in force, and a legend of the columns.
// CHECK-NEXT: target: part xczu7ev-ffvc1156-2-e (none given: the default of hls.tcl), clock 100 MHz
// CHECK-NEXT: columns:
// CHECK-NEXT:   shape   before streaming: weights -> layer output; after: stream words read -> written per frame; a FIFO's depth
// CHECK-NEXT:   PE      output lanes computed per cycle; SIMD: input lanes read per cycle (none on FIFOs)
// CHECK-NEXT:   cycles  cycles per frame of the kernel (its initiation interval); the largest sets the fps
// CHECK-NEXT:   LUT     LUTs and BRAM18s (18 Kb halves of block RAMs), estimated (see total)
// CHECK-NEXT:   of max  the kernel's cycles as a share of the bottleneck's (100% is the bottleneck)
// CHECK-NOT:  {{.}}

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
// JSON-NEXT:   "ideal_cycles": 473.6,
// The fields that explain the others come after the original ones.
// JSON-NEXT:   "latency_name": "latency bound",
// JSON-NEXT:   "latency_definition": "sum of the kernels' cycles per frame, a bound with unbounded streams",
// JSON-NEXT:   "latency_bound_cycles": 832,
// JSON-NEXT:   "part": "xczu7ev-ffvc1156-2-e",
// JSON-NEXT:   "part_given": false,
// JSON-NEXT:   "estimates": "estimated by the cost model (FINN's formulas), not synthesized",
// JSON-NEXT:   "legend": {
// JSON-NEXT:     "name": "kernel: {{.*}}",
// JSON-NEXT:     "kind": "{{.*}}",
// JSON-NEXT:     "pe": "PE: output lanes computed per cycle (a FIFO computes nothing: 1)",
// JSON-NEXT:     "simd": "SIMD: input lanes read per cycle (a FIFO's: the lanes of its word)",
// JSON-NEXT:     "cycles": "cycles per frame of the kernel (its initiation interval); the largest sets the fps",
// JSON-NEXT:     "luts": "LUTs, estimated by the cost model (FINN's formulas), not synthesized",
// JSON-NEXT:     "brams": "BRAM18s (18 Kb halves of block RAMs), estimated by the cost model (FINN's formulas), not synthesized"
// JSON-NEXT:   }
// JSON-NEXT: }

// After conversion: the design's kernels, and FIFOs named after the stream they sit on; the
// latency from the cycle-level schedule, the bound besides (the same as before conversion). A FIFO
// row shows its depth and no PE or SIMD, which mean nothing for it.
// STREAM:      fc0.mvtu               mvtu         16 -> 32 words               1     4       512
// STREAM-NEXT: fc0.mvtu->fc1.mvtu     fifo         depth 18                                    32       21       0    6.2%
// STREAM-NEXT: fc1.mvtu               mvtu         32 -> 10 words               1     1       320
// STREAM:      latency: {{[0-9]+}} cycles ({{.*}} us; cycle schedule with the FIFO depths, first input word to a frame's last output word)
// STREAM-NEXT: latency bound: 832 cycles (8.3 us; sum of the kernels' cycles per frame, a bound with unbounded streams)

// A part given to bnn-fold (a board's name) is the report's target.
// RUN: bnn-opt %S/../../passes/bnn-fold/fold.mlir -p 'bnn-fold{target-fps=100000 part=PYNQ-Z2}' -o %t.part.mlir && bnn-translate %t.part.mlir --emit-report | filecheck %s --check-prefix=PART
// PART: target: part xc7z020clg400-1, clock 200 MHz

// UNFOLDED: bnn-translate: error: {{.*}}fold.mlir: has no bnn.fold summary; run bnn-fold first
