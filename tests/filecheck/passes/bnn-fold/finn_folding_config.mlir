// FINN's folding_config.json with FINN's node names, as its builds write them (the shape of
// Xilinx/finn tests/benchmark/bnn-pynq/folding_config/cnv-w1a1_folding_config.json: a Defaults
// entry, the nodes in graph order, ram_style and resType besides PE and SIMD, a max-pool as a
// ConvolutionInputGenerator feeding a Pool, a FIFO entry). conv.mlir's network: conv0, pool0,
// fc0, top. Each node maps to the layer of its kind in network order (bnnir/analysis/
// finn_folding.py): MVAU_hls_0 -> conv0, MVAU_hls_1 -> fc0, ConvolutionInputGenerator_rtl_0 ->
// conv0's window, _1 -> pool0's (no parameter), LabelSelect_hls_0 -> top.
// RUN: echo '{"Defaults": {}, "ConvolutionInputGenerator_rtl_0": {"SIMD": 2, "ram_style": "distributed"}, "MVAU_hls_0": {"PE": 2, "SIMD": 4, "ram_style": "auto", "resType": "lut"}, "ConvolutionInputGenerator_rtl_1": {"SIMD": 2, "ram_style": "distributed"}, "Pool_hls_0": {"PE": 2}, "MVAU_hls_1": {"PE": 4, "SIMD": 2, "ram_style": "auto", "resType": "lut"}, "LabelSelect_hls_0": {"PE": 2}, "StreamingFIFO_rtl_0": {"depth": 32, "impl_style": "rtl"}}' > %t.finn.json
// RUN: bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.finn.json clock-mhz=100}' | filecheck %s
// CHECK:      bnn.conv2d {{.*}}fold = #bnn.fold<pe = 2, simd = 4, window_simd = 2, cycles = 44
// CHECK:      bnn.max_pool {{.*}}fold = #bnn.fold<cycles = 9
// CHECK:      bnn.dense {{.*}}fold = #bnn.fold<pe = 4, simd = 2, cycles = 1,
// CHECK:      bnn.arg_max {{.*}}fold = #bnn.fold<pe = 2, cycles = 2,

// Older FINN's spelling (v0.9: MatrixVectorActivation, StreamingMaxPool_Batch, no window for the
// pool; before it StreamingFCLayer_Batch), keys in any order: the same folding.
// RUN: echo '{"Defaults": {}, "MatrixVectorActivation_1": {"PE": 4, "SIMD": 2}, "MatrixVectorActivation_0": {"PE": 2, "SIMD": 4}, "ConvolutionInputGenerator_0": {"SIMD": 2}, "StreamingMaxPool_Batch_0": {}, "LabelSelect_Batch_0": {"PE": 2}}' > %t.old.json
// RUN: bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.old.json clock-mhz=100}' | filecheck %s
// RUN: echo '{"StreamingFCLayer_Batch_0": {"PE": 2, "SIMD": 4}, "StreamingFCLayer_Batch_1": {"PE": 4, "SIMD": 2}, "ConvolutionInputGenerator_0": {"SIMD": 2}, "LabelSelect_Batch_0": {"PE": 2}}' > %t.oldest.json
// RUN: bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.oldest.json clock-mhz=100}' | filecheck %s

// A node more than the network has of its kind, or a node bnnir does not map: one line naming it.
// RUN: echo '{"MVAU_hls_0": {"PE": 2}, "MVAU_hls_1": {"PE": 4}, "MVAU_hls_2": {"PE": 1}}' > %t.surplus.json
// RUN: not bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.surplus.json}' 2>&1 | filecheck %s --check-prefix=SURPLUS
// SURPLUS: bnn-opt: error: {{.*}}surplus.json: FINN node 'MVAU_hls_2' has no layer of its kind in the network (2 matrix layers: conv0, fc0)
// RUN: echo '{"MVAU_hls_0": {"PE": 2}, "VVAU_hls_0": {"PE": 1}}' > %t.unknown.json
// RUN: not bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.unknown.json}' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: bnn-opt: error: {{.*}}unknown.json: unknown FINN node 'VVAU_hls_0'; nodes bnnir maps: MVAU, MatrixVectorActivation, StreamingFCLayer, ConvolutionInputGenerator, Pool, StreamingMaxPool, Thresholding, LabelSelect, FMPadding (numbered as FINN does, e.g. MVAU_hls_0)
// An illegal value is refused naming the layer it maps to.
// RUN: echo '{"MVAU_hls_0": {"PE": 3}}' > %t.illegal.json
// RUN: not bnn-opt %S/conv.mlir -p 'bnn-fold{folding-file=%t.illegal.json}' 2>&1 | filecheck %s --check-prefix=ILLEGAL
// ILLEGAL: bnn-opt: error: {{.*}}illegal.json: layer 'conv0': {{.*}}is not a legal folding
