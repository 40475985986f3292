"""Cycles of the CIRCT backend's SystemVerilog in Verilator beside the stream schedule's and the
cost model's, on the bundled example (folded as `make demo` folds it) and FINN's CNV at the
BNN-PYNQ folding (cnvW1A1's published PE and SIMD), with the wall time of the SystemVerilog
export, the Verilator build (a fresh cache) and a run of 100 frames, checked bit for bit
against the interpreter.

    python benchmarks/rtl_cycles.py [--frames 100] [--only tiny_cnv|finn_cnv]

Steady state: the cycles between the last two frames' ends with the ports never stalling; latency:
from the first input word to the first frame's last output word.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from bnnir.analysis.folding import Folding, hardware_layers
from bnnir.analysis.kernel_costs import kernel_cost
from bnnir.analysis.stream_schedule import simulate as schedule
from bnnir.backends.circt import sim
from bnnir.backends.circt.lowering import verilog
from bnnir.backends.circt.top import circuit
from bnnir.backends.hls.emit import design_of
from bnnir.examples.reference_networks import BNN_PYNQ_CNV_FOLDING, FINN_CNV, build
from bnnir.frontend.onnx import import_onnx
from bnnir.interp import run_module
from bnnir.passes.bnn_to_hwstream import BnnToHwstream
from bnnir.passes.fold import Fold, annotate
from bnnir.passes.legalize_padding import LegalizePadding
from bnnir.passes.size_fifos import SizeFifos
from bnnir.passes.threshold_fusion import ThresholdFusion

EXAMPLES = Path(__file__).parent.parent / "bnnir" / "examples"



def _hardware(model: object) -> ModuleOp:
    module = import_onnx(model, "ui8")
    for p in (ThresholdFusion(), LegalizePadding()):
        p.apply(Context(), module)
    return module


def _stream(module: ModuleOp) -> ModuleOp:
    BnnToHwstream().apply(Context(), module)
    SizeFifos().apply(Context(), module)
    return module


def tiny_cnv() -> tuple[ModuleOp, np.ndarray]:
    module = _hardware(str(EXAMPLES / "tiny_cnv.onnx"))
    Fold(target_fps=20000, clock_mhz=100).apply(Context(), module)
    return _stream(module), np.load(EXAMPLES / "tiny_cnv_input.npy")


def finn_cnv() -> tuple[ModuleOp, np.ndarray]:
    """Each MVTU at BNN-PYNQ's (PE, SIMD) with its fastest sliding window; the other layers the
    cheapest choice within that bottleneck."""
    module = _hardware(build(FINN_CNV)[0])
    layers = hardware_layers(module)
    folding = iter(BNN_PYNQ_CNV_FOLDING)
    picks = []
    for layer in layers:
        if "pe" in layer.choices[0].params and "simd" in layer.choices[0].params:
            pe, simd = next(folding)
            fits = [c for c in layer.choices if (c.params["pe"], c.params["simd"]) == (pe, simd)]
            picks.append(min(fits, key=lambda c: (c.cycles, c.key)))
        else:
            picks.append(None)
    bound = max(c.cycles for c in picks if c is not None)
    chosen = [pick or min((c for c in layer.choices if c.cycles <= bound),
                          key=lambda c: (c.key, c.cycles))
              for layer, pick in zip(layers, picks, strict=True)]
    annotate(module, Folding(tuple(zip(layers, chosen, strict=True))), 100.0)
    x = np.random.default_rng(0).integers(0, 256, size=(1, 3, 32, 32)).astype(np.float32)
    return _stream(module), x


def timed(what: str, fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {what}: {seconds:.1f} s", flush=True)
    return result, seconds


def measure(name: str, module: ModuleOp, x: np.ndarray, frames: int) -> None:
    print(f"=== {name}", flush=True)
    design = design_of(module)
    timing = schedule(design)
    bottleneck = max(kernel_cost(op).cycles for op in design.kernels())
    c, _ = timed("hw/comb/seq circuit", lambda: circuit(module))
    timed("SystemVerilog export (CIRCT)", lambda: verilog(c))
    with tempfile.TemporaryDirectory() as cache:
        os.environ["BNNIR_CACHE"] = cache  # a fresh cache: the build is timed
        timed("Verilator build", lambda: sim.simulator(circuit(module)))
        batch = np.resize(x, (frames, *x.shape[1:]))
        engine = sim.RtlEngine()
        got, _ = timed(f"run of {frames} frames (export, cached build, simulation)",
                       lambda: run_module(module, batch, engine=engine))
    (result,) = engine.runs
    expected = run_module(module, batch)
    same = got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
    print(f"  bit-exact against the interpreter on {frames} frames: {same}")
    measured = result.cycles_per_frame
    print(f"  cycles per frame: Verilator {measured}, schedule "
          f"{timing.bounded_cycles_per_frame}, cost model bottleneck {bottleneck} "
          f"(Verilator / cost model {measured / bottleneck:.4f})")
    print(f"  latency (cycles): Verilator {result.latency}, schedule {timing.bounded_latency} "
          f"(Verilator / schedule {result.latency / timing.bounded_latency:.4f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--only", choices=["tiny_cnv", "finn_cnv"])
    args = parser.parse_args()
    print(f"Verilator: {sim.verilator_version()}")
    for name, make in (("tiny_cnv", tiny_cnv), ("finn_cnv", finn_cnv)):
        if args.only in (None, name):
            module, x = make()
            measure(name, module, x, args.frames)


if __name__ == "__main__":
    main()
