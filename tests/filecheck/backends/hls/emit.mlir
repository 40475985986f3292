// RUN: bnn-opt %S/../../passes/bnn-to-hwstream/conv_pool_dense.mlir -p 'bnn-to-hwstream,hwstream-size-fifos{min-depth=4}' -o %t.mlir
// RUN: bnn-translate %t.mlir --emit-hls | filecheck %s --check-prefixes=CHECK,UNIT
// RUN: bnn-translate %t.mlir --emit-hls -o %t.project
// RUN: filecheck %s --input-file %t.project/top.hpp --check-prefix=CHECK
// RUN: filecheck %s --input-file %t.project/top.cpp --check-prefix=TOP
// RUN: filecheck %s --input-file %t.project/README.md --check-prefix=README
// RUN: filecheck %s --check-prefix=TCL --input-file %t.project/hls.tcl
// RUN: filecheck %s --check-prefix=MAKE --input-file %t.project/Makefile
// RUN: ls %t.project/include/bnnir | filecheck %s --check-prefix=LIB
// RUN: bnn-translate %t.mlir --emit-hls -o %t.again && diff -r %t.project %t.again

// AP_INT_MAX_W comes before ap_int.h. The ports are byte-aligned: one 2-channel bipolar pixel
// per input byte, one 2-bit label index per output byte.
// CHECK:      #define AP_INT_MAX_W 1024
// CHECK-NEXT: #include <ap_int.h>
// CHECK:      #define BNNIR_IN_WIDTH 8
// CHECK-NEXT: #define BNNIR_IN_LANES 2
// CHECK-NEXT: #define BNNIR_IN_BITS 1
// CHECK-NEXT: #define BNNIR_IN_WORDS 9
// CHECK-NEXT: #define BNNIR_OUT_WIDTH 8
// CHECK-NEXT: #define BNNIR_OUT_LANES 1
// CHECK-NEXT: #define BNNIR_OUT_BITS 2
// CHECK-NEXT: #define BNNIR_OUT_WORDS 1

// The translation unit on stdout inlines the library headers its kernels use, dependencies
// first, and includes nothing of ours.
// UNIT-NOT:   #include "
// UNIT:       #ifndef BNNIR_COMMON_HPP
// UNIT:       void input_adapter(
// UNIT:       void label_select(
// UNIT:       #ifndef BNNIR_THRESHOLD_HPP
// UNIT:       #ifndef BNNIR_MVTU_HPP
// UNIT:       void pad(
// UNIT:       void pool(
// UNIT:       void window(
// UNIT-NOT:   #include "
// UNIT:       static const bnnir::BinaryWeights<2, 4, 2> k4_weights =
// UNIT:       void accel(

// The project's top includes its interface first, then the library and the parameters.
// TOP:      #include "top.hpp"
// TOP-NEXT: #include "bnnir/bnnir.hpp"
// TOP-NEXT: #include "params.hpp"
// TOP:      void accel(hls::stream<ap_uint<BNNIR_IN_WIDTH> > &in, hls::stream<ap_uint<BNNIR_OUT_WIDTH> > &out,
// TOP:      #pragma HLS INTERFACE axis port = in
// TOP:      #pragma HLS INTERFACE axis port = out
// TOP:      #pragma HLS DATAFLOW
// TOP:      bnnir::input_adapter<2, 2, 1, 8, 9>(in, adapted_in, frames);
// TOP:      bnnir::pad<3, 3, 2, 2, 1, 0, 0, 1, 1, 0>(adapted_in, s1, frames);
// TOP:      bnnir::window<4, 4, 2, 2, 1, 2, 2, 1, 1>(s1, s2, frames);
// A FIFO is the depth of the stream it sits on (min-depth=4 puts one on every stream).
// TOP:      #pragma HLS STREAM variable = s3 depth = 4
// TOP:      bnnir::dwc<2, 4, 1, 36>(s2, s3, frames);
// TOP:      bnnir::mvtu<2, 8, 2, 4, 9, 1, false, true, 1, bnnir::Border<3, 3, 2, 2, 1, 1, 0, 0, 1, 1>>(s3, s4, k4_weights, k4_thresholds, frames);
// TOP:      bnnir::pool<3, 3, 2, 1, false, 3, 3, 1, 1, 0, 0, 0, 0>(s4, s5, frames);
// TOP:      bnnir::mvtu<4, 2, 2, 1, 1, 1, false, true, 32, bnnir::NoBorder>(s6, s7, k7_weights, k7_dot_product, frames);
// The dot products are signed, so label select compares them as such.
// TOP:      bnnir::label_select<4, 4, 32, true, 2>(s8, adapted_out, frames);
// TOP:      bnnir::output_adapter<1, 1, 2, 8, 1>(adapted_out, out, frames);

// README: void accel(hls::stream<ap_uint<8> > &in,
// README: - `in`: tensor<?x2x3x3xi1> per frame as 9 words of 8 bits (1 byte). A word holds one pixel (2
// README-NEXT: elements) of 1 bit each, element 0 in the lowest bits, then 6 zero bits; bipolar values as

// TCL: open_project bnnir_accel
// TCL: set_top accel
// TCL: add_files top.cpp -cflags "-Iinclude"
// TCL: open_solution solution1 -flow_target vivado
// TCL: set_part {xczu7ev-ffvc1156-2-e}
// TCL: create_clock -period 5.000
// TCL: csynth_design
// TCL-NEXT: export_design -format ip_catalog
// TCL-NEXT: exit
// MAKE: $(CXX) $(CXXFLAGS) -pthread -I$(AP_TYPES) -Iinclude top.cpp tb.cpp -o csim
// LIB: adapters.hpp
// LIB: bnnir.hpp
// LIB: mvtu.hpp
// LIB: pool.hpp
// LIB: window.hpp

// The part and clock that bnn-fold was given reach the synthesis script.
// RUN: bnn-translate --import-onnx %S/../../frontend/onnx/conv_bn_sign_pool.onnxtxt --input-type ui8 | bnn-opt -p 'bnn-threshold-fusion,bnn-legalize-padding,bnn-fold{target-fps=1000 clock-mhz=250 part=xcku115},bnn-to-hwstream' -o %t.ku115.mlir
// RUN: bnn-translate %t.ku115.mlir --emit-hls -o %t.ku115
// RUN: filecheck %s --check-prefix=KU115 --input-file %t.ku115/hls.tcl
// KU115: set_part {xcku115-flvb2104-2-e}
// KU115: create_clock -period 4.000
