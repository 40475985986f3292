// RUN: bnn-opt %S/../../passes/bnn-to-hwstream/raw_conv_offsets.mlir -p bnn-to-hwstream,hwstream-size-fifos -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-circt | filecheck %s
// RUN: bnn-translate %t.mlir --emit-verilog -o %t.d && filecheck %s --check-prefix=SV --input-file %t.d/accel_k3_mvtu.sv
// An MVTU without thresholds but with per-class offsets (a raw conv's border correction): its
// dot product plus the offset of the vector's border class, from a ROM per PE.

// The border class of vector (oy, ox) is a row part plus a column part (two ROMs); the input
// vector is kept in SF registers for the second row fold; each PE's offsets ROM has a row per
// (row fold, class) and its dot product 2P - MW leaves as a 32-bit lane.
// CHECK-LABEL: hw.module @accel_k3_mvtu(in %clk: !seq.clock, in %rst: i1, in %in_data: i2, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i64, out out_valid: i1) attributes {comment = "MVTU 4x4, PE 2, SIMD 2, 9 vectors: 36 cycles per frame; adder tree of 2 terms, 3 levels per register stage; weights in constant arrays; latency 2 cycles"}
// CHECK:       %ox = seq.compreg
// CHECK:       %oy = seq.compreg
// CHECK:       [[ROWS:%[0-9]+]] = hw.array_create {{.*}} : i2
// CHECK-NEXT:  {{%[0-9]+}} = hw.array_get [[ROWS]][%oy] : !hw.array<4xi2>, i2
// CHECK-NEXT:  [[COLS:%[0-9]+]] = hw.array_create {{.*}} : i2
// CHECK-NEXT:  {{%[0-9]+}} = hw.array_get [[COLS]][%ox] : !hw.array<4xi2>, i2
// CHECK:       %vector0 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       %vector1 = seq.compreg {{%[0-9]+}}, %clk : i2
// CHECK:       %row_d1 = seq.compreg {{%[0-9]+}}, %clk : i3
// CHECK:       %acc0 = seq.compreg
// CHECK:       [[OFFSETS:%[0-9]+]] = hw.array_create {{.*}} : i3
// CHECK-NEXT:  {{%[0-9]+}} = hw.array_get [[OFFSETS]][%row_d1] : !hw.array<8xi3>, i3
// CHECK:       %out = seq.compreg {{%[0-9]+}}, %clk : i64

// SV:      module accel_k3_mvtu(
// SV:      reg  [1:0]  vector1;
