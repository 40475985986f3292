// RUN: bnn-opt %S/../../passes/bnn-to-hwstream/conv_pool_dense.mlir -p 'bnn-to-hwstream,hwstream-size-fifos{min-depth=4}' -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-hls | filecheck %s
// RUN: bnn-translate %t.mlir --emit-hls -o %t.project
// RUN: filecheck %s --check-prefix=TCL --input-file %t.project/hls.tcl
// RUN: filecheck %s --check-prefix=MAKE --input-file %t.project/Makefile
// RUN: ls %t.project/include/bnnir | filecheck %s --check-prefix=LIB
// RUN: bnn-translate %t.mlir --emit-hls -o %t.again && diff -r %t.project %t.again

// The interface: 2-bit input words (2 bipolar channels), one 2-bit label index per frame.
// CHECK:      #define BNNIR_IN_WIDTH 2
// CHECK-NEXT: #define BNNIR_OUT_WIDTH 2
// CHECK-NEXT: #define BNNIR_IN_WORDS 9
// CHECK-NEXT: #define BNNIR_OUT_WORDS 1

// Weights: each PE's SIMD-bit words in finn-hlslib order, in hex; thresholds per border class.
// CHECK:      // k7: 2 x 8 weights, PE 2, SIMD 4
// CHECK-NEXT: static const uint64_t k7_weights[4] = {
// CHECK-NEXT:     0x0000000000000006ull, 0x0000000000000006ull, 0x0000000000000006ull, 0x0000000000000006ull
// CHECK:      static const int32_t k7_thresholds[8] = {
// CHECK-NEXT:     5, 4, 4, 4, 5, 5, 4, 4
// CHECK:      static const uint64_t k13_weights[8] = {

// CHECK:      void accel(hls::stream<ap_uint<BNNIR_IN_WIDTH> > &in, hls::stream<ap_uint<BNNIR_OUT_WIDTH> > &out,
// CHECK:      #pragma HLS INTERFACE axis port = in
// CHECK:      #pragma HLS DATAFLOW
// CHECK:      bnnir::pad<3, 3, 2, 2, 1, 0, 0, 1, 1, 0>(in, s1, frames);
// CHECK:      bnnir::window<4, 4, 2, 2, 1, 2, 2, 1, 1>(s1, s3, frames);
// A FIFO is the depth of the stream it sits on (min-depth=4 puts one on every stream).
// CHECK:      #pragma HLS STREAM variable = s5 depth = 4
// CHECK:      bnnir::dwc<2, 4, 1, 36>(s3, s5, frames);
// CHECK:      #pragma HLS ARRAY_PARTITION variable = k7_weights block factor = 2
// CHECK-NEXT: #pragma HLS ARRAY_PARTITION variable = k7_thresholds block factor = 8
// CHECK-NEXT: hls::stream<ap_uint<2> > s7("s7");
// CHECK-NEXT: #pragma HLS STREAM variable = s7 depth = 4
// CHECK-NEXT: // conv0: hwstream.mvtu
// CHECK-NEXT: bnnir::mvtu<2, 8, 2, 4, 9, 1, false, true, 1, 1, 4, 0, bnnir::Border<3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 3>>(s5, s7, k7_weights, k7_thresholds, frames);
// CHECK:      bnnir::pool<3, 3, 2, 1, false, 3, 3, 1, 1, 0, 0, 0, 0>(s7, s9, frames);
// CHECK:      bnnir::mvtu<4, 2, 2, 1, 1, 1, false, true, 32, 0, 1, 0, bnnir::NoBorder>({{s[0-9]+}}, s13, k13_weights, nullptr, frames);
// The dot products are signed, so label select compares them as such.
// CHECK:      bnnir::label_select<4, 4, 32, true, 2>(s15, out, frames);

// TCL: set_top accel
// TCL: set_part {xczu7ev-ffvc1156-2-e}
// TCL: create_clock -period 5.000
// TCL: csynth_design
// MAKE: $(CXX) $(CXXFLAGS) -I$(AP_TYPES) -Iinclude top.cpp tb.cpp -o csim
// LIB: bnnir.hpp
// LIB: mvtu.hpp
// LIB: window.hpp

// The part and clock that bnn-fold was given reach the synthesis script.
// RUN: bnn-translate --import-onnx %S/../../frontend/onnx/conv_bn_sign_pool.onnxtxt --input-type ui8 | bnn-opt -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=1000 clock-mhz=250 part=xcku115},bnn-to-hwstream' -o %t.ku115.mlir
// RUN: bnn-translate %t.ku115.mlir --emit-hls -o %t.ku115
// RUN: filecheck %s --check-prefix=KU115 --input-file %t.ku115/hls.tcl
// KU115: set_part {xcku115-flvb2104-2-e}
// KU115: create_clock -period 4.000
