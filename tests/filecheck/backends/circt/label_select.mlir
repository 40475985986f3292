// RUN: bnn-translate %s --emit-circt | filecheck %s
// RUN: bnn-translate %s --emit-verilog -o %t && filecheck %s --check-prefix=SV --input-file %t/accel_k0_label_select.sv
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

// Two iterations per frame; the best of a word's 5 lanes by a tree of signed > comparisons
// (the lower index wins ties), then against the running best; the last writes the index.
// CHECK-LABEL: hw.module @accel_k0_label_select(in %clk: !seq.clock, in %rst: i1, in %in_data: i160, in %in_valid: i1, in %out_ready: i1, out in_ready: i1, out out_data: i4, out out_valid: i1) attributes {comment = "label select over 10 labels, PE 5: 2 cycles per frame"}
// CHECK:       %word = seq.compreg
// CHECK-COUNT-4: comb.icmp sgt
// CHECK:       %best = seq.compreg {{%[0-9]+}}, %clk : i32
// CHECK-NEXT:  %best_index = seq.compreg {{%[0-9]+}}, %clk : i4
// CHECK:       comb.icmp sgt {{%[0-9]+}}, %best : i32
// CHECK:       hw.output
// The 4-bit index leaves in a byte.
// CHECK-LABEL: hw.module @accel_output_adapter(
// CHECK-SAME:  out out_data: i8

// SV:      // label select over 10 labels, PE 5: 2 cycles per frame
// SV-NEXT: module accel_k0_label_select(
// SV:      input  [159:0] in_data,
