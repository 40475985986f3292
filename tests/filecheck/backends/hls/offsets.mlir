// RUN: bnn-opt %S/../../passes/bnn-to-hwstream/raw_conv_offsets.mlir -p bnn-to-hwstream,hwstream-size-fifos -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-hls | filecheck %s

// An MVTU without thresholds but with per-class offsets (a raw conv's border correction): the
// Offsets activation adds table [PE][CLASSES][NF] at the vector's border class to each row's
// dot product; one memory per PE.
// CHECK:      struct Offsets {
// CHECK:      static const bnnir::Offsets<true, 4, 2, 2, 4, 3> [[K:k[0-9]+]]_offsets = { { { {0, 0}, {2, 0}, {0, -2}, {1, -1} }, { {0, 0}, {-2, 0}, {0, 2}, {-1, 1} } } };
// CHECK:      #pragma HLS ARRAY_PARTITION variable = [[K]]_offsets.m complete dim = 1
// CHECK:      bnnir::mvtu<4, 4, 2, 2, 9, 1, false, true, 32, bnnir::Border<3, 3, 2, 2, 1, 1, 0, 0, 1, 1>>({{s[0-9]+}}, adapted_out, [[K]]_weights, [[K]]_offsets, frames);
