// RUN: bnn-translate %s --emit-hls | filecheck %s

// The index of the largest of 10 signed 32-bit logits, 5 per word.
func.func @main(%x: tensor<?x10xsi32>) -> tensor<?x1xsi64> {
  %y = hwstream.instance @accel(%x) : tensor<?x10xsi32> -> tensor<?x1xsi64>
  func.return %y : tensor<?x1xsi64>
}
hwstream.design @accel attributes {input_type = tensor<?x10xsi32>, output_type = tensor<?x1xsi64>, input_lanes = 5 : i64, output_lanes = 1 : i64} {
^bb0(%in: !hwstream.stream<160>):
  %l = hwstream.label_select %in {labels = 10 : i64, pe = 5 : i64, bits = 32 : i64, index_bits = 4 : i64} : !hwstream.stream<160> -> !hwstream.stream<4>
  hwstream.yield %l : !hwstream.stream<4>
}

// The input port holds a frame's 10 logits; the 4-bit index leaves in a byte.
// CHECK:      #define BNNIR_IN_WIDTH 320
// CHECK:      #define BNNIR_OUT_WIDTH 8

// One pipelined loop of LABELS / PE cycles per frame; the index leaves on the last.
// CHECK:      void label_select(
// CHECK:      for (unsigned i = 0; i < NF; i++) {
// CHECK-NEXT: #pragma HLS PIPELINE II = 1
// CHECK:      if (nf == NF - 1) {
// CHECK-NEXT: out.write(best_index);
// CHECK:      bnnir::input_adapter<10, 5, 32, 320, 1>(in, adapted_in, frames);
// Template: labels, PE, bits, signed, index bits.
// CHECK:      bnnir::label_select<10, 5, 32, true, 4>(adapted_in, adapted_out, frames);
// CHECK:      bnnir::output_adapter<1, 1, 4, 8, 1>(adapted_out, out, frames);
