// RUN: bnn-opt %S/../../passes/bnn-to-hwstream/raw_conv_offsets.mlir -p bnn-to-hwstream,hwstream-size-fifos -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-hls | filecheck %s

// An MVTU without thresholds but with per-class offsets: the offsets table [classes][PE][NF]
// takes the place of the thresholds (a unit has one or the other), and OFFSETS = true adds it
// to each row's dot product at the vector's border class.
// CHECK:      static const int32_t [[K:k[0-9]+]]_offsets[16] = {
// CHECK-NEXT:     0, 0, 0, 0, 2, 0, -2, 0, 0, -2, 0, 2, 1, -1, -1, 1
// CHECK-NEXT: };
// CHECK:      #pragma HLS ARRAY_PARTITION variable = [[K]]_offsets block factor = 8
// CHECK:      bnnir::mvtu<4, 4, 2, 2, 9, 1, false, true, 32, 0, 4, 0, bnnir::Border<3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 3>, true>({{s[0-9]+}}, out, [[K]]_weights, [[K]]_offsets, frames);
