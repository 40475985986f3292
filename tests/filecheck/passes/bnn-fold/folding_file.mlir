// RUN: echo '{"fc0": {"pe": 2, "simd": 16}}' > %t.ok.json
// RUN: bnn-opt %s -p 'bnn-fold{folding-file="%t.ok.json" clock-mhz=100}' | filecheck %s
// RUN: echo '{"fc0": {"pe": 3, "simd": 16}}' > %t.illegal.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file="%t.illegal.json"}' 2>&1 | filecheck %s --check-prefix=ILLEGAL
// RUN: echo '{"fc9": {"pe": 1}}' > %t.unknown.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file="%t.unknown.json"}' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// RUN: echo '{"fc0": {"window_simd": 2}}' > %t.param.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file="%t.param.json"}' 2>&1 | filecheck %s --check-prefix=PARAM
// RUN: echo '{"fc0": ' > %t.broken.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file="%t.broken.json"}' 2>&1 | filecheck %s --check-prefix=BROKEN

// A user folding file fixes the named layers (checked for legality); the others are searched.
func.func @main(%x: tensor<?x64xi1>) -> tensor<?x10xsi32> {
  %w0 = bnn.constant bits<"0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"> : tensor<32x64xi1>
  %h = bnn.dense %x, %w0 {onnx_node = "fc0", thresholds = dense<0> : tensor<1x1xsi32>} : tensor<?x64xi1>, tensor<32x64xi1> -> tensor<?x32xi1>
  %w1 = bnn.constant bits<"0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"> : tensor<10x32xi1>
  %y = bnn.dense %h, %w1 {onnx_node = "fc1"} : tensor<?x32xi1>, tensor<10x32xi1> -> tensor<?x10xsi32>
  func.return %y : tensor<?x10xsi32>
}
// CHECK: bnn.fold = #bnn.fold_summary<clock_mhz = 100.0, fps = 1562500.0, max_cycles = 64, bottleneck = "fc0"
// CHECK: bnn.dense %x, %w0 {onnx_node = "fc0", fold = #bnn.fold<pe = 2, simd = 16, cycles = 64
// ILLEGAL: bnn-opt: error: {{.*}}illegal.json: layer 'fc0': {"pe": 3, "simd": 16} is not a legal folding (PE must divide the output channels
// UNKNOWN: bnn-opt: error: {{.*}}unknown.json: unknown layer 'fc9'; layers: fc0, fc1
// PARAM: bnn-opt: error: {{.*}}param.json: layer 'fc0' has no folding parameter window_simd (it has pe, simd)
// BROKEN: bnn-opt: error: {{.*}}broken.json:2:1: not valid JSON (Expecting value)
// FINN's spelling (PE, SIMD, a Defaults entry) reads the same.
// RUN: echo '{"Defaults": {}, "fc0": {"PE": 2, "SIMD": 16}}' > %t.finn.json
// RUN: bnn-opt %s -p 'bnn-fold{folding-file="%t.finn.json" clock-mhz=100}' | filecheck %s

// A layer may fix some of its parameters and leave the others to the search; the file name may
// be given unquoted, as MLIR's pipeline syntax allows.
// RUN: echo '{"fc0": {"pe": 2}}' > %t.partial.json
// RUN: bnn-opt %s -p 'bnn-fold{folding-file=%t.partial.json target-fps=100000 clock-mhz=100}' | filecheck %s --check-prefix=PARTIAL
// PARTIAL: bnn.dense %x, %w0 {onnx_node = "fc0", fold = #bnn.fold<pe = 2, simd = 2, cycles = 512

// FINN's node attributes that do not apply here are ignored; any other key is an error.
// RUN: echo '{"Defaults": {}, "fc0": {"PE": 2, "SIMD": 16, "ram_style": "block", "mem_mode": "internal_decoupled", "resType": "lut", "runtime_writeable_weights": 0, "ram_style_thresholds": "distributed"}}' > %t.finnkeys.json
// RUN: bnn-opt %s -p 'bnn-fold{folding-file=%t.finnkeys.json clock-mhz=100}' | filecheck %s
// RUN: echo '{"fc0": {"PE": 2, "ramstyle": "block"}}' > %t.typo.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.typo.json}' 2>&1 | filecheck %s --check-prefix=TYPO
// TYPO: bnn-opt: error: {{.*}}typo.json: layer 'fc0' has no folding parameter ramstyle (it has pe, simd)

// FINN's Defaults entry is an object of node attributes.
// RUN: echo '{"Defaults": 5}' > %t.defaults.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.defaults.json}' 2>&1 | filecheck %s --check-prefix=DEFAULTS
// DEFAULTS: bnn-opt: error: {{.*}}defaults.json: 'Defaults' must be an object as in FINN's folding files, got 5

// Values are positive integers: JSON's true is not PE = 1.
// RUN: echo '{"fc0": {"pe": true}}' > %t.bool.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.bool.json}' 2>&1 | filecheck %s --check-prefix=BOOL
// BOOL: bnn-opt: error: {{.*}}bool.json: layer 'fc0': pe must be a positive integer, got true

// A file that is not UTF-8 text is named.
// RUN: printf '\377\376' > %t.binary.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.binary.json}' 2>&1 | filecheck %s --check-prefix=BINARY
// BINARY: bnn-opt: error: {{.*}}binary.json: not UTF-8 text (byte 0xff at offset 0); a folding file is JSON

// PE in both spellings is ambiguous; a file nested deeper than Python's JSON reader goes is named.
// RUN: echo '{"fc0": {"PE": 2, "pe": 4}}' > %t.twice.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.twice.json}' 2>&1 | filecheck %s --check-prefix=TWICE
// TWICE: bnn-opt: error: {{.*}}twice.json: layer 'fc0' gives pe twice (in bnnir's and FINN's spelling)
// RUN: %python -c "open('%t.deep.json', 'w').write('[' * 100000 + ']' * 100000)"
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.deep.json}' 2>&1 | filecheck %s --check-prefix=DEEP
// DEEP: bnn-opt: error: {{.*}}deep.json: nested too deeply; a folding file is an object of objects of integers
// A layer given twice is refused (Python's JSON reader would keep the last silently).
// RUN: echo '{"fc0": {"pe": 2}, "fc0": {"pe": 4}}' > %t.dup.json
// RUN: not bnn-opt %s -p 'bnn-fold{folding-file=%t.dup.json}' 2>&1 | filecheck %s --check-prefix=DUP
// DUP: bnn-opt: error: {{.*}}dup.json: 'fc0' is given twice; give each layer and parameter once
