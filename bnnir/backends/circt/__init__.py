"""The CIRCT backend: a hwstream design as hw/comb/seq modules (built with xDSL's own ops),
lowered and exported to SystemVerilog by CIRCT's Python bindings, simulated by Verilator.

    params.py     the one place kernel ops are read: a frozen dataclass of parameters per kernel
    builder.py    Rtl, a small netlist builder over hw/comb/seq
    loop.py       the shell of every kernel: loop control, credits, registered output queue
    mvtu.py, maps.py, streams.py, ports.py    the kernels and the port adapters
    top.py        the circuit: one module per kernel instance and the top module
    lowering.py   MLIR text for circt 1.62, lowering and SystemVerilog export
    project.py    the --emit-verilog folder (SystemVerilog files and README)
    testbench.py, sim.py    the Verilator testbench and the `rtl` engine
"""
