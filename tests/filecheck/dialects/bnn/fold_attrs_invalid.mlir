// RUN: bnn-opt %s --split-input-file --parsing-diagnostics | filecheck %s

// A folding attribute is checked where it is read, with its location.

module attributes {bnn.fold = #bnn.fold<pe = 0, simd = 1>} {
}
// CHECK: #bnn.fold pe must be at least 1, got 0

// -----
module attributes {bnn.fold = #bnn.fold<pe = 1, depth = 3>} {
}
// CHECK: #bnn.fold has no entry 'depth' (it has pe, simd, window_simd, cycles, luts, brams)

// -----
module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0>} {
}
// CHECK: #bnn.fold_summary takes part, clock_mhz, fps, max_cycles, bottleneck, luts, brams, ideal_cycles (part optional)

// -----
module attributes {bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 1.0, max_cycles = -1, bottleneck = "a", luts = 1, brams = 0, ideal_cycles = 1.0>} {
}
// CHECK: #bnn.fold_summary max_cycles must be >= 0, got -1
